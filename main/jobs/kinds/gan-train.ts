/**
 * Job kind `gan-train`: Lafite's conditional StyleGAN2 trained on a dataset (engine/gan),
 * language-free on pseudo text features (Gaussian per batch, retrieval, CLO per batch) or on
 * real captions. Checkpoints (networks, Adam state, the loss history) every N steps, written
 * atomically, so a cancelled or killed run resumes from the last one with its history; a
 * sample grid for fixed conditions and seeds every N steps.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { TrainResult } from '../../api/contract.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadClipTowersFromOnnx } from '../../engine/clip/onnx-import.ts';
import { restoreCheckpoint, writeCheckpoint } from '../../engine/gan/checkpoint.ts';
import { Discriminator } from '../../engine/gan/discriminator.ts';
import { Generator } from '../../engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS, SUPERVISED_WEIGHTS } from '../../engine/gan/losses.ts';
import { PRESETS } from '../../engine/gan/presets.ts';
import { DEFAULT_STEP, trainStep, type StepLosses, type TrainParts } from '../../engine/gan/train-step.ts';
import { emaBeta } from '../../engine/gan/augment.ts';
import { contrastiveLatentOptimization } from '../../engine/pseudo/clo.ts';
import { gaussianPseudoFeatures, l2Normalise } from '../../engine/pseudo/gaussian.ts';
import { mulberry32, tfSeed } from '../../engine/random.ts';
import { gatherRows } from '../../engine/rows.ts';
import { DatasetStore } from '../../store/datasets.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { ModelStore } from '../../store/models.ts';
import { PseudoStore } from '../../store/pseudo.ts';
import { CachedEncoder } from '../dataset-features.ts';
import type { JobContext, JobHandler, JobInput } from '../job-kind.ts';
import { captionConditions, loadTrainingImages, retrievalConditions, type TrainingImages } from '../training-data.ts';

type Input = JobInput<'gan-train'>;

/** The official EMA: a half-life of 10k images, ramped up as 5 % of the images seen (a short run is not stuck at its initial weights). */
const EMA_HALF_LIFE_IMAGES = 10_000;
const EMA_RAMPUP = 0.05;
const emaBetaAt = (step: number, batchSize: number): number => emaBeta(Math.min(EMA_HALF_LIFE_IMAGES, step * batchSize * EMA_RAMPUP), batchSize);

interface State {
  step: number;
}

/** A row of the loss history (every step), kept in the checkpoint so a resumed run keeps it. */
type HistoryRow = { step: number } & Omit<StepLosses, 'r1'>;

/** Where a run keeps its checkpoint and samples. */
export const runFolder = (dataDir: string, jobId: string): string => join(dataDir, 'runs', jobId);
export const checkpointFile = (folder: string): string => join(folder, 'checkpoint.bin');

/** The conditions h of a batch: how depends on `input.pseudo`. */
type Conditions = (rows: readonly number[], step: number) => tf.Tensor2D;

async function conditionsFor(input: Input, data: TrainingImages, stores: { datasets: DatasetStore; pseudo: PseudoStore }, encoder: CachedEncoder): Promise<{ rows: number[]; h: Conditions }> {
  const all = data.ids.map((_, i) => i);
  const images = (rows: readonly number[]) => gatherRows(data.features, data.dim, rows, [data.dim]) as tf.Tensor2D;
  if (input.pseudo === 'gaussian') return { rows: all, h: (rows, step) => tf.tidy(() => gaussianPseudoFeatures(images(rows), { xi: input.xi, seed: input.seed * 7919 + step })) };
  if (input.pseudo === 'captions') {
    const captions = await captionConditions(stores.datasets, encoder, input.dataset);
    const rows = all.filter((i) => captions.has(data.ids[i]!));
    return {
      rows,
      h: (batch, step) => {
        const rng = mulberry32(input.seed * 31 + step);
        const picked = batch.map((i) => {
          const list = captions.get(data.ids[i]!)!;
          return list[Math.floor(rng() * list.length)]!;
        });
        return tf.tidy(() => l2Normalise(tf.tensor2d(Float32Array.from(picked.flatMap((v) => Array.from(v))), [batch.length, data.dim])));
      },
    };
  }
  const retrieved = await retrievalConditions(stores.pseudo, encoder, input.dataset, data.ids);
  const fixed = (rows: readonly number[]) => gatherRows(retrieved, data.dim, rows, [data.dim]) as tf.Tensor2D;
  if (input.pseudo === 'retrieval') return { rows: all, h: (rows) => fixed(rows) };
  return { rows: all, h: (rows) => tf.tidy(() => contrastiveLatentOptimization(fixed(rows), images(rows))) }; // CLO per mini-batch (Lafite2 eq. 2)
}

/** A row of generated images as one PNG: the sample grid for fixed conditions and seeds. */
async function writeSampleGrid(file: string, images: tf.Tensor4D): Promise<void> {
  const [n, r] = images.shape;
  const pixels = tf.tidy(() => tf.cast(tf.clipByValue(tf.mul(tf.add(images, 1), 127.5), 0, 255), 'int32'));
  const data = Uint8Array.from(await pixels.data());
  pixels.dispose();
  const row = Buffer.alloc(r * n * r * 3);
  for (let i = 0; i < n; i++) for (let y = 0; y < r; y++) row.set(data.subarray((i * r + y) * r * 3, (i * r + y + 1) * r * 3), (y * n * r + i * r) * 3);
  await sharp(row, { raw: { width: n * r, height: r, channels: 3 } }).png().toFile(file);
}

function buildParts(input: Input, textDim: number): TrainParts {
  const network = PRESETS[input.preset];
  const adam = () => tf.train.adam(input.learningRate, 0, 0.99, 1e-8); // StyleGAN2's Adam (β₁ = 0)
  return {
    g: new Generator(network, { textDim, seed: input.seed }),
    d: new Discriminator(network, { textDim, seed: input.seed + 1 }),
    gEma: new Generator(network, { textDim, seed: input.seed }), // the same seed: G_ema starts as G
    gOptimizer: adam(),
    dOptimizer: adam(),
  };
}

const checkpointParts = (parts: TrainParts) => ({
  networks: { g: parts.g.namedVariables(), d: parts.d.namedVariables(), g_ema: parts.gEma.namedVariables() },
  optimizers: { g: parts.gOptimizer, d: parts.dOptimizer },
});

async function train(input: Input, job: JobContext<State>, backendId: string): Promise<TrainResult> {
  const db = openDatabase(job.dbPath);
  const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
  try {
    const datasets = new DatasetStore(db);
    job.progress({ fraction: 0, message: `loading ${input.dataset} at ${PRESETS[input.preset].resolution} px` });
    const data = await loadTrainingImages(datasets, encoder, job.dataDir, input.dataset, PRESETS[input.preset].resolution, job.signal);
    const { rows, h } = await conditionsFor(input, data, { datasets, pseudo: new PseudoStore(db) }, encoder);
    const parts = buildParts(input, data.dim);
    if (input.conG) {
      const towers = await loadClipTowersFromOnnx(encoder.model.path, undefined, { towers: ['vision'], trainable: false });
      parts.clip = { towers, imageSize: towers.config.vision.imageSize };
    }
    const folder = runFolder(job.dataDir, job.jobId);
    await mkdir(join(folder, 'samples'), { recursive: true });
    let history: HistoryRow[] = [];
    let start = 0;
    if (job.resumeState && existsSync(checkpointFile(folder))) {
      const state = (await restoreCheckpoint(checkpointFile(folder), checkpointParts(parts))) as { step: number; history: HistoryRow[] };
      start = state.step;
      history = state.history;
    }
    const sampleRows = rows.slice(0, Math.min(8, rows.length));
    const sampleZ = tf.randomNormal([sampleRows.length, parts.g.options.zDim], 0, 1, 'float32', tfSeed(input.seed + 12345)) as tf.Tensor2D;
    const sampleH = h(sampleRows, 0);
    const weights = input.pseudo === 'captions' ? SUPERVISED_WEIGHTS : LANGUAGE_FREE_WEIGHTS;
    const side = data.resolution * data.resolution * 3;
    const started = performance.now();
    let last: StepLosses | undefined;
    for (let step = start + 1; step <= input.steps; step++) {
      job.throwIfCancelled();
      const rng = mulberry32(input.seed * 1_000_003 + step);
      const batch = Array.from({ length: Math.min(input.batchSize, rows.length) }, () => rows[Math.floor(rng() * rows.length)]!);
      const reals = gatherRows(data.pixels, side, batch, [data.resolution, data.resolution, 3]) as tf.Tensor4D;
      const hBatch = h(batch, step);
      last = trainStep(parts, { reals, h: hBatch }, { ...DEFAULT_STEP, weights, emaBeta: emaBetaAt(step, batch.length), step, seed: input.seed });
      tf.dispose([reals, hBatch]);
      const { r1: _r1, ...losses } = last;
      history.push({ step, ...losses });
      const done = step - start;
      const imagesPerSecond = (done * input.batchSize) / ((performance.now() - started) / 1000);
      job.progress({ fraction: step / input.steps, message: `step ${step} of ${input.steps}: L_D ${losses.dLoss.toFixed(3)}, L_G ${losses.gLoss.toFixed(3)}`, step, total: input.steps, metrics: { ...losses, imagesPerSecond } });
      if (step % input.sampleEvery === 0 || step === input.steps) {
        const images = parts.gEma.generate(sampleZ, sampleH, { noiseSeed: 0 });
        await writeSampleGrid(join(folder, 'samples', `step-${String(step).padStart(7, '0')}.png`), images);
        images.dispose();
      }
      if (step % input.checkpointEvery === 0 || step === input.steps) {
        await writeCheckpoint(checkpointFile(folder), { ...checkpointParts(parts), state: { step, history } });
        job.checkpoint({ step });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const trained = input.steps - start;
    const { r1: _r1, ...losses } = last ?? { dLoss: 0, gLoss: 0, conDReal: 0, conDFake: 0, conG: 0, r1: null };
    return { steps: input.steps, images: rows.length, backend: backendId, seconds, imagesPerSecond: (trained * input.batchSize) / Math.max(seconds, 1e-9), losses, folder };
  } finally {
    await encoder.dispose();
    db.close();
  }
}

export const ganTrain: JobHandler<'gan-train', State> = {
  async run(input, job) {
    const backend = await initBackend(job.backend);
    return train(input, job, backend.id);
  },
};
