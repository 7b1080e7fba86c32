/**
 * The CLO options (Lafite2 §3.2, eq. 2) of `lafite pseudo synth` and `lafite train`: one
 * declaration, so both commands say the same words with the contract's defaults.
 */
import { Option, type Command } from 'commander';
import { CLO_INITS, CLO_OPTION_DEFAULTS } from '../contract/index.ts';
import { integer, number } from './context.ts';

/** What the CLO options parse to (the `pseudo-synth` and `gan-train` input fields of the same names). */
export interface CloCliOptions {
  cloSteps: number;
  cloStepSize: number;
  cloTau: number;
  cloInit: string;
}

/** Adds --clo-steps, --clo-step-size, --clo-tau and --clo-init to a command. */
export function addCloOptions(command: Command): Command {
  return command
    .option('--clo-steps <K>', 'CLO gradient steps K', integer, CLO_OPTION_DEFAULTS.cloSteps)
    .option('--clo-step-size <η>', 'CLO step size η', number, CLO_OPTION_DEFAULTS.cloStepSize)
    .option('--clo-tau <τ>', 'CLO temperature τ', number, CLO_OPTION_DEFAULTS.cloTau)
    .addOption(new Option('--clo-init <from>', "CLO starting features: the retrieved prompts, a Gaussian draw, or uniform on the sphere (the paper's ablation)").choices([...CLO_INITS]).default(CLO_OPTION_DEFAULTS.cloInit));
}
