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
 *   lafite train --family diffusion --dataset shapes --preset shapes --steps 2000 --cond-drop 0.1
 *   lafite generate --run 7c0d… --prompt "two red circles" --steps 25 --sampler ddim --guidance 3
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  CLO_OPTIONS,
  DIFFUSION_OWN_OPTIONS,
  TRAIN_FAMILIES,
  type DiffusionTrainResult,
  GAN_TRAIN_OPTIONS,
  type EvaluationRecord,
  type GenerateResult,
  type PseudoSchedule,
  type RunDetail,
  type RunSummary,
  type TrainResult,
} from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { integer, type CliContext } from './context.ts';
import { addJobOptions, fileOption, jobInput, type OptionField, type ParsedOptions } from './job-options.ts';
import { fromPngInput, withFromPng } from './from-png.ts';
import { printResult } from './output.ts';
import { readPromptFile } from './prompt-file.ts';
import { formatBytes } from './runs.ts';
import { acceptBothFamiliesPresets, DIFFUSION_ONLY_FIELDS, diffusionInput, FAMILY_FLAG, FAMILY_HELP, familyOf, formatDiffusionTrain } from './train-family.ts';

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

/** `lafite train`'s own options, then `--resume`, then CLO's (the order of its help). */
const TRAIN_FIELDS = Object.keys(GAN_TRAIN_OPTIONS) as OptionField<'gan-train'>[];
const CLO_FIELDS = Object.keys(CLO_OPTIONS) as OptionField<'gan-train'>[];

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

/** A training job's result in words, by its family. */
const formatAnyTrain = (r: TrainResult | DiffusionTrainResult): string => ('family' in r && r.family === 'diffusion' ? formatDiffusionTrain(r) : formatTrain(r as TrainResult));

/** The diffusion options whose gan-train namesakes --help shows (the same flag, the diffusion model's own meaning and default). */
const diffusionNamesakes = (['preset', 'learningRate'] as const).map((field) => `${DIFFUSION_OWN_OPTIONS[field].flag}: ${DIFFUSION_OWN_OPTIONS[field].help}`).join('; ');

/** A run's goal: its steps, or its time budget (its steps are only a cap then), as the Training view says it. */
const stepGoal = (r: Pick<RunSummary, 'steps' | 'minutes'>): string => (r.minutes ? `${r.minutes} min budget` : String(r.steps));

const formatRuns = (runs: RunSummary[]): string =>
  runs.length === 0
    ? 'no training runs yet: lafite train --dataset D'
    : runs
        .map(
          (r) =>
            `${r.id}  ${r.status.padEnd(11)} ${r.family.padEnd(9)} ${r.dataset} ${r.preset} ${r.pseudo}  step ${r.step}/${stepGoal(r)}  ${r.backend ?? '-'}${r.last ? `  ${r.last.imagesPerSecond?.toFixed(1) ?? '?'} images/s` : ''}${r.diskBytes ? `  ${formatBytes(r.diskBytes)}` : ''}${r.name ? `  "${r.name}"` : ''}`,
        )
        .join('\n');

/** The conditions of a run in words: the method, with the pseudo run or network it trains on. */
const conditionWords = (r: RunSummary): string => `${r.pseudo}${r.pseudoRun ? ` (pseudo run ${r.pseudoRun})` : ''}${r.nn ? ` (network ${r.nn})` : ''}`;

const formatRun = (r: RunDetail): string =>
  [
    `${r.family} run ${r.id}${r.name ? ` "${r.name}"` : ''}: ${r.status}, step ${r.step} of ${stepGoal(r)}, ${r.dataset} (${r.images ?? '?'} images), preset ${r.preset}, conditions ${conditionWords(r)}${r.init ? `, fine-tuned from ${r.init}` : ''}`,
    `  backend ${r.backend ?? '-'}${r.device ? ` (${r.device})` : ''}; ${r.family === 'diffusion' ? `UNet ${r.gParams?.toLocaleString('en') ?? '?'} parameters` : `G ${r.gParams?.toLocaleString('en') ?? '?'} parameters, D ${r.dParams?.toLocaleString('en') ?? '?'}`}`,
    r.last
      ? `  last: ${Object.entries(r.last)
          .map(([name, value]) => `${name} ${value.toFixed(3)}`)
          .join(', ')}`
      : '  no step recorded yet',
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
  [
    `run ${e.run} at step ${e.step}, ${e.images} images on ${promptWords(e)}:`,
    ...Object.entries(e.metrics).map(([name, value]) => `  ${metricWords(name).padEnd(20)} ${value.toFixed(4)}`),
  ].join('\n');

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
    .action(
      withService(async (service, id: string, options: { maxPoints: number }) =>
        printResult(await service.call('runs.get', { id, maxPoints: options.maxPoints }), output(), formatRun),
      ),
    );
  const train = program
    .command('train')
    .description(
      `train the text-to-image generator on a dataset (language-free on pseudo text features, or on captions), as a job: Ctrl+C cancels, --resume continues from the last checkpoint. --family diffusion trains Lafite2’s diffusion model on the same conditions (${diffusionNamesakes})`,
    );
  train.addOption(new Option(FAMILY_FLAG, FAMILY_HELP).choices(TRAIN_FAMILIES).default('gan'));
  addJobOptions(train, 'gan-train', { fields: TRAIN_FIELDS, parsers: { schedule: parseSchedule } }).option(
    '--resume <run>',
    'continue a paused, interrupted, cancelled or failed run (its job id) from its last checkpoint',
  );
  addJobOptions(train, 'diffusion-train', { fields: DIFFUSION_ONLY_FIELDS });
  acceptBothFamiliesPresets(train);
  addJobOptions(train, 'gan-train', { fields: CLO_FIELDS }).action(
    withService(async (service, options: ParsedOptions, command: Command) => {
      const resume = typeof options.resume === 'string' ? options.resume : undefined;
      if (resume) {
        await service.call('jobs.resume', { id: resume });
        const { followJob } = await import('./follow.ts');
        const done = await followJob(service, resume, output());
        printResult(done.result as TrainResult | DiffusionTrainResult, output(), formatAnyTrain);
        return;
      }
      if (familyOf(options, command) === 'diffusion') {
        const input = diffusionInput(options, command);
        if (!input.dataset) throw invalidInput('train: say which dataset (--dataset D), or --resume RUN', 'dataset');
        await runJob(service, 'diffusion-train', input, formatDiffusionTrain);
        return;
      }
      const input = jobInput('gan-train', options);
      if (!input.dataset) throw invalidInput('train: say which dataset (--dataset D), or --resume RUN', 'dataset');
      await runJob(service, 'gan-train', input, formatTrain);
    }),
  );
  addJobOptions(
    program
      .command('eval')
      .description(
        'measure a run’s generator at a kept step, as a job: Fréchet distance of CLIP image features, CLIP score, R-precision, ShapesWorld attribute accuracy; with an Inception-v3 ONNX file also FID, FID-k and the Inception Score; stored per step for the Runs view',
      ),
    'gan-eval',
    { parsers: { blur: parseBlurList } },
  ).action(
    withService(async (service, options: ParsedOptions) => {
      const file = fileOption('gan-eval', 'prompts', options);
      const list = file !== undefined ? await readPromptFile(file) : {};
      await runJob(service, 'gan-eval', { ...jobInput('gan-eval', options), ...list }, formatEvaluation);
    }),
  );
  runs
    .command('evaluations [id]')
    .description('stored evaluations of one run, or of all runs, by step')
    .action(
      withService(async (service, id: string | undefined) =>
        printResult(await service.call('runs.evaluations', id ? { id } : {}), output(), (rows) =>
          rows.length === 0 ? 'no evaluations yet: lafite eval --run RUN' : rows.map(formatEvaluation).join('\n'),
        ),
      ),
    );
  withFromPng(
    addJobOptions(
      program
        .command('generate')
        .description(
          'draw images for a prompt (and/or an image) from a trained run of either family (the GAN’s generator average, or the diffusion model’s EMA UNet through DDIM/DDPM with guidance), as PNGs',
        ),
      'gan-generate',
    ),
  ).action(
    withService(async (service, options: ParsedOptions, command: Command) => {
      await runJob(
        service,
        'gan-generate',
        await fromPngInput(service, jobInput('gan-generate', options), options, command),
        (r: GenerateResult) => `${r.files.length} images (${r.msPerImage.toFixed(1)} ms each):\n${r.files.map((f) => `  ${f}`).join('\n')}`,
      );
    }),
  );
}
