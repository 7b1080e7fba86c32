/**
 * What every training job does whatever the model family, around the engine's shared loop
 * (engine/training-loop.ts): open the stores, load the images at the family's resolution and
 * their conditions (jobs/train-conditions.ts: any pseudo method or schedule, captions,
 * semi-supervised), make the run's folders and the sample grid's fixed conditions, resume from
 * the run's checkpoint or fine-tune from another run's, record the attempt (backend, sizes),
 * run a family's preparation if it has one (the latent diffusion model's autoencoder phase, with
 * the job's stop and its share of the progress), run the loop with the job's stop and progress,
 * and store each step's losses. A family (a job kind) says how to build its trainer and how its
 * losses read: `gan-train` and `diffusion-train` are the two such adapters
 * (jobs/kinds/gan-train.ts, jobs/kinds/diffusion-train.ts).
 *
 * @example
 *   return trainRun(input, job, backend, { kind: 'diffusion-train', resolution: 32, build, metrics, message, compatible });
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendStatus, JobProgress } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { l2Normalise } from '../engine/normalise.ts';
import { mulberry32 } from '../engine/random.ts';
import { gatherRows } from '../engine/rows.ts';
import { runTrainingLoop, type FamilyTrainer, type LoopResult } from '../engine/training-loop.ts';
import { DatasetStore } from '../store/datasets.ts';
import { openDatabase } from '../store/db.ts';
import { EmbeddingStore } from '../store/embeddings.ts';
import { JobStore } from '../store/jobs.ts';
import { ModelStore } from '../store/models.ts';
import { PseudoStore } from '../store/pseudo.ts';
import { RunStore } from '../store/runs.ts';
import { CachedEncoder } from './dataset-features.ts';
import type { JobContext, JobInput } from './job-kind.ts';
import { checkpointFile, runFolder, sampleLabelsFile, SAMPLES_FOLDER, SNAPSHOTS_FOLDER } from './run-files.ts';
import { conditionsFor, type TrainConditions } from './train-conditions.ts';
import { loadTrainingImages, type TrainingImages } from './training-data.ts';

/** The fields of a training input this file reads: both families have them. */
export type CommonTrainInput = Pick<
  JobInput<'gan-train'>,
  | 'dataset'
  | 'model'
  | 'pseudo'
  | 'pseudoRun'
  | 'nn'
  | 'xi'
  | 'seed'
  | 'schedule'
  | 'captionShare'
  | 'cloSteps'
  | 'cloStepSize'
  | 'cloTau'
  | 'cloInit'
  | 'steps'
  | 'minutes'
  | 'batchSize'
  | 'checkpointEvery'
  | 'sampleEvery'
  | 'samplePrompts'
  | 'subset'
  | 'init'
> & { preset: string };

/** A family's trainer as a job drives it: the loop's three calls, resume and fine-tune. */
export interface ResumableTrainer<Losses> extends FamilyTrainer<Losses> {
  resume(file: string): Promise<number>;
  initFrom(file: string): Promise<void>;
}

/** The sample grid's fixed conditions: the prompts (each twice), or the first 8 training images' conditions. */
export interface SampleConditions {
  labels: string[];
  columns: number;
  h: tf.Tensor2D;
}

/** What a family is handed to build its trainer. */
export interface TrainContext {
  data: TrainingImages;
  conditions: TrainConditions;
  folder: string;
  /** The encoder's model folder (its ONNX files: the GAN's ConG loads the image tower from it). */
  modelPath: string;
  samples: SampleConditions;
  /** A step's seeded draw of training rows: pixels in [−1, 1] and their conditions (the trainer disposes them). */
  batch(step: number): { reals: tf.Tensor4D; h: tf.Tensor2D };
  /** A step's seeded draw of pixels alone, from a stream of its own (a latent diffusion run's autoencoder phase). */
  images(step: number): tf.Tensor4D;
  /** Records the step a resume can start from (call after each checkpoint). */
  saved(step: number): void;
}

/** What a phase before the main loop is handed: the job's stop and its progress (as a share of the whole run). */
export interface PhaseHooks {
  stopRequested(): boolean;
  /** Throws the stop (a cancel or pause), once the phase saved what it did. */
  stop(): never;
  /** The phase's own progress: its fraction (0 to 1) is scaled to its share of the run. */
  progress(progress: JobProgress): void;
  /** The phase's part of the run's time budget (`--minutes` times its share), when the run has one. */
  minutes?: number;
}

/** Work a family does before the main loop (the latent diffusion model's autoencoder), resumable on its own. */
export interface TrainPreparation {
  /** The share of the run's progress it takes (0 to 1); the main loop's fraction fills the rest. */
  share: number;
  run(hooks: PhaseHooks): Promise<void>;
}

/** A job kind's side: how its trainer is built and how its losses read. */
export interface TrainFamily<I extends CommonTrainInput, Losses> {
  kind: 'gan-train' | 'diffusion-train';
  resolution: number;
  build(context: TrainContext): Promise<{ trainer: ResumableTrainer<Losses>; parameters: { g: number; d: number | null }; prepare?: TrainPreparation; dispose(): void }>;
  /** A step's losses as a row of metrics (images/s is added). */
  metrics(losses: Losses): Record<string, number>;
  /** The metrics a progress event carries, when not all of `metrics` (images/s is added). */
  progressMetrics?(losses: Losses): Record<string, number>;
  /** A step's losses in words, for the progress line. */
  message(losses: Losses): string;
  /** Why `trained` (the init run's input) cannot be fine-tuned into `input`, or undefined when it can. */
  incompatible(trained: I, input: I): string | undefined;
}

/** What the loop reached, for the job's result. */
export interface TrainOutcome<Losses> {
  loop: LoopResult<Losses>;
  images: number;
  folder: string;
  pseudoRun: string | null;
  parameters: { g: number; d: number | null };
}

/** Fine-tuning (Lafite §4.3, few-shot): the checkpoint of another run of the same family, network and encoder. */
function initCheckpoint<I extends CommonTrainInput>(input: I, family: TrainFamily<I, unknown>, jobs: JobStore, dataDir: string): string | undefined {
  if (!input.init) return undefined;
  const source = jobs.get(input.init);
  if (!source || source.kind !== family.kind) throw invalidInput(`no ${family.kind} run '${input.init}' to fine-tune from: see the Training view or \`lafite runs list\``, 'init');
  const problem = family.incompatible(source.input as I, input);
  if (problem) throw invalidInput(problem, 'init');
  const file = checkpointFile(runFolder(dataDir, input.init));
  if (!existsSync(file)) throw invalidInput(`run ${input.init} has no checkpoint yet`, 'init');
  return file;
}

async function sampleConditions(input: CommonTrainInput, data: TrainingImages, conditions: TrainConditions, encoder: CachedEncoder): Promise<SampleConditions> {
  if (input.samplePrompts && input.samplePrompts.length > 0) {
    const prompts = input.samplePrompts;
    const text = await encoder.texts(prompts);
    const h = tf.tidy(() => tf.tile(l2Normalise(tf.tensor2d(text.data, [prompts.length, text.dim])), [2, 1]) as tf.Tensor2D); // h = n(f_txt(prompt)), two seeds each
    return { labels: prompts, columns: prompts.length, h };
  }
  const picked = conditions.rows.slice(0, Math.min(8, conditions.rows.length));
  return { labels: picked.map((row) => data.paths[row]!), columns: picked.length, h: conditions.h(picked, 0) };
}

/** The images of a step: a seeded draw of the training rows (the GAN's draw), their pixels and conditions. */
function batchesOf(input: CommonTrainInput, data: TrainingImages, conditions: TrainConditions) {
  const { rows, h } = conditions;
  const side = data.resolution * data.resolution * 3;
  return (step: number) => {
    const rng = mulberry32(input.seed * 1_000_003 + step);
    const batch = Array.from({ length: Math.min(input.batchSize, rows.length) }, () => rows[Math.floor(rng() * rows.length)]!);
    return { reals: gatherRows(data.pixels, side, batch, [data.resolution, data.resolution, 3]) as tf.Tensor4D, h: h(batch, step) };
  };
}

/** A step's pixels alone: the batch's draw on another stream (a phase that needs no conditions skips computing them). */
function imagesOf(input: CommonTrainInput, data: TrainingImages, rows: readonly number[]) {
  const side = data.resolution * data.resolution * 3;
  return (step: number) => {
    const rng = mulberry32((input.seed * 1_000_003 + step) ^ 0x5f3759df);
    const batch = Array.from({ length: Math.min(input.batchSize, rows.length) }, () => rows[Math.floor(rng() * rows.length)]!);
    return gatherRows(data.pixels, side, batch, [data.resolution, data.resolution, 3]) as tf.Tensor4D;
  };
}

/** Trains `family` on `input` as job `job`, from its checkpoint when resumed. */
export async function trainRun<I extends CommonTrainInput, Losses>(
  input: I,
  job: JobContext<{ step: number }>,
  backend: BackendStatus,
  family: TrainFamily<I, Losses>,
): Promise<TrainOutcome<Losses>> {
  const db = openDatabase(job.dbPath);
  const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
  let conditions: TrainConditions | undefined;
  let built: Awaited<ReturnType<TrainFamily<I, Losses>['build']>> | undefined;
  let samples: SampleConditions | undefined;
  try {
    const datasets = new DatasetStore(db);
    const runs = new RunStore(db);
    job.progress({ fraction: 0, message: `loading ${input.dataset} at ${family.resolution} px` });
    const data = await loadTrainingImages(datasets, encoder, { dataDir: job.dataDir, dataset: input.dataset, subset: input.subset }, family.resolution, job.signal);
    conditions = await conditionsFor(input, data, { datasets, pseudo: new PseudoStore(db), encoder, dataDir: job.dataDir });
    const folder = runFolder(job.dataDir, job.jobId);
    await mkdir(join(folder, SAMPLES_FOLDER), { recursive: true });
    await mkdir(join(folder, SNAPSHOTS_FOLDER), { recursive: true });
    samples = await sampleConditions(input, data, conditions, encoder);
    await writeFile(sampleLabelsFile(folder), JSON.stringify(samples.labels));
    built = await family.build({
      data,
      conditions,
      folder,
      modelPath: encoder.model.path,
      samples,
      batch: batchesOf(input, data, conditions),
      images: imagesOf(input, data, conditions.rows),
      saved: (step) => job.checkpoint({ step }),
    });
    const { trainer } = built;
    const resuming = job.resumeState !== undefined && existsSync(checkpointFile(folder));
    const fineTuneFrom = resuming ? undefined : initCheckpoint(input, family, new JobStore(db), job.dataDir);
    if (fineTuneFrom) await trainer.initFrom(fineTuneFrom);
    const start = resuming ? await trainer.resume(checkpointFile(folder)) : 0;
    runs.beginAttempt(
      job.jobId,
      { backend: backend.id, device: backend.device ?? null, gParams: built.parameters.g, dParams: built.parameters.d ?? 0, images: conditions.rows.length },
      start,
    );
    const stop = (): never => {
      job.throwIfCancelled();
      throw new Error('a stop was asked for but the job did not stop'); // throwIfCancelled throws whenever stopRequested holds
    };
    const share = built.prepare?.share ?? 0;
    const prepared = performance.now();
    await built.prepare?.run({
      stopRequested: () => job.stopRequested(),
      stop,
      progress: (progress) => job.progress({ ...progress, fraction: share * progress.fraction }),
      ...(input.minutes !== undefined ? { minutes: input.minutes * share } : {}),
    });
    // A time budget covers the whole attempt: the main loop gets what the preparation left (at least a step).
    const minutes = input.minutes !== undefined ? Math.max(input.minutes - (performance.now() - prepared) / 60_000, 1e-6) : undefined;
    const budget = input.minutes !== undefined ? ` (${input.minutes} min budget)` : ` of ${input.steps}`;
    const loop = await runTrainingLoop(
      trainer,
      {
        start,
        steps: input.steps,
        ...(minutes !== undefined ? { minutes } : {}),
        checkpointEvery: input.checkpointEvery,
        sampleEvery: input.sampleEvery,
        batchSize: input.batchSize,
      },
      {
        stopRequested: () => job.stopRequested(),
        stop,
        stepped: (step, losses, progress) => {
          const { imagesPerSecond } = progress;
          const metrics = { ...family.metrics(losses), imagesPerSecond };
          runs.addMetrics(job.jobId, [{ step, metrics }]);
          const shown = family.progressMetrics ? { ...family.progressMetrics(losses), imagesPerSecond } : metrics;
          job.progress({
            fraction: share + (1 - share) * progress.fraction,
            message: `step ${step}${budget}: ${family.message(losses)}`,
            step,
            total: input.steps,
            metrics: shown,
          });
        },
      },
    );
    return { loop, images: conditions.rows.length, folder, pseudoRun: conditions.pseudoRun, parameters: built.parameters };
  } finally {
    built?.dispose();
    samples?.h.dispose();
    conditions?.dispose();
    await encoder.dispose();
    db.close();
  }
}
