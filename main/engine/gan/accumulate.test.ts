/**
 * Gradient accumulation (`StepOptions.accumulate`, `lafite train --accumulate`): the batch in
 * micro-batches whose gradients add up to the whole batch's, with less memory alive at once.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainingJobSchemas } from '../../contract/training.ts';
import { initBackend } from '../backend.ts';
import { LANGUAGE_FREE_WEIGHTS } from './losses.ts';
import { PRESETS } from './presets.ts';
import { GanTrainer } from './trainer.ts';
import { DEFAULT_STEP, microBatchSizes, minimizeInParts, trainStepAsync } from './train-step.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('gradient accumulation', () => {
  it('splits a batch into contiguous micro-batches as equal as can be, of 2 images at least', () => {
    expect(microBatchSizes(16, 4)).toEqual([4, 4, 4, 4]);
    expect(microBatchSizes(5, 2)).toEqual([2, 3]);
    expect(microBatchSizes(3, 8)).toEqual([3]);
    expect(microBatchSizes(16, 8)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(microBatchSizes(16, 16)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(microBatchSizes(8, 1)).toEqual([8]);
    expect(microBatchSizes(8, 0)).toEqual([8]);
  });

  it('applies the gradient of the whole batch: micro-batch losses weighted by their share sum to the batch mean', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, -1],
      [0, 1],
      [2, 2],
      [-1, 0],
    ]); // [5, 2]
    const y = tf.tensor1d([1, 0, 2, -1, 3]);
    const train = async (parts: number): Promise<Float32Array> => {
      const w = tf.variable(tf.tensor1d([0.5, -0.25]));
      const optimizer = tf.train.adam(0.1, 0, 0.99, 1e-8);
      const sizes = microBatchSizes(5, parts);
      const loss = (i: number): tf.Scalar => {
        const start = sizes.slice(0, i).reduce((a, b) => a + b, 0);
        const xs = tf.slice(x, [start, 0], [sizes[i]!, -1]);
        const ys = tf.slice(y, [start], [sizes[i]!]);
        const mse = tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(xs, tf.expandDims(w, 1)), [1]), ys)));
        return tf.mul(mse, sizes[i]! / 5) as tf.Scalar; // the part's share of the batch mean
      };
      const before = tf.memory().numTensors;
      for (let step = 0; step < 3; step++) minimizeInParts(optimizer, sizes.length, loss, [w]);
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(4); // Adam's two moments (+ its counters), nothing per step
      const values = (await w.data()) as Float32Array;
      optimizer.dispose();
      w.dispose();
      return values;
    };
    const whole = await train(1);
    for (const parts of [2, 5]) {
      const split = await train(parts);
      for (const [i, value] of split.entries()) expect(value).toBeCloseTo(whole[i]!, 5);
    }
    tf.dispose([x, y]);
  });

  it('trains the tiny preset in micro-batches: finite losses, every phase run, less memory alive, nothing left behind', async () => {
    const textDim = 16;
    const run = async (accumulate: number) => {
      const parts = GanTrainer.buildParts(PRESETS.tiny, { textDim, seed: 0, learningRate: 0.002 });
      const reals = tf.tanh(tf.randomNormal([8, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
      const h = tf.tidy(() => {
        const v = tf.randomNormal([8, textDim], 0, 1, 'float32', 4);
        return tf.div(v, tf.norm(v, 'euclidean', 1, true)) as tf.Tensor2D;
      });
      const options = { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, seed: 2, accumulate };
      const profile = await tf.profile(async () => {
        const losses = await trainStepAsync(parts, { reals, h }, { ...options, step: 0 }); // R1 and path length both run
        for (const value of Object.values(losses)) expect(value === null || Number.isFinite(value)).toBe(true);
        expect(losses.r1).not.toBeNull();
        expect(losses.pathLength).not.toBeNull();
      });
      const peak = profile.peakBytes;
      const count = tf.memory().numTensors;
      await trainStepAsync(parts, { reals, h }, { ...options, step: 1 });
      expect(tf.memory().numTensors).toBe(count);
      const plMean = (await parts.plMean.data())[0]!;
      for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
      parts.gOptimizer.dispose();
      parts.dOptimizer.dispose();
      tf.dispose([reals, h, parts.plMean]);
      return { peak, plMean };
    };
    const whole = await run(1);
    const micro = await run(4);
    expect(micro.plMean).toBeGreaterThan(0); // the running path-length mean moved, from the parts' figures
    expect(micro.peak).toBeLessThan(whole.peak);
  }, 60_000);

  it('is a gan-train option (lafite train --accumulate): 1 by default, at most half the batch', () => {
    const schema = trainingJobSchemas['gan-train'];
    expect(schema.parse({ dataset: 'd' }).accumulate).toBe(1);
    expect(schema.parse({ dataset: 'd', batchSize: 16, accumulate: 8 }).accumulate).toBe(8);
    const refused = schema.safeParse({ dataset: 'd', batchSize: 16, accumulate: 9 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/micro-batches of 2 images at least/);
  });
});
