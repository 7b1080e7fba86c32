/**
 * Job kind `gan-train`: Lafite's conditional StyleGAN2 trained on a dataset, a thin adapter over
 * the engine's training loop (engine/training-loop.ts, engine/gan/trainer.ts): this file loads
 * the images and conditions from the store, says where files go, and records metrics;
 * language-free on pseudo text features (Gaussian or a trained perturbation per batch, one of the
 * top-m retrieved prompts per iteration, CLO per batch, or Gaussian moving to retrieval on a
 * schedule: jobs/train-conditions.ts), on real captions, or semi-supervised (a share of
 * the captioned images on their captions); from scratch or fine-tuned from another run with
 * Freeze-D. Checkpoints (networks, Adam state, the loss history) every N steps and on pause or
 * cancel, written atomically, so a stopped or killed run resumes from the last one with its
 * history; losses per step in SQLite (store/runs.ts); a sample grid every N steps.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendStatus, TrainResult } from '../../contract/index.ts';
import { invalidInput, unavailable } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadClipTowersFromOnnx } from '../../engine/clip/onnx-import.ts';
import { LANGUAGE_FREE_WEIGHTS, SUPERVISED_WEIGHTS } from '../../engine/gan/losses.ts';
import { DEFAULT_STEP, type StepLosses } from '../../engine/gan/train-step.ts';
import { GanTrainer } from '../../engine/gan/trainer.ts';
import { l2Normalise } from '../../engine/normalise.ts';
import { mulberry32, tfSeed } from '../../engine/random.ts';
import { gatherRows } from '../../engine/rows.ts';
import { runTrainingLoop } from '../../engine/training-loop.ts';
import { DatasetStore } from '../../store/datasets.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { ModelStore } from '../../store/models.ts';
import { JobStore } from '../../store/jobs.ts';
import { PseudoStore } from '../../store/pseudo.ts';
import { RunStore } from '../../store/runs.ts';
import { CachedEncoder } from '../dataset-features.ts';
import type { JobContext, JobHandler, JobInput } from '../job-kind.ts';
import { writeImageGrid } from '../generated-images.ts';
import { networkOf } from '../run-generator.ts';
import { checkpointFile, runFolder, sampleFile, sampleLabelsFile, SAMPLES_FOLDER, snapshotFile, SNAPSHOTS_FOLDER } from '../run-files.ts';
import { loadTrainingImages, type TrainingImages } from '../training-data.ts';
import { conditionsFor, type Conditions, type TrainConditions } from '../train-conditions.ts';

type Input = JobInput<'gan-train'>;

interface State {
  step: number;
}

/** Fine-tuning (Lafite §4.3, few-shot): the checkpoint of another run of the same network and encoder. */
function initCheckpoint(input: Input, jobs: JobStore, dataDir: string): string | undefined {
  if (!input.init) return undefined;
  const source = jobs.get(input.init);
  if (!source || source.kind !== 'gan-train') throw invalidInput(`no training run '${input.init}' to fine-tune from: see the Training view or \`lafite jobs list\``, 'init');
  const trained = source.input as Input;
  if (trained.preset !== input.preset || trained.model !== input.model || (trained.condition ?? 'paper') !== (input.condition ?? 'paper')) {
    const form = trained.condition ?? 'paper';
    const official = form === 'official' ? ' with the official condition form' : '';
    throw invalidInput(
      `run ${input.init} is a ${trained.preset} network on ${trained.model}${official}: fine-tune it with --preset ${trained.preset} --model ${trained.model} --condition ${form}`,
      'init',
    );
  }
  const file = checkpointFile(runFolder(dataDir, input.init));
  if (!existsSync(file)) throw invalidInput(`run ${input.init} has no checkpoint yet`, 'init');
  return file;
}

/** The sample grid's fixed conditions and latents: the prompts (two seeds each), or the first 8 training images' conditions. */
async function sampleInputs(input: Input, rows: readonly number[], data: TrainingImages, h: Conditions, encoder: CachedEncoder, zDim: number) {
  const z = (n: number) => tf.randomNormal([n, zDim], 0, 1, 'float32', tfSeed(input.seed + 12345)) as tf.Tensor2D;
  if (input.samplePrompts && input.samplePrompts.length > 0) {
    const prompts = input.samplePrompts;
    const text = await encoder.texts(prompts);
    const hPrompts = tf.tidy(() => tf.tile(l2Normalise(tf.tensor2d(text.data, [prompts.length, text.dim])), [2, 1]) as tf.Tensor2D); // h = n(f_txt(prompt))
    return { labels: prompts, columns: prompts.length, z: z(2 * prompts.length), h: hPrompts };
  }
  const picked = rows.slice(0, Math.min(8, rows.length));
  return { labels: picked.map((row) => data.paths[row]!), columns: picked.length, z: z(picked.length), h: h(picked, 0) };
}

/** The engine's step options from the job's input (the paper's forms and StyleGAN2's regularisers unless asked otherwise). */
const stepOptionsOf = (input: Input) => ({
  ...DEFAULT_STEP,
  weights: input.pseudo === 'captions' ? SUPERVISED_WEIGHTS : LANGUAGE_FREE_WEIGHTS,
  seed: input.seed,
  frozenBlocks: input.freezeD,
  styleMixing: input.styleMixing,
  accumulate: input.accumulate ?? 1, // runs stored before the option: the whole batch
  pathLength: { ...DEFAULT_STEP.pathLength, weight: input.plWeight },
  modeSeeking: input.modeSeeking ?? 0, // runs stored before the option: off
  forms: { contrastive: input.contrastiveForm, semantic: input.semanticForm },
});

/** The images of a step: a seeded draw of the training rows, their pixels and conditions. */
function batchesOf(input: Input, data: TrainingImages, conditions: TrainConditions) {
  const { rows, h } = conditions;
  const side = data.resolution * data.resolution * 3;
  return (step: number) => {
    const rng = mulberry32(input.seed * 1_000_003 + step);
    const batch = Array.from({ length: Math.min(input.batchSize, rows.length) }, () => rows[Math.floor(rng() * rows.length)]!);
    return { reals: gatherRows(data.pixels, side, batch, [data.resolution, data.resolution, 3]) as tf.Tensor4D, h: h(batch, step) };
  };
}

/** A step's losses and speed as one row of metrics (R1 and path length on the steps that evaluate them). */
function metricsOf(losses: StepLosses, imagesPerSecond: number): Record<string, number> {
  const { r1, pathLength, modeSeeking, ...kept } = losses;
  return { ...kept, ...(r1 !== null ? { r1 } : {}), ...(pathLength !== null ? { pathLength } : {}), ...(modeSeeking !== null ? { modeSeeking } : {}), imagesPerSecond };
}

async function train(input: Input, job: JobContext<State>, backend: BackendStatus): Promise<TrainResult> {
  const db = openDatabase(job.dbPath);
  const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
  let conditions: TrainConditions | undefined;
  try {
    const datasets = new DatasetStore(db);
    const runs = new RunStore(db);
    const network = networkOf(input);
    job.progress({ fraction: 0, message: `loading ${input.dataset} at ${network.resolution} px` });
    const data = await loadTrainingImages(datasets, encoder, { dataDir: job.dataDir, dataset: input.dataset, subset: input.subset }, network.resolution, job.signal);
    conditions = await conditionsFor(input, data, { datasets, pseudo: new PseudoStore(db), encoder, dataDir: job.dataDir });
    const parts = GanTrainer.buildParts(network, { textDim: data.dim, seed: input.seed, learningRate: input.learningRate });
    if (input.freezeD > parts.d.blockCount) throw invalidInput(`Freeze-D: the ${input.preset} discriminator has ${parts.d.blockCount} blocks, not ${input.freezeD}`, 'freezeD');
    if (input.conG) {
      const towers = await loadClipTowersFromOnnx(encoder.model.path, undefined, { towers: ['vision'], trainable: false });
      parts.clip = { towers, imageSize: towers.config.vision.imageSize };
    }
    const folder = runFolder(job.dataDir, job.jobId);
    await mkdir(join(folder, SAMPLES_FOLDER), { recursive: true });
    await mkdir(join(folder, SNAPSHOTS_FOLDER), { recursive: true });
    const samples = await sampleInputs(input, conditions.rows, data, conditions.h, encoder, parts.g.options.zDim);
    await writeFile(sampleLabelsFile(folder), JSON.stringify(samples.labels));
    const trainer = new GanTrainer(parts, {
      stepOptions: stepOptionsOf(input),
      batch: batchesOf(input, data, conditions),
      files: { checkpoint: checkpointFile(folder), snapshot: (step) => snapshotFile(folder, step) },
      samples: { ...samples, write: (step, images, columns) => writeImageGrid(sampleFile(folder, step), images, columns) },
      saved: (step) => job.checkpoint({ step }),
    });
    const resuming = job.resumeState !== undefined && existsSync(checkpointFile(folder));
    const fineTuneFrom = resuming ? undefined : initCheckpoint(input, new JobStore(db), job.dataDir);
    if (fineTuneFrom) await trainer.initFrom(fineTuneFrom);
    const start = resuming ? await trainer.resume(checkpointFile(folder)) : 0;
    runs.beginAttempt(
      job.jobId,
      { backend: backend.id, device: backend.device ?? null, gParams: parts.g.parameterCount(), dParams: parts.d.parameterCount(), images: conditions.rows.length },
      start,
    );
    const budget = input.minutes !== undefined ? ` (${input.minutes} min budget)` : ` of ${input.steps}`;
    const loop = await runTrainingLoop(
      trainer,
      {
        start,
        steps: input.steps,
        ...(input.minutes !== undefined ? { minutes: input.minutes } : {}),
        checkpointEvery: input.checkpointEvery,
        sampleEvery: input.sampleEvery,
        batchSize: input.batchSize,
      },
      {
        stopRequested: () => job.stopRequested(),
        stop: () => {
          job.throwIfCancelled();
          throw new Error('a stop was asked for but the job did not stop'); // throwIfCancelled throws whenever stopRequested holds
        },
        stepped: (step, losses, progress) => {
          runs.addMetrics(job.jobId, [{ step, metrics: metricsOf(losses, progress.imagesPerSecond) }]);
          const { r1: _r1, pathLength: _pl, modeSeeking: _ms, ...kept } = losses;
          job.progress({
            fraction: progress.fraction,
            message: `step ${step}${budget}: L_D ${losses.dLoss.toFixed(3)}, L_G ${losses.gLoss.toFixed(3)}`,
            step,
            total: input.steps,
            metrics: { ...kept, imagesPerSecond: progress.imagesPerSecond },
          });
        },
      },
    );
    const {
      r1: _r1,
      pathLength: _pl,
      modeSeeking: _ms,
      ...losses
    } = loop.last ?? { dLoss: 0, gLoss: 0, conDReal: 0, conDFake: 0, conG: 0, r1: null, pathLength: null, modeSeeking: null };
    return {
      steps: loop.reached,
      images: conditions.rows.length,
      backend: backend.id,
      seconds: loop.seconds,
      imagesPerSecond: loop.imagesPerSecond,
      losses,
      folder,
      pseudoRun: conditions.pseudoRun,
    };
  } finally {
    conditions?.dispose();
    await encoder.dispose();
    db.close();
  }
}

/** Presets a CPU backend cannot train: the paper network exhausts wasm's 4 GiB heap (measured by `npm run bench -- presets`) and takes minutes a step on cpu. */
function checkBackendFits(preset: Input['preset'], backend: BackendStatus): void {
  if (preset === 'paper' && (backend.id === 'wasm' || backend.id === 'cpu')) {
    throw unavailable(
      `the paper preset (256 px, about 75M parameters) needs a GPU backend: on ${backend.id} it runs out of memory or takes minutes a step. Train --preset shapes here, or on a GPU machine (lafite info lists the backends)`,
    );
  }
}

export const ganTrain: JobHandler<'gan-train', State> = {
  async run(input, job) {
    const backend = await initBackend(job.backend);
    checkBackendFits(input.preset, backend);
    return train(input, job, backend);
  },
};
