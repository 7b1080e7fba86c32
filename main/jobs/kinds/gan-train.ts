/**
 * Job kind `gan-train`: Lafite's conditional StyleGAN2 trained on a dataset (engine/gan),
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
import { restoreCheckpoint, writeCheckpoint } from '../../engine/gan/checkpoint.ts';
import { Discriminator } from '../../engine/gan/discriminator.ts';
import { Generator } from '../../engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS, SUPERVISED_WEIGHTS } from '../../engine/gan/losses.ts';
import { PRESETS } from '../../engine/gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type StepLosses, type TrainParts } from '../../engine/gan/train-step.ts';
import { emaBeta } from '../../engine/gan/augment.ts';
import { l2Normalise } from '../../engine/normalise.ts';
import { mulberry32, tfSeed } from '../../engine/random.ts';
import { gatherRows } from '../../engine/rows.ts';
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

/** The official EMA: a half-life of 10k images, ramped up as 5 % of the images seen (a short run is not stuck at its initial weights). */
const EMA_HALF_LIFE_IMAGES = 10_000;
const EMA_RAMPUP = 0.05;
const emaBetaAt = (step: number, batchSize: number): number => emaBeta(Math.min(EMA_HALF_LIFE_IMAGES, step * batchSize * EMA_RAMPUP), batchSize);

interface State {
  step: number;
}

/** A row of the loss history (every step), kept in the checkpoint so a resumed run keeps it. */
type HistoryRow = { step: number } & Omit<StepLosses, 'r1' | 'pathLength'>;

function buildParts(input: Input, textDim: number): TrainParts {
  const network = networkOf(input);
  const adam = () => tf.train.adam(input.learningRate, 0, 0.99, 1e-8); // StyleGAN2's Adam (β₁ = 0)
  return {
    g: new Generator(network, { textDim, seed: input.seed }),
    d: new Discriminator(network, { textDim, seed: input.seed + 1 }),
    gEma: new Generator(network, { textDim, seed: input.seed }), // the same seed: G_ema starts as G
    gOptimizer: adam(),
    dOptimizer: adam(),
    plMean: newPlMean(),
  };
}

const networksOf = (parts: TrainParts) => ({ g: parts.g.namedVariables(), d: parts.d.namedVariables(), g_ema: parts.gEma.namedVariables() });
const checkpointParts = (parts: TrainParts) => ({ networks: networksOf(parts), optimizers: { g: parts.gOptimizer, d: parts.dOptimizer } });

/** Fine-tuning (Lafite §4.3, few-shot): the networks of another run of the same preset and encoder; fresh optimizers. */
async function initFrom(input: Input, jobs: JobStore, dataDir: string, parts: TrainParts): Promise<void> {
  const source = input.init ? jobs.get(input.init) : undefined;
  if (!input.init) return;
  if (!source || source.kind !== 'gan-train') throw invalidInput(`no training run '${input.init}' to fine-tune from: see the Training view or \`lafite jobs list\``, 'init');
  const trained = source.input as Input;
  if (trained.preset !== input.preset || trained.model !== input.model || (trained.condition ?? 'paper') !== (input.condition ?? 'paper')) {
    const form = trained.condition ?? 'paper';
    const official = form === 'official' ? ' with the official condition form' : '';
    throw invalidInput(`run ${input.init} is a ${trained.preset} network on ${trained.model}${official}: fine-tune it with --preset ${trained.preset} --model ${trained.model} --condition ${form}`, 'init');
  }
  const file = checkpointFile(runFolder(dataDir, input.init));
  if (!existsSync(file)) throw invalidInput(`run ${input.init} has no checkpoint yet`, 'init');
  await restoreCheckpoint(file, { networks: networksOf(parts), optimizers: {} });
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

async function train(input: Input, job: JobContext<State>, backend: BackendStatus): Promise<TrainResult> {
  const db = openDatabase(job.dbPath);
  const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
  let conditions: TrainConditions | undefined;
  try {
    const datasets = new DatasetStore(db);
    const runs = new RunStore(db);
    job.progress({ fraction: 0, message: `loading ${input.dataset} at ${PRESETS[input.preset].resolution} px` });
    const data = await loadTrainingImages(datasets, encoder, { dataDir: job.dataDir, dataset: input.dataset, subset: input.subset }, PRESETS[input.preset].resolution, job.signal);
    conditions = await conditionsFor(input, data, { datasets, pseudo: new PseudoStore(db), encoder, dataDir: job.dataDir });
    const { rows, h } = conditions;
    const parts = buildParts(input, data.dim);
    if (input.freezeD > parts.d.blockCount) throw invalidInput(`Freeze-D: the ${input.preset} discriminator has ${parts.d.blockCount} blocks, not ${input.freezeD}`, 'freezeD');
    if (input.conG) {
      const towers = await loadClipTowersFromOnnx(encoder.model.path, undefined, { towers: ['vision'], trainable: false });
      parts.clip = { towers, imageSize: towers.config.vision.imageSize };
    }
    const folder = runFolder(job.dataDir, job.jobId);
    await mkdir(join(folder, SAMPLES_FOLDER), { recursive: true });
    await mkdir(join(folder, SNAPSHOTS_FOLDER), { recursive: true });
    let history: HistoryRow[] = [];
    let start = 0;
    if (job.resumeState && existsSync(checkpointFile(folder))) {
      const state = (await restoreCheckpoint(checkpointFile(folder), checkpointParts(parts))) as { step: number; history: HistoryRow[]; plMean?: number };
      start = state.step;
      history = state.history;
      parts.plMean.assign(tf.scalar(state.plMean ?? 0));
    } else {
      await initFrom(input, new JobStore(db), job.dataDir, parts);
    }
    runs.beginAttempt(job.jobId, { backend: backend.id, device: backend.device ?? null, gParams: parts.g.parameterCount(), dParams: parts.d.parameterCount(), images: rows.length }, start);
    const samples = await sampleInputs(input, rows, data, h, encoder, parts.g.options.zDim);
    await writeFile(sampleLabelsFile(folder), JSON.stringify(samples.labels));
    const weights = input.pseudo === 'captions' ? SUPERVISED_WEIGHTS : LANGUAGE_FREE_WEIGHTS;
    const stepOptions = {
      ...DEFAULT_STEP,
      weights,
      seed: input.seed,
      frozenBlocks: input.freezeD,
      styleMixing: input.styleMixing,
      accumulate: input.accumulate ?? 1, // runs stored before the option: the whole batch
      pathLength: { ...DEFAULT_STEP.pathLength, weight: input.plWeight },
      forms: { contrastive: input.contrastiveForm, semantic: input.semanticForm },
    };
    const side = data.resolution * data.resolution * 3;
    const started = performance.now();
    let last: StepLosses | undefined;
    let saved = start;
    const save = async (step: number): Promise<void> => {
      await writeCheckpoint(snapshotFile(folder, step), { networks: { g_ema: parts.gEma.namedVariables() }, optimizers: {}, state: { step } });
      const plMean = (await parts.plMean.data())[0]!;
      await writeCheckpoint(checkpointFile(folder), { ...checkpointParts(parts), state: { step, history, plMean } });
      job.checkpoint({ step });
      saved = step;
    };
    // A time budget ends the run early at the step it reached (the demo trains "for 10 minutes").
    const deadline = input.minutes !== undefined ? started + input.minutes * 60_000 : Infinity;
    let reached = start;
    for (let step = start + 1; step <= input.steps; step++) {
      if (job.stopRequested()) {
        // Paused or cancelled: keep the steps done since the last checkpoint (a resume goes on from here).
        if (step - 1 > saved) await save(step - 1);
        job.throwIfCancelled();
      }
      const rng = mulberry32(input.seed * 1_000_003 + step);
      const batch = Array.from({ length: Math.min(input.batchSize, rows.length) }, () => rows[Math.floor(rng() * rows.length)]!);
      const reals = gatherRows(data.pixels, side, batch, [data.resolution, data.resolution, 3]) as tf.Tensor4D;
      const hBatch = h(batch, step);
      last = await trainStepAsync(parts, { reals, h: hBatch }, { ...stepOptions, emaBeta: emaBetaAt(step, batch.length), step });
      tf.dispose([reals, hBatch]);
      const { r1, pathLength, ...losses } = last;
      history.push({ step, ...losses });
      const done = step - start;
      const imagesPerSecond = (done * input.batchSize) / ((performance.now() - started) / 1000);
      runs.addMetrics(job.jobId, [{ step, metrics: { ...losses, ...(r1 !== null ? { r1 } : {}), ...(pathLength !== null ? { pathLength } : {}), imagesPerSecond } }]);
      reached = step;
      const outOfTime = performance.now() >= deadline;
      const fraction = Math.max(step / input.steps, Math.min(1, (performance.now() - started) / (deadline - started)));
      job.progress({ fraction, message: `step ${step}${input.minutes !== undefined ? ` (${input.minutes} min budget)` : ` of ${input.steps}`}: L_D ${losses.dLoss.toFixed(3)}, L_G ${losses.gLoss.toFixed(3)}`, step, total: input.steps, metrics: { ...losses, imagesPerSecond } });
      const final = step === input.steps || outOfTime;
      if (step % input.sampleEvery === 0 || final) {
        const images = parts.gEma.generate(samples.z, samples.h, { noiseSeed: 0 });
        await writeImageGrid(sampleFile(folder, step), images, samples.columns);
        images.dispose();
      }
      if (step % input.checkpointEvery === 0 || final) await save(step);
      if (outOfTime) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const trained = reached - start;
    const { r1: _r1, pathLength: _pl, ...losses } = last ?? { dLoss: 0, gLoss: 0, conDReal: 0, conDFake: 0, conG: 0, r1: null, pathLength: null };
    return { steps: reached, images: rows.length, backend: backend.id, seconds, imagesPerSecond: (trained * input.batchSize) / Math.max(seconds, 1e-9), losses, folder, pseudoRun: conditions.pseudoRun };
  } finally {
    conditions?.dispose();
    await encoder.dispose();
    db.close();
  }
}

/** Presets a CPU backend cannot train: the paper network exhausts wasm's 4 GiB heap (measured by `npm run bench -- presets`) and takes minutes a step on cpu. */
function checkBackendFits(preset: Input['preset'], backend: BackendStatus): void {
  if (preset === 'paper' && (backend.id === 'wasm' || backend.id === 'cpu')) {
    throw unavailable(`the paper preset (256 px, about 75M parameters) needs a GPU backend: on ${backend.id} it runs out of memory or takes minutes a step. Train --preset shapes here, or on a GPU machine (lafite info lists the backends)`);
  }
}

export const ganTrain: JobHandler<'gan-train', State> = {
  async run(input, job) {
    const backend = await initBackend(job.backend);
    checkBackendFits(input.preset, backend);
    return train(input, job, backend);
  },
};
