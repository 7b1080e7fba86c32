import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { loadClipTowersFromOnnx } from '../clip/onnx-import.ts';
import { SHAPES_CLIP_ID } from '../shapes/clip.ts';
import { builtinModelDir } from '../../store/paths.ts';
import { Discriminator } from './discriminator.ts';
import { Generator } from './generator.ts';
import { LANGUAGE_FREE_WEIGHTS, r1Penalty } from './losses.ts';
import { PRESETS } from './presets.ts';
import { GanTrainer } from './trainer.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from './train-step.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const snapshot = (variables: Iterable<tf.Variable>): Float32Array[] => [...variables].map((v) => Float32Array.from(v.dataSync()));
const changed = (before: Float32Array[], variables: Iterable<tf.Variable>): boolean[] => [...variables].map((v, i) => v.dataSync().some((x, j) => x !== before[i]![j]));

describe('trainStep (Lafite eqs. 8 and 9)', () => {
  it('updates D (all but the frozen blocks), G and its EMA, with ConG through the CLIP image tower, and finite losses', async () => {
    const towers = await loadClipTowersFromOnnx(builtinModelDir(SHAPES_CLIP_ID), undefined, { towers: ['vision'], trainable: false });
    const textDim = towers.config.vision.projectionDim;
    const parts: TrainParts = {
      g: new Generator(PRESETS.tiny, { textDim, seed: 0 }),
      d: new Discriminator(PRESETS.tiny, { textDim, seed: 1 }),
      gEma: new Generator(PRESETS.tiny, { textDim, seed: 0 }),
      clip: { towers, imageSize: towers.config.vision.imageSize },
      gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
      dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
      plMean: newPlMean(),
    };
    const reals = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
    const h = tf.tidy(() => {
      const x = tf.randomNormal([4, textDim], 0, 1, 'float32', 4);
      return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
    });
    const frozen = snapshot([...parts.d.namedVariables().entries()].filter(([k]) => k.startsWith('b16.')).map(([, v]) => v));
    const dTrained = snapshot(parts.d.namedVariables(1).values());
    const gBefore = snapshot(parts.g.trainableVariables());
    const emaBefore = snapshot(parts.gEma.trainableVariables());
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      const losses = await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, frozenBlocks: 1, step, seed: 7 });
      for (const value of [losses.dLoss, losses.gLoss, losses.conDReal, losses.conDFake, losses.conG]) expect(Number.isFinite(value)).toBe(true);
      expect(losses.r1 === null).toBe(step % DEFAULT_STEP.r1Interval !== 0);
      expect(losses.conG).toBeGreaterThan(0);
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).toBe(counts[1]); // after the optimizers' slots exist, a step leaves nothing behind
    // Only Adam's two slots per trained variable (and its step counters) stay: no tensor leaks per step.
    const slots = 2 * (parts.g.trainableVariables().length + parts.d.namedVariables(1).size) + 4;
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(slots);
    expect(
      changed(
        frozen,
        [...parts.d.namedVariables().entries()].filter(([k]) => k.startsWith('b16.')).map(([, v]) => v),
      ).some(Boolean),
    ).toBe(false);
    expect(changed(dTrained, parts.d.namedVariables(1).values()).filter(Boolean).length).toBeGreaterThan(0);
    expect(changed(gBefore, parts.g.trainableVariables()).filter(Boolean).length).toBeGreaterThan(parts.g.trainableVariables().length / 2);
    expect(changed(emaBefore, parts.gEma.trainableVariables()).filter(Boolean).length).toBeGreaterThan(0);
  }, 60_000);
});

describe('the mode-seeking term (MSGAN, Mao et al. 2019 eq. 3)', () => {
  /** Mean absolute difference of G's pictures of the same h from different latents, over the latents' difference. */
  const diversity = (g: Generator, h: tf.Tensor2D): number =>
    tf.tidy(() => {
      const z1 = tf.randomNormal([4, g.options.zDim], 0, 1, 'float32', 11) as tf.Tensor2D;
      const z2 = tf.randomNormal([4, g.options.zDim], 0, 1, 'float32', 12) as tf.Tensor2D;
      const dImages = tf.mean(tf.abs(tf.sub(g.generate(z1, h, { noiseSeed: 1 }), g.generate(z2, h, { noiseSeed: 1 }))));
      return dImages.div(tf.mean(tf.abs(tf.sub(z1, z2)))).dataSync()[0]!;
    });

  async function train(modeSeeking: number): Promise<{ ratios: (number | null)[]; diversity: number }> {
    const textDim = 16;
    const parts = GanTrainer.buildParts(PRESETS.tiny, { textDim, seed: 0, learningRate: 0.01 });
    const reals = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
    const h = tf.tidy(() => tf.tile(tf.div(tf.ones([1, textDim]), 4), [4, 1]) as tf.Tensor2D); // one condition for the whole batch
    const ratios: (number | null)[] = [];
    for (let step = 1; step <= 6; step++) {
      const losses = await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: { ...LANGUAGE_FREE_WEIGHTS, conG: 0 }, emaBeta: 0, modeSeeking, step, seed: 5 });
      ratios.push(losses.modeSeeking);
    }
    return { ratios, diversity: diversity(parts.g, h) };
  }

  it('reports d_I/d_z when on (null when off) and makes G draw more varied pictures of one h than without it', async () => {
    const without = await train(0);
    const withTerm = await train(20);
    expect(without.ratios.every((r) => r === null)).toBe(true);
    expect(withTerm.ratios.every((r) => r !== null && Number.isFinite(r) && r > 0)).toBe(true);
    expect(withTerm.diversity).toBeGreaterThan(1.2 * without.diversity);
  }, 60_000);
});

describe('lazy R1 (StyleGAN2-ADA `Dreg`) as a pass of its own in the discriminator update', () => {
  const textDim = 16;
  const fresh = (): TrainParts => GanTrainer.buildParts(PRESETS.tiny, { textDim, seed: 0, learningRate: 0.002 });

  it('reports the penalty of the reals on the step-0 discriminator, and its gradient moves the update', async () => {
    const reals = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
    const h = tf.tidy(() => tf.div(tf.ones([4, textDim]), 4) as tf.Tensor2D);
    const dAfter = async (r1Gamma: number, accumulate: number): Promise<{ r1: number | null; direct: number; weights: Float32Array[] }> => {
      const parts = fresh();
      // Per micro-batch (their minibatch standard deviations differ), weighted by its share of the batch.
      const n = accumulate === 1 ? 4 : 2;
      const direct = tf.tidy(() =>
        [0, n]
          .slice(0, 4 / n)
          .map(
            (start) =>
              (n / 4) *
              r1Penalty(
                (x) => parts.d.apply(x, tf.slice(h, [start, 0], [n, -1])).logits,
                tf.slice(reals, [start, 0, 0, 0], [n, -1, -1, -1]),
                r1Gamma,
                DEFAULT_STEP.r1Interval,
              ).dataSync()[0]!,
          )
          .reduce((a, b) => a + b),
      );
      const losses = await trainStepAsync(
        parts,
        { reals, h },
        { ...DEFAULT_STEP, r1Gamma, weights: { ...LANGUAGE_FREE_WEIGHTS, conG: 0 }, emaBeta: 0.9, step: 0, seed: 3, accumulate },
      );
      const weights = snapshot(parts.d.namedVariables().values());
      for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
      return { r1: losses.r1, direct, weights };
    };
    const plain = await dAfter(0, 1);
    const strong = await dAfter(100, 1);
    const inParts = await dAfter(100, 2);
    expect(plain.r1).toBe(0);
    expect(strong.r1).toBeGreaterThan(0);
    expect(strong.r1!).toBeCloseTo(strong.direct, 4); // the reported figure is R1 of the reals, before the update
    expect(inParts.r1!).toBeCloseTo(inParts.direct, 4); // in micro-batches, the parts' shares of it add up
    // Without R1's gradient in the update the two would train D alike: the pass must reach the optimizer.
    const moved = strong.weights.some((w, i) => w.some((x, j) => Math.abs(x - plain.weights[i]![j]!) > 1e-7));
    expect(moved).toBe(true);
  }, 60_000);
});
