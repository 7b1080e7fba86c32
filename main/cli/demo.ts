/**
 * `lafite demo`: Lafite2's language-free pipeline end to end on the built-in ShapesWorld domain,
 * in one command on a fresh install: draw the pictures, import and embed them with
 * shapes-clip, synthesise pseudo text features (Gaussian, retrieval, CLO), fine-tune the
 * built-in pre-trained generator `shapes-pretrained` (or, with --from-scratch or without one,
 * train the `shapes` preset from noise) on the CLO features for a time budget, evaluate it on
 * held-out prompts, draw the report's prompts, and write an HTML report. The run stays in the
 * data folder, so the app shows it (Training, Playground, Runs).
 *
 * `--family diffusion` does the same with the diffusion model (issue 16): its `shapes` preset
 * from noise (no diffusion run ships), sampled with DDIM and guidance. When the other family
 * has a demo run on the same dataset, the report compares both on the same prompts
 * (demo-compare.ts).
 *
 * @example
 *   lafite demo --quick                 # about a minute of training
 *   lafite demo --minutes 30 --out ~/lafite-report
 *   lafite demo --quick --family diffusion   # then the report compares it with the GAN's
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { TRAIN_FAMILIES, type EvaluationRecord, type PseudoRunRecord, type TrainFamily } from '../contract/index.ts';
import type { Service } from '../api/service.ts';
import { integer, number, type CliContext } from './context.ts';
import { drawPrompts, otherFamilyRun, otherSide } from './demo-compare.ts';
import { writeDemoReport, type DemoReport } from './demo-report.ts';
import { printResult } from './output.ts';
import { parseDiffusionSampling, ShapesPipeline } from './shapes-pipeline.ts';
import { SHAPES_PRETRAINED_ID } from '../api/builtin-runs.ts';
import { picturesDir } from '../store/paths.ts';

/** Prompts of the report and of the run's sample grids: held-out combinations of every shape and color. */
export const DEMO_PROMPTS = [
  'a red circle',
  'a green square',
  'a blue triangle',
  'a yellow star',
  'two purple hearts',
  'an orange cross',
  'three white circles',
  'a black square',
] as const;

interface DemoOptions {
  quick: boolean;
  minutes?: number;
  images?: number;
  evalImages?: number;
  folder?: string;
  out?: string;
  seed: number;
  /** Train from noise even when the pre-trained generator ships. */
  fromScratch: boolean;
  /** The model family: the conditional StyleGAN2 or the diffusion UNet. */
  family: TrainFamily;
  /** The diffusion model's DDIM steps and guidance scale when it is evaluated and draws. */
  diffusionSteps: number;
  guidance: number;
}

/** The pre-trained run of each family that ships with the app (none for the diffusion model yet: it trains from noise). */
const BUILTIN_PRETRAINED: Partial<Record<TrainFamily, string>> = { gan: SHAPES_PRETRAINED_ID };

/** How big the demo is: the full one trains about 10 minutes on a laptop CPU, the quick one about 1. */
const PLANS = {
  full: { dataset: 'shapes-demo', images: 2000, minutes: 10, evalImages: 300, sampleEvery: 50, checkpointEvery: 100 },
  quick: { dataset: 'shapes-demo-quick', images: 400, minutes: 1, evalImages: 100, sampleEvery: 10, checkpointEvery: 25 },
} as const;

export interface DemoResult {
  family: TrainFamily;
  dataset: string;
  /** Where the dataset's pictures were drawn. */
  pictures: string;
  run: string;
  steps: number;
  evaluation: EvaluationRecord;
  report: string;
  /** The other family's run the report compares with (the same dataset, prompts and seeds); null when it has none. */
  comparedWith: string | null;
  stages: { stage: string; seconds: number }[];
  seconds: number;
}

const formatDemo = (r: DemoResult): string =>
  [
    `demo done in ${(r.seconds / 60).toFixed(1)} min: ${r.family} run ${r.run} trained ${r.steps} steps on '${r.dataset}'`,
    ...Object.entries(r.evaluation.metrics).map(([name, value]) => `  ${name.padEnd(18)} ${value.toFixed(4)}`),
    `pictures: ${r.pictures}`,
    `report: ${r.report}${r.comparedWith ? ` (compared with run ${r.comparedWith} of the other family)` : ''}`,
    `the run is in the app (Training, Playground, Runs), or: lafite generate --run ${r.run} --prompt "a red circle"`,
  ].join('\n');

/** The retrieval and CLO runs' first pseudo captions, with the picture they describe. */
async function captionExamples(service: Service, dataset: string, runs: readonly PseudoRunRecord[]): Promise<DemoReport['captions']> {
  const retrieval = runs.find((run) => run.method === 'retrieval');
  if (!retrieval) return [];
  const page = await service.call('pseudo.captions', { run: retrieval.id, limit: 8 });
  const thumbs = await service.call('datasets.thumbnails', { dataset, ids: page.images.map((image) => image.id), size: 'crop' });
  return page.images.map((image) => ({
    image: thumbs.find((thumb) => thumb.id === image.id)?.url ?? '',
    file: image.path,
    prompts: image.captions.filter((caption) => caption.prompt !== null).map((caption) => ({ prompt: caption.prompt!, score: caption.score })),
  }));
}

/** The family's built-in pre-trained ShapesWorld generator, when this install ships one (the demo fine-tunes it rather than starting from noise). */
async function pretrainedRun(service: Service, family: TrainFamily): Promise<{ run: string; steps: number } | undefined> {
  const id = BUILTIN_PRETRAINED[family];
  if (id === undefined) return undefined;
  const runs = await service.call('runs.list', { limit: 1000 });
  const builtin = runs.find((r) => r.id === id && r.family === family && r.hasCheckpoint && r.preset === 'shapes');
  return builtin ? { run: builtin.id, steps: builtin.step } : undefined;
}

async function runDemo(service: Service, cli: CliContext, options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const plan = { ...PLANS[options.quick ? 'quick' : 'full'] };
  const family = options.family;
  const sampling = parseDiffusionSampling(options);
  const own = family === 'diffusion' ? sampling : null; // how this run samples
  const info = await service.call('info', {});
  const images = options.images ?? plan.images;
  const minutes = options.minutes ?? plan.minutes;
  const evalImages = options.evalImages ?? plan.evalImages;
  const folder = resolve(options.folder ?? join(picturesDir(info.dataDir), plan.dataset));
  process.stderr.write(`pictures: ${folder}\n`);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const pipeline = new ShapesPipeline(service, cli.output(), log);

  await pipeline.dataset({ name: plan.dataset, images, folder, seed: options.seed });
  await pipeline.embed(plan.dataset);
  const pseudo = await pipeline.synthesize(plan.dataset);
  const init = options.fromScratch ? undefined : await pretrainedRun(service, family);
  const what = init ? `fine-tuning ${init.run} on` : family === 'diffusion' ? 'training the diffusion model’s shapes preset on' : 'training the shapes preset on';
  const { run, result } = await pipeline.train(
    `${what} CLO pseudo text features for ${minutes} min (${info.backend})`,
    {
      ...(init ? { init: init.run } : {}),
      dataset: plan.dataset,
      pseudo: 'clo',
      subset: 'train', // the validation split's captions are the evaluation's prompts
      steps: 1_000_000,
      minutes,
      seed: options.seed,
      samplePrompts: [...DEMO_PROMPTS],
      // A diffusion grid denoises every picture: fewer grids, with the report's sampling.
      sampleEvery: family === 'diffusion' ? plan.sampleEvery * 4 : plan.sampleEvery,
      checkpointEvery: plan.checkpointEvery,
      ...(own ? { sampleSteps: own.steps, sampleGuidance: own.guidance } : {}),
    },
    family,
  );
  const evaluation = await pipeline.evaluate(run, evalImages, options.seed, own ?? undefined);
  const out = resolve(options.out ?? join(info.dataDir, 'reports', `demo-${run.slice(0, 8)}`));
  await mkdir(out, { recursive: true });
  const prompts = await drawPrompts(pipeline, run, DEMO_PROMPTS, join(out, 'images'), options.seed, own);

  // The other family's demo run on the same data, if there is one: the same prompts and seeds, side by side.
  const other = await otherFamilyRun(service, plan.dataset, family);
  const compared = other ? await otherSide(service, pipeline, other, { prompts: DEMO_PROMPTS, n: evalImages, seed: options.seed, sampling, out }) : null;

  const detail = await service.call('runs.get', { id: run, maxPoints: 400 });
  const steps = detail.sampleSteps.filter((_, i, all) => i === 0 || i === all.length - 1 || i % Math.max(1, Math.floor(all.length / 4)) === 0);
  const grids = await Promise.all(steps.map((step) => service.call('runs.sample', { id: run, step })));
  const report = join(out, 'index.html');
  await writeFile(
    report,
    await writeDemoReport({
      title: `Lafite Studio demo: ShapesWorld, ${family === 'diffusion' ? 'diffusion ' : ''}run ${run.slice(0, 8)}`,
      createdAt: new Date().toISOString(),
      backend: result.backend,
      family,
      sampling: own,
      dataset: { name: plan.dataset, images, folder },
      training: { run, steps: result.steps, minutes, imagesPerSecond: result.imagesPerSecond, pseudo: 'clo', ...(init ? { init } : {}) },
      pseudoRuns: pseudo.runs.map((r) => ({ method: r.method, summary: r.summary, imageText: r.stats?.imageText.mean ?? null, textText: r.stats?.textText.mean ?? null })),
      captions: await captionExamples(service, plan.dataset, pseudo.runs),
      evaluation,
      prompts,
      grids: grids.map((grid) => ({ step: grid.step, png: `data:image/png;base64,${grid.png}`, labels: grid.labels })),
      losses: detail.metrics,
      stages: pipeline.times,
      comparison: compared ? { own: { family, run, steps: result.steps, minutes, init: init?.run ?? null, sampling: own, evaluation, prompts }, other: compared } : null,
    }),
  );
  return {
    family,
    dataset: plan.dataset,
    pictures: folder,
    run,
    steps: result.steps,
    evaluation,
    report,
    comparedWith: compared?.run ?? null,
    stages: pipeline.times,
    seconds: (performance.now() - started) / 1000,
  };
}

export function registerDemoCommand(program: Command, cli: CliContext): void {
  program
    .command('demo')
    .description(
      'the whole pipeline on the built-in ShapesWorld domain: draw and import pictures, embed them, pseudo text features (retrieval + CLO), fine-tune the built-in pre-trained generator (shapes-pretrained) about 10 minutes, evaluate, and write an HTML report; --family diffusion trains the diffusion model instead, and the report then compares both families on the same prompts',
    )
    .option('--quick', 'a small dataset and about 1 minute of training', false)
    .option('--minutes <m>', 'training time budget (default 10, or 1 with --quick)', number)
    .option('--images <n>', 'pictures to draw (default 2000, or 400 with --quick)', integer)
    .option('--eval-images <n>', 'held-out prompts to evaluate on (default 300, or 100 with --quick)', integer)
    .option('--folder <dir>', 'where the pictures are drawn (default: DATA/pictures/DATASET, inside the data folder)')
    .option('--out <dir>', 'report folder (default: DATA/reports/demo-RUN)')
    .option('--seed <n>', 'seed of the pictures, the features and training', integer, 0)
    .option('--from-scratch', 'train from noise instead of fine-tuning the built-in pre-trained generator (shapes-pretrained)', false)
    .addOption(
      new Option(
        '--family <family>',
        'model family: gan (fine-tunes shapes-pretrained) or diffusion (the diffusion model’s shapes preset, from noise: no diffusion run ships); when the other family has a demo run on the same data, the report compares the two on the same prompts',
      )
        .choices(TRAIN_FAMILIES)
        .default('gan'),
    )
    .option('--diffusion-steps <n>', 'diffusion runs: DDIM steps (η 0) when they are evaluated and draw the report’s pictures', integer, 25)
    .option('--guidance <s>', 'diffusion runs: classifier-free guidance scale when they are evaluated and draw', number, 3)
    .action(cli.withService(async (service, options: DemoOptions) => printResult(await runDemo(service, cli, options), cli.output(), formatDemo)));
}
