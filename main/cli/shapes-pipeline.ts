/**
 * The steps `lafite demo` and `lafite ablation` share on the built-in ShapesWorld domain, each
 * one job of the API followed to its end (progress bar, Ctrl+C cancels): draw and import a
 * dataset with its true captions (used to evaluate and for few-shot pairs, never as training
 * conditions unless asked), split it, embed it, synthesise pseudo text features, train, evaluate.
 * The dataset's recipe is the one the app's demo card follows (main/contract/shapes-demo.ts).
 *
 * @example
 *   const pipeline = new ShapesPipeline(service, output, log);
 *   await pipeline.dataset({ name: 'shapes-demo', images: 2000, folder: '/tmp/lafite-demo-shapes' });
 *   const run = await pipeline.train('training', { dataset: 'shapes-demo', pseudo: 'clo', minutes: 10 });
 *   const diffusion = await pipeline.train('training', { dataset: 'shapes-demo', pseudo: 'clo', minutes: 10 }, 'diffusion');
 *   await pipeline.evaluate(diffusion.run, 100, 0, { steps: 25, guidance: 3 });
 */
import { diffusionSamplingShape, type EvaluationRecord, type JobKind, type PseudoSynthResult, type TrainFamily, type TrainResult } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { SHAPES_PICTURE_SIZE, shapesDatasetSteps } from '../contract/shapes-demo.ts';
import type { Service } from '../api/service.ts';
import { followJob } from './follow.ts';
import type { OutputOptions } from './output.ts';

/** Side of the drawn pictures (the recipe's, re-exported under its old home). */
export { SHAPES_PICTURE_SIZE };
/** The encoder of the built-in domain. */
export const SHAPES_MODEL = 'shapes-clip';

export interface DatasetPlan {
  name: string;
  images: number;
  /** Where the pictures are drawn: outside the data folder (an import refuses folders inside it). */
  folder: string;
  seed?: number;
}

export type TrainPlan = Record<string, unknown> & { dataset: string };

/** How a diffusion run is sampled when it is evaluated or draws pictures: DDIM at η = 0 with this many steps and this guidance scale. */
export interface DiffusionSampling {
  steps: number;
  guidance: number;
}

/** `--diffusion-steps` and `--guidance` of `lafite demo` and `lafite ablation`, checked as gan-eval's schema checks them (before the training, not after). */
export function parseDiffusionSampling(options: { diffusionSteps: number; guidance: number }): DiffusionSampling {
  const steps = diffusionSamplingShape.steps.safeParse(options.diffusionSteps);
  if (!steps.success) throw invalidInput(`--diffusion-steps ${options.diffusionSteps}: ${steps.error.issues[0]!.message}`, 'diffusionSteps');
  const guidance = diffusionSamplingShape.guidance.safeParse(options.guidance);
  if (!guidance.success) throw invalidInput(`--guidance ${options.guidance}: ${guidance.error.issues[0]!.message}`, 'guidance');
  return { steps: steps.data, guidance: guidance.data };
}

/** The job that trains each family. */
const TRAIN_KIND = { gan: 'gan-train', diffusion: 'diffusion-train' } as const satisfies Record<TrainFamily, JobKind>;

/** The sampling fields of a `gan-generate` or `gan-eval` input: a diffusion run's DDIM settings, nothing for a GAN. */
export const samplingFields = (sampling: DiffusionSampling | undefined): Record<string, unknown> =>
  sampling ? { sampler: 'ddim', eta: 0, steps: sampling.steps, guidance: sampling.guidance } : {};

/** One stage's name and how long it took. */
export interface StageTime {
  stage: string;
  seconds: number;
}

export class ShapesPipeline {
  readonly times: StageTime[] = [];

  constructor(
    private readonly service: Service,
    private readonly output: OutputOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts a job and waits for its end; a failed, cancelled or paused job throws (followJob). */
  async job<R>(stage: string, kind: JobKind, input: Record<string, unknown>): Promise<R> {
    this.log(`── ${stage}`);
    const started = performance.now();
    const job = await this.service.call('jobs.start', { kind, input });
    const done = await followJob(this.service, job.id, this.output);
    this.times.push({ stage, seconds: (performance.now() - started) / 1000 });
    return done.result as R;
  }

  /** The dataset with its true captions and a 10 % validation split; drawing and importing again continue where they were. */
  async dataset(plan: DatasetPlan): Promise<void> {
    const seed = plan.seed ?? 0;
    const steps = shapesDatasetSteps({ dataset: plan.name, images: plan.images, folder: plan.folder, seed });
    await this.job(`drawing ${plan.images} ShapesWorld pictures into ${plan.folder}`, steps.draw.kind, steps.draw.input);
    await this.job(`importing them as dataset '${plan.name}'`, steps.import.kind, steps.import.input);
    await this.service.call('datasets.captions', steps.captions);
    await this.service.call('datasets.split', { dataset: plan.name, val: 0.1, seed });
  }

  /** Image features of every picture (cached: a second run encodes nothing). */
  async embed(dataset: string): Promise<void> {
    await this.job(`embedding '${dataset}' with ${SHAPES_MODEL}`, 'embed', { dataset, model: SHAPES_MODEL });
  }

  /** Gaussian, retrieval (Lafite2 §3.1) and CLO (§3.2) pseudo text features. */
  async synthesize(dataset: string): Promise<PseudoSynthResult> {
    return this.job('pseudo text features: Gaussian, retrieval of words and prompts, CLO', 'pseudo-synth', { dataset, model: SHAPES_MODEL, method: 'all', vocabulary: 'shapes' });
  }

  /** A training run of either family (the `shapes` preset unless the plan names one); its id is the folder name of the result. */
  async train(stage: string, plan: TrainPlan, family: TrainFamily = 'gan'): Promise<{ run: string; result: TrainResult }> {
    const result = await this.job<TrainResult>(stage, TRAIN_KIND[family], { model: SHAPES_MODEL, preset: 'shapes', ...plan });
    return { run: result.folder.split(/[\\/]/).at(-1)!, result };
  }

  /** One picture per held-out prompt (drawn by `seed`), measured; a diffusion run samples with `sampling`. */
  async evaluate(run: string, n: number, seed = 0, sampling?: DiffusionSampling): Promise<EvaluationRecord> {
    return this.job(`evaluating run ${run.slice(0, 8)} on ${n} held-out prompts`, 'gan-eval', { run, n, seed, batchSize: 32, ...samplingFields(sampling) });
  }
}
