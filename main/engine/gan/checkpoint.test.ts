import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp.ts';
import { initBackend } from '../backend.ts';
import { restoreCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { Discriminator } from './discriminator.ts';
import { Generator } from './generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from './losses.ts';
import { PRESETS } from './presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from './train-step.ts';

const TEXT = 16;
const dir = tempDir();
afterAll(() => dir.remove());
beforeAll(async () => {
  await initBackend('wasm');
});

function makeParts(seed: number): TrainParts {
  return {
    g: new Generator(PRESETS.tiny, { textDim: TEXT, seed }),
    d: new Discriminator(PRESETS.tiny, { textDim: TEXT, seed: seed + 1 }),
    gEma: new Generator(PRESETS.tiny, { textDim: TEXT, seed }),
    gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    plMean: newPlMean(),
  };
}
const checkpointParts = (p: TrainParts) => ({
  networks: { g: p.g.namedVariables(), d: p.d.namedVariables(), g_ema: p.gEma.namedVariables() },
  optimizers: { g: p.gOptimizer, d: p.dOptimizer },
});

describe('checkpoints', () => {
  it('round-trip networks and optimizer state: a restored run continues exactly as the original', async () => {
    const reals = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 1)) as tf.Tensor4D;
    const h = tf.tidy(() => {
      const x = tf.randomNormal([4, TEXT], 0, 1, 'float32', 2);
      return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
    });
    const step = (p: TrainParts, s: number) =>
      trainStepAsync(p, { reals, h }, { ...DEFAULT_STEP, r1Interval: 1000, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, step: s, seed: 3 });
    const original = makeParts(0);
    await step(original, 1);
    const file = `${dir.path}/run/checkpoint.bin`;
    await writeCheckpoint(file, { ...checkpointParts(original), state: { step: 1, history: [0.5] } });

    const restored = makeParts(50); // other initial weights, fresh optimizers
    expect(await restoreCheckpoint(file, checkpointParts(restored))).toEqual({ step: 1, history: [0.5] });
    const z = tf.randomNormal([2, PRESETS.tiny.zDim], 0, 1, 'float32', 4) as tf.Tensor2D;
    const same = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(same(restored.gEma.generate(z, tf.slice(h, [0, 0], [2, TEXT]), { noiseSeed: 1 }), original.gEma.generate(z, tf.slice(h, [0, 0], [2, TEXT]), { noiseSeed: 1 }))).toBe(0);

    // The next step, with Adam's moments restored, lands on the same weights.
    const a = await step(original, 2);
    const b = await step(restored, 2);
    expect(b.dLoss).toBeCloseTo(a.dLoss, 5);
    expect(b.gLoss).toBeCloseTo(a.gLoss, 5);
    const gA = original.g.trainableVariables();
    const gB = restored.g.trainableVariables();
    expect(Math.max(...gA.map((v, i) => same(v, gB[i]!)))).toBeLessThan(1e-5);
  }, 60_000);

  it('refuses a checkpoint of another preset with a clear message', async () => {
    const file = `${dir.path}/tiny.bin`;
    const tiny = makeParts(0);
    await writeCheckpoint(file, { ...checkpointParts(tiny), state: {} });
    const other = new Generator({ ...PRESETS.tiny, channelMax: 16 }, { textDim: TEXT, seed: 0 });
    await expect(restoreCheckpoint(file, { networks: { g: other.namedVariables() }, optimizers: {} })).rejects.toThrow(/another shape \(another preset\?\)/);
  });
});
