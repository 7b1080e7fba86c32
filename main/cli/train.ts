/**
 * `lafite train` and `lafite generate`: Lafite's conditional StyleGAN2 on a dataset, and
 * images from a trained run for a prompt. Thin over the `gan-train` and `gan-generate` jobs.
 *
 * @example
 *   lafite train --dataset shapes --preset shapes --pseudo gaussian --steps 2000
 *   lafite generate --run 3f2a… --prompt "two red circles" --n 4 --seed 1 --out ./out
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { TRAIN_CONDITIONS, type TrainResult } from '../api/contract.ts';
import { invalidInput } from '../api/errors.ts';
import { integer, number, type CliContext } from './context.ts';
import { printResult } from './output.ts';

interface TrainOptions {
  dataset: string;
  model: string;
  preset: string;
  pseudo: string;
  xi: number;
  steps: number;
  batchSize: number;
  lr: number;
  conG: boolean;
  checkpointEvery: number;
  sampleEvery: number;
  seed: number;
  resume?: string;
}

const formatTrain = (r: TrainResult): string =>
  [
    `trained ${r.steps} steps on ${r.images} images (${r.backend}, ${r.imagesPerSecond.toFixed(1)} images/s, ${r.seconds.toFixed(0)} s)`,
    `  last losses: L_D ${r.losses.dLoss.toFixed(3)}, L_G ${r.losses.gLoss.toFixed(3)}, ConD ${r.losses.conDReal.toFixed(3)}, ConG ${r.losses.conG.toFixed(3)}`,
    `  checkpoint and sample grids: ${r.folder}`,
  ].join('\n');

export function registerTrainCommands(program: Command, cli: CliContext): void {
  const { withService, runJob, output } = cli;
  program
    .command('train')
    .description('train the text-to-image generator on a dataset (language-free on pseudo text features, or on captions), as a job: Ctrl+C cancels, --resume continues from the last checkpoint')
    .option('--dataset <name>', 'the dataset')
    .option('--model <id>', 'CLIP encoder of the conditions and of ConG', 'shapes-clip')
    .addOption(new Option('--preset <preset>', 'network size').choices(['tiny', 'shapes', 'paper']).default('shapes'))
    .addOption(new Option('--pseudo <method>', 'conditions: pseudo text features or real captions').choices([...TRAIN_CONDITIONS]).default('gaussian'))
    .option('--xi <ξ>', 'Gaussian noise level', number, 3)
    .option('--steps <n>', 'training steps', integer, 2000)
    .option('--batch-size <n>', 'images per step', integer, 8)
    .option('--lr <rate>', 'Adam learning rate', number, 0.0025)
    .option('--no-con-g', 'leave out ConG (the CLIP image tower on generated images)')
    .option('--checkpoint-every <n>', 'steps between checkpoints', integer, 100)
    .option('--sample-every <n>', 'steps between sample grids', integer, 100)
    .option('--seed <n>', 'seed', integer, 0)
    .option('--resume <run>', 'continue an interrupted, cancelled or failed run (its job id) from its last checkpoint')
    .action(
      withService(async (service, options: TrainOptions) => {
        if (options.resume) {
          await service.call('jobs.resume', { id: options.resume });
          const { followJob } = await import('./follow.ts');
          const done = await followJob(service, options.resume, output());
          printResult(done.result as TrainResult, output(), formatTrain);
          return;
        }
        if (!options.dataset) throw invalidInput('train: say which dataset (--dataset D), or --resume RUN', 'dataset');
        const { lr, resume: _resume, ...rest } = options;
        await runJob(service, 'gan-train', { ...rest, learningRate: lr }, formatTrain);
      }),
    );
  program
    .command('generate')
    .description('draw images for a prompt from a trained run (its generator average), as PNGs')
    .requiredOption('--run <id>', 'the training run (its job id: lafite jobs list)')
    .requiredOption('--prompt <text>', 'what to draw')
    .option('--n <n>', 'how many images', integer, 4)
    .option('--seed <n>', 'seed of z and the noise', integer, 0)
    .option('--truncation <ψ>', 'truncation ψ (1: none)', number, 1)
    .requiredOption('--out <dir>', 'folder for the PNGs')
    .action(
      withService(async (service, options: { run: string; prompt: string; n: number; seed: number; truncation: number; out: string }) => {
        await runJob(service, 'gan-generate', { ...options, out: resolve(options.out) }, (r: { files: string[] }) => `${r.files.length} images:\n${r.files.map((f) => `  ${f}`).join('\n')}`);
      }),
    );
}
