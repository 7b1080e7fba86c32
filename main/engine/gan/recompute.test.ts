import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Discriminator } from './discriminator.ts';
import { Generator } from './generator.ts';
import { downsample2x, lrelu, upsample2x } from './layers.ts';
import { LANGUAGE_FREE_WEIGHTS, pathLengthPenalty, r1Penalty } from './losses.ts';
import { PRESETS } from './presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type StepLosses, type TrainParts } from './train-step.ts';
import { recomputed } from './recompute.ts';

const TEXT = 16;
const unitRows = (n: number, dim: number, seed: number): tf.Tensor2D =>
  tf.tidy(() => {
    const x = tf.randomNormal([n, dim], 0, 1, 'float32', seed);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });

/** The largest difference between two sets of tensors, relative to the largest magnitude in the first. */
async function relativeDifference(a: tf.Tensor[], b: tf.Tensor[]): Promise<number> {
  expect(a.length).toBe(b.length);
  let difference = 0;
  let scale = 1e-12;
  for (const [i, x] of a.entries()) {
    expect(b[i]!.shape).toEqual(x.shape);
    difference = Math.max(difference, (await tf.max(tf.abs(tf.sub(x, b[i]!))).data())[0]!);
    scale = Math.max(scale, (await tf.max(tf.abs(x)).data())[0]!);
  }
  return difference / scale;
}

/** ∂loss/∂variables in the variables' order (zeros for a variable the loss does not depend on). */
function gradientsOf(loss: () => tf.Scalar, variables: tf.Variable[]): tf.Tensor[] {
  const { value, grads } = tf.variableGrads(loss, variables);
  value.dispose();
  return variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('recomputed (gradient checkpointing)', () => {
  it('gives the plain function’s value, first-order and second-order gradients, and leaves no tensor behind', async () => {
    const w = tf.variable(tf.randomNormal([3, 3, 4, 4], 0, 0.3, 'float32', 1));
    const b = tf.variable(tf.randomNormal([4], 0, 0.3, 'float32', 2));
    const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const block = (input: tf.Tensor): tf.Tensor4D => lrelu(tf.add(tf.conv2d(lrelu(tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')), w as tf.Tensor4D, 1, 'same'), b));
    const net = (input: tf.Tensor4D, checkpoint: boolean): tf.Tensor4D => {
      let y = input;
      for (let i = 0; i < 3; i++) y = checkpoint ? recomputed(block, [y], [w, b]) : block(y);
      return y;
    };
    expect(await relativeDifference([net(x, false)], [net(x, true)])).toBe(0); // the same ops in the same order
    const loss = (checkpoint: boolean) => () => tf.sum(tf.square(net(x, checkpoint))) as tf.Scalar;
    expect(await relativeDifference(gradientsOf(loss(false), [w, b]), gradientsOf(loss(true), [w, b]))).toBeLessThan(1e-5);
    // R1's form: the gradient (with respect to variables) of a function of the input gradient.
    const r1 = (checkpoint: boolean) => () => {
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(net(input as tf.Tensor4D, checkpoint), 0.1)))(x);
      return tf.sum(tf.square(dx)) as tf.Scalar;
    };
    expect(await relativeDifference(gradientsOf(r1(false), [w, b]), gradientsOf(r1(true), [w, b]))).toBeLessThan(1e-5);
    // Nothing left behind: the tapes (the nested ones included) are disposed.
    const before = tf.memory().numTensors;
    tf.dispose(gradientsOf(r1(true), [w, b]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b, x]);
  });

  it('the discriminator: same logits, gradients and R1 gradients with its blocks checkpointed', async () => {
    const d = new Discriminator(PRESETS.tiny, { textDim: TEXT, seed: 1 });
    const x = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 5)) as tf.Tensor4D;
    const h = unitRows(4, TEXT, 6);
    const variables = [...d.namedVariables().values()];
    expect(await relativeDifference([d.apply(x, h).logits], [d.apply(x, h, 'paper', true).logits])).toBe(0);
    const loss = (recompute: boolean) => () => tf.mean(tf.softplus(d.apply(x, h, 'paper', recompute).logits)) as tf.Scalar;
    expect(await relativeDifference(gradientsOf(loss(false), variables), gradientsOf(loss(true), variables))).toBeLessThan(1e-5);
    const r1 = (recompute: boolean) => () => r1Penalty((input) => d.apply(input, h, 'paper', recompute).logits, x, 10, 16);
    expect(await relativeDifference(gradientsOf(r1(false), variables), gradientsOf(r1(true), variables))).toBeLessThan(1e-5);
    d.dispose();
  });

  it('the generator: same images, gradients and path-length gradients with its blocks checkpointed', async () => {
    const g = new Generator(PRESETS.tiny, { textDim: TEXT, seed: 2 });
    const z = tf.randomNormal([2, PRESETS.tiny.zDim], 0, 1, 'float32', 7) as tf.Tensor2D;
    const h = unitRows(2, TEXT, 8);
    const variables = g.trainableVariables();
    const plain = g.generate(z, h, { noiseSeed: 3 });
    expect(await relativeDifference([plain], [g.generate(z, h, { noiseSeed: 3, recompute: true })])).toBe(0);
    const loss = (recompute: boolean) => () => tf.mean(tf.square(g.generate(z, h, { noiseSeed: 3, recompute }))) as tf.Scalar;
    expect(await relativeDifference(gradientsOf(loss(false), variables), gradientsOf(loss(true), variables))).toBeLessThan(1e-5);
    const mean = tf.scalar(0.5);
    const pl = (recompute: boolean) => () => pathLengthPenalty((ws) => g.synthesise(ws, h, 3, recompute), g.ws(z), mean, { decay: 0.01 }, 9).penalty;
    expect(await relativeDifference(gradientsOf(pl(false), variables), gradientsOf(pl(true), variables))).toBeLessThan(1e-5);
    expect(() => g.synthesise(g.ws(z), h, undefined, true)).toThrow(/noise seed/);
    g.dispose();
  });

  it('a training step (R1 and path length included) gives the same losses and weights with less memory at its peak', async () => {
    const run = async (recompute: boolean) => {
      const parts: TrainParts = {
        g: new Generator(PRESETS.tiny, { textDim: TEXT, seed: 0 }),
        d: new Discriminator(PRESETS.tiny, { textDim: TEXT, seed: 1 }),
        gEma: new Generator(PRESETS.tiny, { textDim: TEXT, seed: 0 }),
        gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
        dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
        plMean: newPlMean(),
      };
      const reals = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
      const h = unitRows(4, TEXT, 4);
      let losses: StepLosses | undefined;
      const options = { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, seed: 2, step: 0, recompute };
      const profile = await tf.profile(async () => {
        losses = await trainStepAsync(parts, { reals, h }, options);
      });
      const weights = [...parts.g.trainableVariables(), ...parts.d.namedVariables().values()].map((v) => tf.clone(v));
      for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
      parts.gOptimizer.dispose();
      parts.dOptimizer.dispose();
      tf.dispose([reals, h, parts.plMean]);
      return { losses: losses!, weights, peak: profile.peakBytes };
    };
    const plain = await run(false);
    const checkpointed = await run(true);
    expect(checkpointed.losses.r1).not.toBeNull();
    expect(checkpointed.losses.pathLength).not.toBeNull();
    for (const [name, value] of Object.entries(plain.losses)) expect(checkpointed.losses[name as keyof StepLosses], name).toBeCloseTo(value ?? 0, 5);
    expect(await relativeDifference(plain.weights, checkpointed.weights)).toBeLessThan(1e-5);
    expect(checkpointed.peak).toBeLessThan(plain.peak);
    tf.dispose([...plain.weights, ...checkpointed.weights]);
  }, 60_000);
});

describe('custom-gradient layers (nothing or one tensor kept for the gradient)', () => {
  it('the FIR resamplings are each other’s adjoints (upᵀ = 4·down, downᵀ = up/4), which is their gradient', async () => {
    const x = tf.randomNormal([2, 6, 8, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const r = tf.randomNormal([2, 12, 16, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
    const inner = async (a: tf.Tensor, b: tf.Tensor) => (await tf.sum(tf.mul(a, b)).data())[0]!;
    expect(await inner(upsample2x(x), r)).toBeCloseTo(await inner(x, tf.mul(downsample2x(r), 4)), 3); // ⟨up x, r⟩ = ⟨x, upᵀ r⟩
    const gradUp = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(upsample2x(input as tf.Tensor4D), r)))(x);
    expect(await relativeDifference([gradUp], [tf.mul(downsample2x(r), 4)])).toBeLessThan(1e-6);
    const gradDown = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(downsample2x(input as tf.Tensor4D), x)))(r);
    expect(await relativeDifference([gradDown], [tf.mul(upsample2x(x), 0.25)])).toBeLessThan(1e-6);
    // Finite differences along a random direction, through both: the gradient is the true one, not only self-consistent.
    const f = (input: tf.Tensor4D) => tf.sum(tf.square(downsample2x(upsample2x(input))));
    const v = tf.randomNormal(x.shape, 0, 1, 'float32', 13);
    const epsilon = 1e-2;
    const numeric = ((await f(tf.add(x, tf.mul(v, epsilon)) as tf.Tensor4D).data())[0]! - (await f(tf.sub(x, tf.mul(v, epsilon)) as tf.Tensor4D).data())[0]!) / (2 * epsilon);
    expect(await inner(tf.grad((input: tf.Tensor) => f(input as tf.Tensor4D))(x), v)).toBeCloseTo(numeric, 1);
  });

  it('leaky ReLU: gain √2 where x > 0 and 0.2·√2 elsewhere, and a second-order gradient through it', async () => {
    const x = tf.tensor1d([-2, -0.5, 0, 0.5, 3]);
    expect(Array.from(await lrelu(x).data())).toEqual(
      Array.from(await tf.tensor1d([-0.4, -0.1, 0, 0.5, 3]).mul(Math.SQRT2).data()).map((v) => expect.closeTo(v, 6) as unknown as number),
    );
    const slope = await tf
      .grad((input: tf.Tensor) => tf.sum(lrelu(input)))(x)
      .data();
    expect(Array.from(slope)).toEqual([0.2, 0.2, 0.2, 1, 1].map((v) => expect.closeTo(v * Math.SQRT2, 6) as unknown as number));
    // d/dw Σ (∂/∂x Σ lrelu(w·x))² = d/dw Σ (slope·w)² = 2·w·Σ slope²: the slope is constant to the outer gradient.
    const w = tf.scalar(1.5);
    const second = await tf
      .grad((weight: tf.Tensor) => tf.sum(tf.square(tf.grad((input: tf.Tensor) => tf.sum(lrelu(tf.mul(input, weight))))(x))))(w)
      .data();
    const expected = 2 * 1.5 * [0.2, 0.2, 0.2, 1, 1].reduce((sum, v) => sum + 2 * v * v, 0);
    expect(second[0]).toBeCloseTo(expected, 4);
  });
});
