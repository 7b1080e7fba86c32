/**
 * StyleGAN2's parts as the official Lafite code has them (StyleGAN2-ADA): FIR resampling with
 * [1, 3, 3, 1], the running mean of w and truncation towards it, style mixing, and the lazy
 * path-length penalty, each against a direct computation.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Generator, W_AVERAGE_BETA } from './generator.ts';
import { downsample2x, upsample2x } from './layers.ts';
import { LANGUAGE_FREE_WEIGHTS, pathLengthPenalty } from './losses.ts';
import { PRESETS } from './presets.ts';
import { GanTrainer } from './trainer.ts';
import { DEFAULT_STEP, minimizeInParts, trainStepAsync, type TrainParts } from './train-step.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TEXT = 16;
const unitRows = (n: number, dim: number, seed: number): tf.Tensor2D =>
  tf.tidy(() => {
    const x = tf.randomNormal([n, dim], 0, 1, 'float32', seed);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

/**
 * upfirdn2d written out as its definition, on one [H, W] plane: upsample by zero insertion,
 * pad, correlate with the 2-D filter outer(f, f)·gain, keep every `down`-th sample.
 */
function upfirdn2d(x: number[][], f: number[], up: number, down: number, pad: [number, number], gain: number): number[][] {
  const k = f.length;
  const sum = f.reduce((a, b) => a + b, 0);
  const taps = f.map((t) => t / sum);
  const size = x.length * up + pad[0] + pad[1];
  const at = (i: number, j: number): number => {
    const u = i - pad[0];
    const v = j - pad[0];
    if (u < 0 || v < 0 || u % up !== 0 || v % up !== 0) return 0;
    return x[u / up]?.[v / up] ?? 0;
  };
  const out: number[][] = [];
  for (let i = 0; i + k <= size; i += down) {
    const row: number[] = [];
    for (let j = 0; j + k <= size; j += down) {
      let s = 0;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) s += taps[a]! * taps[b]! * gain * at(i + a, j + b);
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

describe('FIR resampling (StyleGAN2 upfirdn2d with [1, 3, 3, 1])', () => {
  const side = 6;
  const plane = Array.from({ length: side }, (_, i) => Array.from({ length: side }, (_, j) => Math.sin(i * 1.3 + j * 0.7) + 0.1 * i * j));
  const asTensor = (p: number[][]) => tf.tensor4d(p.flat(), [1, p.length, p.length, 1]);

  it('upsamples as upfirdn2d(up = 2, pad = [2, 1], gain 4)', () => {
    const expected = upfirdn2d(plane, [1, 3, 3, 1], 2, 1, [2, 1], 4);
    expect(expected.length).toBe(2 * side);
    expect(maxAbsDiff(upsample2x(asTensor(plane)), asTensor(expected))).toBeLessThan(1e-5);
  });

  it('downsamples as upfirdn2d(down = 2, pad = [1, 1], gain 1)', () => {
    const expected = upfirdn2d(plane, [1, 3, 3, 1], 1, 2, [1, 1], 1);
    expect(expected.length).toBe(side / 2);
    expect(maxAbsDiff(downsample2x(asTensor(plane)), asTensor(expected))).toBeLessThan(1e-5);
  });

  it('keeps a constant image constant away from the zero-padded border, and differs from nearest-neighbour', () => {
    const up = upsample2x(tf.ones([1, 4, 4, 2]) as tf.Tensor4D);
    expect(
      tf
        .slice(up, [0, 1, 1, 0], [1, 6, 6, 2])
        .dataSync()
        .every((v) => Math.abs(v - 1) < 1e-6),
    ).toBe(true);
    const x = asTensor(plane);
    expect(maxAbsDiff(upsample2x(x), tf.image.resizeNearestNeighbor(x, [12, 12]))).toBeGreaterThan(0.05);
  });

  it('passes second-order gradients (R1 and path length differentiate through it twice)', () => {
    const x = asTensor(plane);
    const gradSquared = (input: tf.Tensor) => tf.sum(tf.square(tf.grad((y: tf.Tensor) => tf.sum(tf.square(downsample2x(upsample2x(y as tf.Tensor4D)))))(input)));
    const second = tf.grad(gradSquared)(x);
    expect(second.shape).toEqual(x.shape);
    expect(tf.abs(second).sum().dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('the running mean of w and truncation', () => {
  it('tracks w̄ ← lerp(mean w, w̄, 0.995) and draws the picture of w̄ at ψ = 0, whatever z', () => {
    const g = new Generator(PRESETS.tiny, { textDim: TEXT, seed: 3 });
    expect(g.wAverage.dataSync().every((v) => v === 0)).toBe(true);
    const z = tf.randomNormal([8, g.options.zDim], 0, 1, 'float32', 5) as tf.Tensor2D;
    const batchMean = tf.mean(g.map(z), 0);
    g.trackWAverage(z);
    expect(maxAbsDiff(g.wAverage, tf.mul(batchMean, 1 - W_AVERAGE_BETA))).toBeLessThan(1e-6);
    for (let i = 0; i < 1500; i++) g.trackWAverage(z); // 0.995^1500 ≈ 5e-4
    expect(maxAbsDiff(g.wAverage, batchMean)).toBeLessThan(0.02 * tf.max(tf.abs(batchMean)).dataSync()[0]!); // converges to the mean of w

    const h = unitRows(2, TEXT, 6);
    const atMean = g.synthesise(tf.tile(tf.expandDims(g.wAverage, 0), [2, 1]) as tf.Tensor2D, h, 1);
    const zA = tf.randomNormal([2, g.options.zDim], 0, 1, 'float32', 7) as tf.Tensor2D;
    const zB = tf.randomNormal([2, g.options.zDim], 0, 1, 'float32', 8) as tf.Tensor2D;
    expect(maxAbsDiff(g.generate(zA, h, { truncation: 0, noiseSeed: 1 }), atMean)).toBeLessThan(1e-5);
    expect(maxAbsDiff(g.generate(zB, h, { truncation: 0, noiseSeed: 1 }), atMean)).toBeLessThan(1e-5);
    // ψ = 0 no longer pulls towards w = 0
    const atZero = g.synthesise(tf.zeros([2, g.options.wDim]) as tf.Tensor2D, h, 1);
    expect(maxAbsDiff(atMean, atZero)).toBeGreaterThan(1e-3);
  });

  it('is learned in training and copied into G_ema', async () => {
    const parts = tinyParts();
    const { reals, h } = tinyBatch();
    await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, step: 1, seed: 2 });
    expect(tf.abs(parts.g.wAverage).sum().dataSync()[0]).toBeGreaterThan(0);
    expect(maxAbsDiff(parts.gEma.wAverage, parts.g.wAverage)).toBe(0);
  });
});

describe('style mixing', () => {
  it('takes the layers from the cutoff on from the second latent', () => {
    const g = new Generator(PRESETS.tiny, { textDim: TEXT, seed: 4 });
    expect(g.numWs).toBe(1 + 2 + 2 + 1); // tiny: blocks 4, 8, 16 with 1, 2, 2 convolutions, plus the last toRGB
    const z = tf.randomNormal([2, g.options.zDim], 0, 1, 'float32', 9) as tf.Tensor2D;
    const z2 = tf.randomNormal([2, g.options.zDim], 0, 1, 'float32', 10) as tf.Tensor2D;
    const ws = g.ws(z, { mix: { z2, cutoff: 3 } });
    const [w1, w2] = [g.map(z), g.map(z2)];
    expect(maxAbsDiff(tf.squeeze(tf.slice(ws, [0, 2, 0], [-1, 1, -1]), [1]), w1)).toBeLessThan(1e-6);
    expect(maxAbsDiff(tf.squeeze(tf.slice(ws, [0, 3, 0], [-1, 1, -1]), [1]), w2)).toBeLessThan(1e-6);
    const h = unitRows(2, TEXT, 11);
    const plain = g.generate(z, h, { noiseSeed: 0 });
    expect(maxAbsDiff(g.generate(z, h, { noiseSeed: 0, mix: { z2, cutoff: g.numWs } }), plain)).toBe(0);
    expect(maxAbsDiff(g.generate(z, h, { noiseSeed: 0, mix: { z2, cutoff: 1 } }), plain)).toBeGreaterThan(1e-4);
  });
});

describe('path-length regularisation (StyleGAN2 eq. 4)', () => {
  it('equals the direct computation on a linear synthesis, where J_wᵀy is exact', () => {
    const [n, layers, wDim, side] = [3, 2, 4, 2];
    const m = tf.randomNormal([layers * wDim, side * side * 3], 0, 1, 'float32', 12) as tf.Tensor2D;
    const synthesise = (ws: tf.Tensor3D) => tf.reshape(tf.matMul(tf.reshape(ws, [n, layers * wDim]), m), [n, side, side, 3]) as tf.Tensor4D;
    const ws = tf.randomNormal([n, layers, wDim], 0, 1, 'float32', 13) as tf.Tensor3D;
    const mean = tf.scalar(0.5);
    const { penalty, mean: newMean } = pathLengthPenalty(synthesise, ws, mean, { decay: 0.01 }, 42);
    // The same noise: y ~ N(0, I)/√(H·W) with the same seed.
    const y = tf.reshape(tf.div(tf.randomNormal([n, side, side, 3], 0, 1, 'float32', 43), side), [n, side * side * 3]);
    const jT = tf.reshape(tf.matMul(y, m, false, true), [n, layers, wDim]).arraySync() as number[][][];
    const lengths = jT.map((perLayer) => Math.sqrt(perLayer.reduce((s, w) => s + w.reduce((a, v) => a + v * v, 0), 0) / layers));
    const a = 0.5 + 0.01 * (lengths.reduce((s, l) => s + l, 0) / n - 0.5);
    expect(newMean.dataSync()[0]).toBeCloseTo(a, 5);
    expect(penalty.dataSync()[0]).toBeCloseTo(lengths.reduce((s, l) => s + (l - a) ** 2, 0) / n, 4);
  });

  it('runs lazily in training (every 4 steps) and moves the running mean', async () => {
    const parts = tinyParts();
    const { reals, h } = tinyBatch();
    const seen: Array<number | null> = [];
    for (const step of [1, 4]) seen.push((await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, step, seed: 2 })).pathLength);
    expect(seen[0]).toBeNull();
    expect(Number.isFinite(seen[1])).toBe(true);
    expect(parts.plMean.dataSync()[0]).toBeGreaterThan(0);
  });
});

function tinyParts(): TrainParts {
  return GanTrainer.buildParts(PRESETS.tiny, { textDim: TEXT, seed: 0, learningRate: 0.002 }); // the trainer's own G, D, G_ema and Adam
}

function tinyBatch(): { reals: tf.Tensor4D; h: tf.Tensor2D } {
  return { reals: tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D, h: unitRows(4, TEXT, 4) };
}

describe('minimizeInParts', () => {
  it('keeps Adam’s moments with their variables when a loss leaves a variable without a gradient (the path-length term leaves some)', () => {
    const [a, b, c] = [tf.variable(tf.ones([2])), tf.variable(tf.ones([3])), tf.variable(tf.ones([4]))];
    const adam = tf.train.adam(0.1, 0, 0.99, 1e-8);
    const all = (): tf.Scalar => tf.addN([tf.sum(a), tf.sum(b), tf.sum(c)]) as tf.Scalar;
    minimizeInParts(adam, 1, all, [a, b, c]);
    const bBefore = b.dataSync().slice();
    minimizeInParts(adam, 1, () => tf.add(tf.sum(a), tf.sum(c)) as tf.Scalar, [a, b, c]); // b has no gradient: c must not take b's moments
    expect(Array.from(b.dataSync())).toEqual(Array.from(bBefore));
    expect(c.dataSync()[0]).toBeLessThan(0.85);
  });
});

describe('small batches', () => {
  it('trains at batch 2, where the path-length term runs on one image', async () => {
    const parts = tinyParts();
    const reals = tf.tanh(tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 5)) as tf.Tensor4D;
    const h = unitRows(2, TEXT, 6);
    for (const step of [1, 4, 5, 8]) {
      const losses = await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, step, seed: 3 });
      expect(Number.isFinite(losses.gLoss)).toBe(true);
      if (step % 4 === 0) expect(Number.isFinite(losses.pathLength)).toBe(true);
    }
  }, 60_000);
});
