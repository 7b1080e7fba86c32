/**
 * `lafite train` and `lafite generate`: Lafite's conditional StyleGAN2 on a dataset, and
 * images from a trained run for a prompt. Thin over the `gan-train` and `gan-generate` jobs.
 *
 * @example
 *   lafite train --dataset shapes --preset shapes --pseudo gaussian --steps 2000
 *   lafite train --dataset shapes --pseudo clo --pseudo-run 9c1e… --clo-steps 5 --clo-init retrieval
 *   lafite train --dataset shapes --pseudo nn --nn shapes-nn
 *   lafite train --dataset shapes --init 3f2a… --subset fewshot --pseudo captions --freeze-d 2 --steps 500
 *   lafite eval --run 3f2a… --prompts held-out.txt --n 300
 *   lafite generate --run 3f2a… --prompt "two red circles" --n 4 --seed 1 --out ./out
 *   lafite generate --run 3f2a… --prompt "a blue square" --image photo.png --mix 0.5
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { TRAIN_CONDITIONS, TRAIN_SUBSETS, type EvaluationRecord, type GenerateResult, type PseudoSchedule, type RunDetail, type RunSummary, type TrainResult } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { addCloOptions, type CloCliOptions } from './clo-options.ts';
import { integer, number, type CliContext } from './context.ts';
import { printResult } from './output.ts';
import { readPromptFile } from './prompt-file.ts';

interface TrainOptions extends CloCliOptions {
  dataset: string;
  pseudoRun?: string;
  nn?: string;
  samplePrompt?: string[];
  schedule?: PseudoSchedule;
  captionShare: number;
  subset: string;
  init?: string;
  freezeD: number;
  styleMixing: number;
  plWeight: number;
  contrastiveForm: string;
  semanticForm: string;
  condition?: string;
  model: string;
  preset: string;
  pseudo: string;
  xi: number;
  steps: number;
  minutes?: number;
  batchSize: number;
  accumulate: number;
  lr: number;
  conG: boolean;
  checkpointEvery: number;
  sampleEvery: number;
  seed: number;
  resume?: string;
}

/**
 * `--schedule linear:START:END[:FINAL]` (the retrieval share rises from 0 to FINAL, default 1)
 * or `steps:STEP=SHARE,STEP=SHARE…`.
 */
export function parseSchedule(text: string): PseudoSchedule {
  const [kind, ...rest] = text.split(':');
  if (kind === 'linear' && (rest.length === 2 || rest.length === 3) && rest.every((part) => /^\d+(\.\d+)?$/.test(part))) {
    const [startStep, endStep, finalShare] = rest.map(Number) as [number, number, number | undefined];
    return { kind: 'linear', startStep, endStep, ...(finalShare !== undefined ? { finalShare } : {}) };
  }
  if (kind === 'steps' && rest.length === 1) {
    const points = rest[0]!.split(',').map((pair) => pair.split('='));
    if (points.every((p) => p.length === 2 && /^\d+$/.test(p[0]!) && /^\d+(\.\d+)?$/.test(p[1]!))) {
      return { kind: 'steps', points: points.map(([atStep, share]) => ({ atStep: Number(atStep), share: Number(share) })) };
    }
  }
  throw invalidInput(`--schedule '${text}': write linear:START:END[:FINAL] or steps:STEP=SHARE,STEP=SHARE`, 'schedule');
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `--blur 1,2,4,8`: FID-k radii. */
function parseBlurList(text: string): number[] {
  const radii = text.split(',').map((part) => Number(part.trim()));
  if (text.trim() === '' || !radii.every((k) => Number.isInteger(k) && k >= 1 && k <= 32)) {
    throw new InvalidArgumentError('write blur radii as whole numbers from 1 to 32, separated by commas (e.g. 1,2,4,8)');
  }
  return radii;
}

const formatTrain = (r: TrainResult): string =>
  [
    `trained ${r.steps} steps on ${r.images} images (${r.backend}, ${r.imagesPerSecond.toFixed(1)} images/s, ${r.seconds.toFixed(0)} s)`,
    `  last losses: L_D ${r.losses.dLoss.toFixed(3)}, L_G ${r.losses.gLoss.toFixed(3)}, ConD ${r.losses.conDReal.toFixed(3)}, ConG ${r.losses.conG.toFixed(3)}`,
    `  checkpoint and sample grids: ${r.folder}`,
    ...(r.pseudoRun ? [`  conditions from pseudo run ${r.pseudoRun}`] : []),
  ].join('\n');

const formatRuns = (runs: RunSummary[]): string =>
  runs.length === 0
    ? 'no training runs yet: lafite train --dataset D'
    : runs.map((r) => `${r.id}  ${r.status.padEnd(11)} ${r.dataset} ${r.preset} ${r.pseudo}  step ${r.step}/${r.steps}  ${r.backend ?? '-'}${r.last ? `  ${r.last.imagesPerSecond?.toFixed(1) ?? '?'} images/s` : ''}`).join('\n');

/** The conditions of a run in words: the method, with the pseudo run or network it trains on. */
const conditionWords = (r: RunSummary): string => `${r.pseudo}${r.pseudoRun ? ` (pseudo run ${r.pseudoRun})` : ''}${r.nn ? ` (network ${r.nn})` : ''}`;

const formatRun = (r: RunDetail): string =>
  [
    `run ${r.id}: ${r.status}, step ${r.step} of ${r.steps}, ${r.dataset} (${r.images ?? '?'} images), preset ${r.preset}, conditions ${conditionWords(r)}${r.init ? `, fine-tuned from ${r.init}` : ''}`,
    `  backend ${r.backend ?? '-'}${r.device ? ` (${r.device})` : ''}; G ${r.gParams?.toLocaleString('en') ?? '?'} parameters, D ${r.dParams?.toLocaleString('en') ?? '?'}`,
    r.last ? `  last: ${Object.entries(r.last).map(([name, value]) => `${name} ${value.toFixed(3)}`).join(', ')}` : '  no step recorded yet',
    `  sample grids at steps: ${r.sampleSteps.join(', ') || 'none yet'}${r.hasCheckpoint ? '' : '; no checkpoint yet'}`,
    `  generators kept at steps: ${r.snapshotSteps.join(', ') || 'none yet'}`,
    ...(r.error ? [`  error: ${r.error.message}`] : []),
  ].join('\n');

const METRIC_WORDS: Record<string, string> = {
  fdClip: 'FD (CLIP features)',
  clipScore: 'CLIP score',
  rPrecision: 'R-precision',
  shapeAccuracy: 'shape accuracy',
  colorAccuracy: 'color accuracy',
  countAccuracy: 'count accuracy',
  attributeAccuracy: 'all three',
  fid: 'FID (Inception)',
  inceptionScore: 'Inception Score',
  inceptionScoreStd: 'Inception Score std',
};

/** A metric's words: FID-k (`fid4`) by its radius, the others from METRIC_WORDS. */
const metricWords = (name: string): string => METRIC_WORDS[name] ?? (/^fid\d+$/.test(name) ? `FID-${name.slice(3)} (blurred)` : name);
const promptWords = (e: EvaluationRecord): string => (e.prompts ? `${e.prompts.count} prompts of ${e.prompts.file ?? 'a given list'}` : 'the dataset’s captions');
const formatEvaluation = (e: EvaluationRecord): string =>
  [`run ${e.run} at step ${e.step}, ${e.images} images on ${promptWords(e)}:`, ...Object.entries(e.metrics).map(([name, value]) => `  ${metricWords(name).padEnd(20)} ${value.toFixed(4)}`)].join('\n');

export function registerTrainCommands(program: Command, cli: CliContext): void {
  const { withService, runJob, output } = cli;
  const runs = program.command('runs').description('training runs: their losses, backend and sample grids');
  runs
    .command('list')
    .description('training runs, newest first')
    .option('--limit <n>', 'how many', integer, 100)
    .action(withService(async (service, options: { limit: number }) => printResult(await service.call('runs.list', options), output(), formatRuns)));
  runs
    .command('show <id>')
    .description('one run: configuration, backend, losses per step (with --json), sample grids')
    .option('--max-points <n>', 'at most this many loss rows (groups of steps averaged)', integer, 1000)
    .action(withService(async (service, id: string, options: { maxPoints: number }) => printResult(await service.call('runs.get', { id, maxPoints: options.maxPoints }), output(), formatRun)));
  const train = program
    .command('train')
    .description('train the text-to-image generator on a dataset (language-free on pseudo text features, or on captions), as a job: Ctrl+C cancels, --resume continues from the last checkpoint')
    .option('--dataset <name>', 'the dataset')
    .option('--model <id>', 'CLIP encoder of the conditions and of ConG', 'shapes-clip')
    .addOption(new Option('--preset <preset>', 'network size: tiny 16 px (tests), shapes 32 px (ShapesWorld on a CPU), shapes64 64 px (ShapesWorld, shapes large enough to tell apart; about half the speed), paper 256 px (GPU)').choices(['tiny', 'shapes', 'shapes64', 'paper']).default('shapes'))
    .addOption(new Option('--pseudo <method>', 'conditions: pseudo text features (gaussian, nn, retrieval, clo) or real captions').choices([...TRAIN_CONDITIONS]).default('gaussian'))
    .option('--pseudo-run <id>', 'with --pseudo retrieval or clo: the retrieval run of this dataset to train on (lafite pseudo stats lists them; default: the newest); each step draws one of an image’s top-m prompts')
    .option('--nn <name>', 'with --pseudo nn: the trained perturbation network (lafite pseudo train-nn), fresh noise every batch')
    .option('--xi <ξ>', 'Gaussian noise level', number, 3)
    .option('--steps <n>', 'training steps', integer, 2000)
    .option('--minutes <m>', 'time budget: stop after this many minutes (with a checkpoint), even before --steps', number)
    .option('--batch-size <n>', 'images per step', integer, 8)
    .option('--accumulate <n>', 'gradient accumulation: run each step’s batch in n micro-batches, their gradients summed (less GPU memory for the same batch; docs/BENCHMARKS.md has the memory plan)', integer, 1)
    .option('--lr <rate>', 'Adam learning rate', number, 0.0025)
    .option('--no-con-g', 'leave out ConG (the CLIP image tower on generated images)')
    .option('--checkpoint-every <n>', 'steps between checkpoints', integer, 100)
    .option('--sample-every <n>', 'steps between sample grids', integer, 100)
    .option('--seed <n>', 'seed', integer, 0)
    .option('--sample-prompt <text>', 'a prompt of the sample grids (repeat for more; default: the conditions of 8 training images)', collect)
    .option('--schedule <spec>', 'with --pseudo retrieval or clo: bring them in over the steps, Gaussian before (linear:START:END[:FINAL] or steps:STEP=SHARE,…)', parseSchedule)
    .option('--caption-share <p>', 'semi-supervised: the chance that a captioned image is conditioned on its caption', number, 0)
    .addOption(new Option('--subset <subset>', 'the images to train on: all, the training split, or the few-shot pairs').choices([...TRAIN_SUBSETS]).default('all'))
    .option('--init <run>', 'fine-tune: start from this run’s networks (same preset and model)')
    .option('--freeze-d <k>', 'Freeze-D: leave the first k discriminator blocks untrained', integer, 0)
    .option('--style-mixing <p>', 'style mixing probability (StyleGAN2; Lafite’s configuration: 0.9)', number, 0.9)
    .option('--pl-weight <w>', 'path-length regularisation weight, lazily every 4 steps (StyleGAN2: 2; 0 turns it off)', number, 2)
    .addOption(new Option('--contrastive-form <form>', 'ConD/ConG as the paper writes them, or the official code’s double exponential').choices(['paper', 'official']).default('paper'))
    .addOption(new Option('--semantic-form <form>', 'D’s text term ⟨h, f_s(x)⟩ per sample (paper) or summed over the batch (official code)').choices(['paper', 'official']).default('paper'))
    .addOption(new Option('--condition <form>', 'how h enters each style: the paper’s u = A′([A(w), c]) or the official u = A([w, c])').choices(['paper', 'official']))
    .option('--resume <run>', 'continue a paused, interrupted, cancelled or failed run (its job id) from its last checkpoint');
  addCloOptions(train).action(
      withService(async (service, options: TrainOptions) => {
        if (options.resume) {
          await service.call('jobs.resume', { id: options.resume });
          const { followJob } = await import('./follow.ts');
          const done = await followJob(service, options.resume, output());
          printResult(done.result as TrainResult, output(), formatTrain);
          return;
        }
        if (!options.dataset) throw invalidInput('train: say which dataset (--dataset D), or --resume RUN', 'dataset');
        const { lr, resume: _resume, samplePrompt, ...rest } = options;
        await runJob(service, 'gan-train', { ...rest, learningRate: lr, ...(samplePrompt ? { samplePrompts: samplePrompt } : {}) }, formatTrain);
      }),
    );
  program
    .command('eval')
    .description('measure a run’s generator at a kept step, as a job: Fréchet distance of CLIP image features, CLIP score, R-precision, ShapesWorld attribute accuracy; with an Inception-v3 ONNX file also FID, FID-k and the Inception Score; stored per step for the Runs view')
    .requiredOption('--run <id>', 'the training run')
    .option('--step <n>', 'a kept step (lafite runs show RUN; default: the latest)', integer)
    .option('--n <n>', 'images: one per prompt drawn from the dataset’s captions (validation split first); with --prompts each prompt ⌈n / prompts⌉ times', integer, 500)
    .option('--prompts <file>', 'evaluate on these prompts (one a line; blank lines ignored) instead of the dataset’s captions')
    .option('--seed <n>', 'seed of the prompts, z and the noise', integer, 0)
    .option('--truncation <ψ>', 'truncation ψ (1: none)', number, 1)
    .option('--batch-size <n>', 'images per generator call', integer, 32)
    .option('--inception <file>', 'Inception-v3 ONNX file for FID and the Inception Score (default: DATA/models/inception/inception-v3.onnx when installed)')
    .option('--blur <list>', 'FID-k: blur radii in pixels, e.g. 1,2,4,8 (needs Inception)', parseBlurList)
    .action(
      withService(async (service, options: { run: string; step?: number; n: number; seed: number; truncation: number; batchSize: number; inception?: string; blur?: number[]; prompts?: string }) => {
        const { inception, prompts, ...rest } = options;
        const list = prompts !== undefined ? await readPromptFile(prompts) : {};
        await runJob(service, 'gan-eval', { ...rest, ...list, ...(inception ? { inception: resolve(inception) } : {}) }, formatEvaluation);
      }),
    );
  runs
    .command('evaluations [id]')
    .description('stored evaluations of one run, or of all runs, by step')
    .action(
      withService(async (service, id: string | undefined) =>
        printResult(await service.call('runs.evaluations', id ? { id } : {}), output(), (rows) => (rows.length === 0 ? 'no evaluations yet: lafite eval --run RUN' : rows.map(formatEvaluation).join('\n'))),
      ),
    );
  program
    .command('generate')
    .description('draw images for a prompt (and/or an image) from a trained run (its generator average), as PNGs')
    .requiredOption('--run <id>', 'the training run (its job id: lafite jobs list)')
    .option('--prompt <text>', 'what to draw')
    .option('--image <file>', 'an image to mix with the prompt (Lafite Figure 6), or to draw alone')
    .option('--mix <share>', 'with --image: its share of the condition, 0 (prompt only) to 1 (image only)', number, 0.5)
    .option('--step <n>', 'a past checkpoint’s generator (lafite runs show RUN lists them; default: the latest)', integer)
    .option('--n <n>', 'how many images', integer, 4)
    .option('--seed <n>', 'seed of z and the noise', integer, 0)
    .option('--truncation <ψ>', 'truncation ψ (1: none)', number, 1)
    .option('--out <dir>', 'folder for the PNGs (default: the run’s generated/ folder in the data folder)')
    .action(
      withService(async (service, options: { run: string; step?: number; prompt?: string; image?: string; mix: number; n: number; seed: number; truncation: number; out?: string }) => {
        const input = { ...options, ...(options.out ? { out: resolve(options.out) } : {}), ...(options.image ? { image: resolve(options.image) } : {}) };
        await runJob(service, 'gan-generate', input, (r: GenerateResult) => `${r.files.length} images (${r.msPerImage.toFixed(1)} ms each):\n${r.files.map((f) => `  ${f}`).join('\n')}`);
      }),
    );
}
