/**
 * `lafite train --family gan|diffusion`: one command for both model families (issue 16). The
 * options both share come from gan-train's table; the diffusion ones from diffusion-train's.
 * For the diffusion family only what the user typed is sent (the GAN's shown defaults, e.g.
 * --lr 0.0025, are not the diffusion model's: its schema fills in its own), and an option of the
 * other family is refused by name rather than silently ignored.
 *
 * @example
 *   lafite train --family diffusion --dataset shapes --preset shapes --steps 2000 --cond-drop 0.1 --noise-schedule cosine
 *   lafite train --family diffusion --dataset photos --preset latent128 --autoencoder-steps 2000 --steps 4000
 */
import type { Command } from 'commander';
import {
  DIFFUSION_OWN_OPTIONS,
  DIFFUSION_TRAIN_JOB_OPTIONS,
  GAN_TRAIN_OPTIONS,
  type DiffusionTrainResult,
  type JobInput,
  type OptionSpec,
  type TrainFamily,
} from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { jobInput, type OptionField, type ParsedOptions } from './job-options.ts';

/** The diffusion options that are no gan-train option (registered on `lafite train` after the GAN's). */
export const DIFFUSION_ONLY_FIELDS = (Object.keys(DIFFUSION_OWN_OPTIONS) as OptionField<'diffusion-train'>[]).filter((field) => !(field in GAN_TRAIN_OPTIONS));

/** gan-train options the diffusion model has no use for: those its own table lacks. */
const GAN_ONLY_SPECS: [string, OptionSpec][] = Object.entries(GAN_TRAIN_OPTIONS).filter(([field]) => !(field in DIFFUSION_TRAIN_JOB_OPTIONS));

/** `--family`: the option and its help. */
export const FAMILY_FLAG = '--family <family>';
export const FAMILY_HELP =
  'model family: gan (Lafite’s conditional StyleGAN2) or diffusion (Lafite2’s CLIP-conditioned UNet; its --preset sizes are 16/32/64/64 px in pixel space, and tinyLatent/latent128/latent256 at 32/128/256 px train an autoencoder first, the UNet on its latents; its --lr default 0.0005)';

const attribute = (flag: string): string =>
  flag
    .replace(/^--(no-)?/, '')
    .split(' ')[0]!
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flags of `specs` the user typed (not defaults). */
const typed = (command: Command, specs: readonly [string, OptionSpec][]): string[] =>
  specs.filter(([, spec]) => ['cli', 'env'].includes(command.getOptionValueSource(attribute(spec.flag)) ?? '')).map(([, spec]) => spec.flag.split(' ')[0]!);

/** The diffusion presets the GAN has no namesake for (the latent ones). */
const DIFFUSION_ONLY_PRESETS: readonly string[] = DIFFUSION_OWN_OPTIONS.preset.choices.filter((name) => !(GAN_TRAIN_OPTIONS.preset.choices as readonly string[]).includes(name));

/** `--preset` (registered from gan-train's table) takes either family's names; `familyOf` refuses a diffusion-only one for the GAN by name. */
export function acceptBothFamiliesPresets(command: Command): void {
  command.options.find((option) => option.long === '--preset')?.choices([...GAN_TRAIN_OPTIONS.preset.choices, ...DIFFUSION_ONLY_PRESETS]);
}

/** The family asked for, with the other family's typed options refused. */
export function familyOf(options: ParsedOptions, command: Command): TrainFamily {
  const family = options.family === 'diffusion' ? 'diffusion' : 'gan';
  if (family === 'gan' && typeof options.preset === 'string' && DIFFUSION_ONLY_PRESETS.includes(options.preset))
    throw invalidInput(`--preset ${options.preset} is a preset of --family diffusion (a latent diffusion model), not gan`, 'preset');
  const foreign =
    family === 'diffusion'
      ? typed(command, GAN_ONLY_SPECS)
      : typed(
          command,
          DIFFUSION_ONLY_FIELDS.map((field) => [field, (DIFFUSION_OWN_OPTIONS as Readonly<Record<string, OptionSpec>>)[field]!]),
        );
  if (foreign.length > 0)
    throw invalidInput(
      `${foreign.join(', ')} ${foreign.length === 1 ? 'is an option' : 'are options'} of --family ${family === 'gan' ? 'diffusion' : 'gan'}, not ${family}`,
      'family',
    );
  return family;
}

/** The diffusion-train input from what the user typed (defaults left to the schema). */
export function diffusionInput(options: ParsedOptions, command: Command): JobInput<'diffusion-train'> {
  const given = Object.fromEntries(Object.entries(options).filter(([key]) => ['cli', 'env'].includes(command.getOptionValueSource(key) ?? '')));
  return jobInput('diffusion-train', given);
}

export const formatDiffusionTrain = (r: DiffusionTrainResult): string =>
  [
    `trained the diffusion model ${r.steps} steps on ${r.images} images (${r.backend}, ${r.imagesPerSecond.toFixed(1)} images/s, ${r.seconds.toFixed(0)} s; ${r.parameters.toLocaleString('en')} UNet parameters)`,
    ...(r.autoencoder
      ? [
          `  autoencoder: ${r.autoencoder.parameters.toLocaleString('en')} parameters, ${r.autoencoder.steps} steps, reconstruction L1 ${r.autoencoder.reconstruction.toFixed(4)}, latent scale ${r.autoencoder.scaleFactor.toFixed(3)}`,
        ]
      : []),
    `  last loss: L_simple ${r.losses.loss.toFixed(4)}`,
    `  checkpoint and sample grids: ${r.folder}`,
    ...(r.pseudoRun ? [`  conditions from pseudo run ${r.pseudoRun}`] : []),
  ].join('\n');
