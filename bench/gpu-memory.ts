/**
 * The memory plan of `npm run bench:gpu` (section `memory`): what one Lafite training step of a
 * preset holds at several batch sizes, and the straight line through the figures, to tell
 * whether `paper` (256 px) at batch 16 fits a GPU of 8 GB, and with what micro-batch when it
 * does not (`lafite train --accumulate`). The step measured is step 0, the heaviest: R1 and
 * the path-length term both run and Adam creates its moments.
 *
 * Two figures per batch: the most tensor bytes alive at once (tf.profile `peakBytes`, every
 * backend), and on webgpu the bytes tfjs's buffer pool holds afterwards (`numBytesAllocatedInGPU`;
 * the pool only grows, so it is the high-water mark of what the backend asked Dawn for, WebGPU
 * having no memory query). Each batch runs on fresh networks; the pool is never emptied (that
 * would free buffers of live tensors), so its figure is cumulative: batches are measured in
 * ascending order and the line is fitted to the tensor peaks.
 */
import * as tf from '@tensorflow/tfjs';
import { Discriminator } from '../main/engine/gan/discriminator.ts';
import { Generator } from '../main/engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../main/engine/gan/losses.ts';
import { PRESETS, type PresetName } from '../main/engine/gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from '../main/engine/gan/train-step.ts';

const GB = 1e9;

export interface MemoryPoint {
  batch: number;
  /** Micro-batches the batch was split into (gradient accumulation); 1 = none. */
  accumulate: number;
  stepMs: number;
  peakTensorBytes: number;
  /** webgpu only: tfjs's GPU buffer pool after the step (its high-water mark so far in the process). */
  gpuBytesAllocated: number | null;
  /** Bytes of the networks' variables and Adam's moments alone. */
  stateBytes: number;
}

export interface MemoryPlan {
  preset: PresetName;
  backend: string;
  points: MemoryPoint[];
  /** The first configuration that failed (out of memory, say), after which larger ones were not tried. */
  failed?: { batch: number; accumulate: number; error: string };
  /** bytes(batch) ≈ fixed + perImage · batch through the first two points without accumulation (their tensor peaks). */
  fit: { fixedBytes: number; perImageBytes: number } | null;
  /** The line's figure at `targetBatch`, and the largest micro-batch that the budget holds. */
  target: { batch: number; budgetBytes: number; predictedBytes: number; fits: boolean; largestMicroBatch: number; accumulate: number } | null;
}

const largest = (point: MemoryPoint): number => point.peakTensorBytes;

/** Fresh networks of `preset` and a seeded batch of `batch` images and unit conditions, for a memory measurement of step 0; `dispose` frees them. */
export function freshStep(preset: PresetName, batch: number): { parts: TrainParts; reals: tf.Tensor4D; h: tf.Tensor2D; dispose: () => void } {
  const network = PRESETS[preset];
  const textDim = network.textHidden;
  const parts: TrainParts = {
    g: new Generator(network, { textDim, seed: 0 }),
    d: new Discriminator(network, { textDim, seed: 1 }),
    gEma: new Generator(network, { textDim, seed: 0 }),
    gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    plMean: newPlMean(),
  };
  const reals = tf.tidy(() => tf.tanh(tf.randomNormal([batch, network.resolution, network.resolution, 3], 0, 1, 'float32', 3)) as tf.Tensor4D);
  const h = tf.tidy(() => {
    const x = tf.randomNormal([batch, textDim], 0, 1, 'float32', 4);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
  const dispose = (): void => {
    tf.dispose([reals, h]); // a no-op for tensors the caller freed already
    for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
    parts.gOptimizer.dispose();
    parts.dOptimizer.dispose();
    tf.dispose(parts.plMean);
  };
  return { parts, reals, h, dispose };
}

/** One step 0 of `preset` at `batch` split into `accumulate` micro-batches: time and memory. */
export async function memoryPoint(preset: PresetName, batch: number, accumulate = 1): Promise<MemoryPoint> {
  const { parts, reals, h, dispose } = freshStep(preset, batch);
  const started = performance.now();
  const profile = await tf.profile(async () => {
    // With gradient checkpointing (StepOptions.recompute), as a memory-bound paper run would train (docs/BENCHMARKS.md).
    await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.99, step: 0, seed: 0, accumulate, recompute: true });
  });
  const stepMs = performance.now() - started;
  const info = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  tf.dispose([reals, h]);
  const stateBytes = tf.memory().numBytes;
  dispose();
  const point: MemoryPoint = {
    batch,
    accumulate,
    stepMs: Math.round(stepMs),
    peakTensorBytes: profile.peakBytes,
    gpuBytesAllocated: info.numBytesAllocatedInGPU ?? null,
    stateBytes,
  };
  process.stderr.write(
    `memory ${preset} batch ${batch}${accumulate > 1 ? ` in ${accumulate} micro-batches` : ''}: peak tensors ${(point.peakTensorBytes / GB).toFixed(2)} GB${point.gpuBytesAllocated !== null ? `, GPU pool ${(point.gpuBytesAllocated / GB).toFixed(2)} GB` : ''}, ${point.stepMs} ms\n`,
  );
  return point;
}

/** The line through the points and what it predicts for `targetBatch` in `budgetBytes`. */
export function memoryFit(points: MemoryPoint[], targetBatch: number, budgetBytes: number): Pick<MemoryPlan, 'fit' | 'target'> {
  const plain = points.filter((p) => p.accumulate === 1).sort((a, b) => a.batch - b.batch);
  if (plain.length < 2) return { fit: null, target: null };
  const [a, b] = [plain[0]!, plain[1]!];
  const perImageBytes = (largest(b) - largest(a)) / (b.batch - a.batch);
  const fixedBytes = largest(a) - perImageBytes * a.batch;
  const predictedBytes = fixedBytes + perImageBytes * targetBatch;
  // Accumulation keeps one more copy of the gradients (the size of the trained variables, a third of the state: G, D and Adam's two moments of each… roughly).
  const accumulatorBytes = a.stateBytes / 3;
  const largestMicroBatch = Math.max(0, Math.floor((budgetBytes - fixedBytes - accumulatorBytes) / perImageBytes));
  let accumulate = 1;
  while (accumulate < targetBatch && (targetBatch % accumulate !== 0 || targetBatch / accumulate > largestMicroBatch)) accumulate++;
  return {
    fit: { fixedBytes: Math.round(fixedBytes), perImageBytes: Math.round(perImageBytes) },
    target: {
      batch: targetBatch,
      budgetBytes,
      predictedBytes: Math.round(predictedBytes),
      fits: predictedBytes <= budgetBytes,
      largestMicroBatch: Math.min(largestMicroBatch, targetBatch),
      accumulate,
    },
  };
}

/** Measures `batches` (and `accumulated`: [batch, micro-batches] pairs) and fits the line for batch 16 in 8 GB. */
export async function memoryPlan(preset: PresetName, batches: number[], accumulated: Array<[number, number]> = []): Promise<MemoryPlan> {
  const points: MemoryPoint[] = [];
  // Smallest micro-batch first, stopping at the first failure: running out of GPU memory may leave the device unusable.
  const configurations: Array<[number, number]> = [...accumulated, ...batches.map((batch): [number, number] => [batch, 1])].sort(
    (a, b) => a[0] / a[1] - b[0] / b[1] || a[1] - b[1],
  );
  let failed: MemoryPlan['failed'];
  for (const [batch, accumulate] of configurations) {
    try {
      points.push(await memoryPoint(preset, batch, accumulate));
    } catch (error) {
      failed = { batch, accumulate, error: (error as Error).message.split('\n')[0]! };
      process.stderr.write(`memory ${preset} batch ${batch} (${accumulate} parts) failed: ${failed.error}\n`);
      break;
    }
  }
  return { preset, backend: tf.getBackend(), points, ...(failed ? { failed } : {}), ...memoryFit(points, 16, 8 * GB) };
}
