import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { DIFFUSION_PRESETS } from './presets.ts';
import { sampleImages } from './sampler.ts';
import { noiseSchedule } from './schedule.ts';
import { GroupNorm, sinusoidalEmbedding, UNet } from './unet.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const unitRows = (n: number, dim: number, seed: number): tf.Tensor2D =>
  tf.tidy(() => {
    const x = tf.randomNormal([n, dim], 0, 1, 'float32', seed);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor): Promise<number> => (await tf.max(tf.abs(tf.sub(a, b))).data())[0]!;

describe('the UNet ε_θ(x_t, t, h) with Lafite2’s t_emb’ = t_emb + Linear(h)', () => {
  it('sinusoidal embedding: sin and cos halves at the transformer frequencies', async () => {
    const e = await sinusoidalEmbedding([0, 5], 8).array();
    expect(e[0]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const w = (i: number) => Math.exp((-Math.log(10000) * i) / 3);
    for (let i = 0; i < 4; i++) {
      expect(e[1]![i]).toBeCloseTo(Math.sin(5 * w(i)), 5);
      expect(e[1]![4 + i]).toBeCloseTo(Math.cos(5 * w(i)), 5);
    }
  });

  it('group norm: zero mean and unit variance per sample and group', async () => {
    const norm = new GroupNorm('n', 8, 4);
    const x = tf.add(tf.mul(tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 3), 5), 2) as tf.Tensor4D;
    const y = tf.reshape(norm.apply(x), [2, 16, 4, 2]);
    const { mean, variance } = tf.moments(y, [1, 3]);
    expect(await tf.max(tf.abs(mean)).data()).toSatisfy((m: Float32Array) => m[0]! < 1e-5);
    expect(await tf.max(tf.abs(tf.sub(variance, 1))).data()).toSatisfy((v: Float32Array) => v[0]! < 1e-3);
  });

  it('time embedding has the MLP’s size, and h changes it by exactly Linear(h)', async () => {
    const unet = new UNet(DIFFUSION_PRESETS.tiny, { textDim: 12, seed: 0 });
    const [h1, h2] = [unitRows(3, 12, 1), unitRows(3, 12, 2)];
    const e1 = unet.timeEmbedding([0, 10, 99], h1);
    expect(e1.shape).toEqual([3, 4 * DIFFUSION_PRESETS.tiny.channels]);
    const e2 = unet.timeEmbedding([0, 10, 99], h2);
    const zero = unet.timeEmbedding([0, 10, 99], tf.zeros([3, 12]) as tf.Tensor2D);
    expect(await maxAbsDiff(e1, e2)).toBeGreaterThan(1e-3);
    // Linear: t_emb'(h1) − t_emb'(0) = W·h1 + b − b … so (e1 − zero) + (e2 − zero) = t_emb'(h1 + h2) − zero + zero − zero.
    const sum = unet.timeEmbedding([0, 10, 99], tf.add(h1, h2) as tf.Tensor2D);
    expect(await maxAbsDiff(tf.add(tf.sub(e1, zero), tf.sub(e2, zero)), tf.sub(sum, zero))).toBeLessThan(1e-4);
    unet.dispose();
  });

  it('predicts noise of the image’s shape; h and t change the prediction', async () => {
    const unet = new UNet(DIFFUSION_PRESETS.tiny, { textDim: 12, seed: 0 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const h = unitRows(2, 12, 1);
    const eps = unet.predict(x, [3, 50], h);
    expect(eps.shape).toEqual([2, 16, 16, 3]);
    expect(await maxAbsDiff(eps, unet.predict(x, [3, 50], unitRows(2, 12, 2)))).toBeGreaterThan(1e-4);
    expect(await maxAbsDiff(eps, unet.predict(x, [80, 20], h))).toBeGreaterThan(1e-4);
    expect(() => unet.predict(x, [1], h)).toThrow(RangeError);
    unet.dispose();
  });

  it('sampling’s frozen path (unet-inference.ts) equals the training path to 1e-5, and a guided DDIM run’s images to 5e-5', async () => {
    // Two levels with attention at 8 px: the upsampling, the skip concatenations, the qkv split; odd channel sums for the group norms.
    const unet = new UNet({ ...DIFFUSION_PRESETS.tiny, channels: 12, attentionResolutions: [8] }, { textDim: 12, seed: 0 });
    for (const v of unet.namedVariables().values()) v.assign(tf.tidy(() => tf.add(v, tf.randomNormal(v.shape, 0, 0.2, 'float32', v.size)))); // γ, β and biases not 1 and 0
    const x = tf.randomNormal([3, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const h = unitRows(3, 12, 1);
    const training = unet.predict(x, [3, 50, 999], h);
    const sampling = await unet.frozen(async () => unet.predict(x, [3, 50, 999], h));
    expect(await maxAbsDiff(training, sampling)).toBeLessThan(1e-5);
    const schedule = noiseSchedule('cosine', 1000);
    const plain = { options: unet.options, predict: unet.predict.bind(unet) }; // no `frozen`: the training path
    const options = { sampler: 'ddim', steps: 4, eta: 0, guidance: 3 } as const;
    const [a, b] = [await sampleImages(plain, schedule, h, [0, 1, 2], options), await sampleImages(unet, schedule, h, [0, 1, 2], options)];
    expect(await maxAbsDiff(a, b)).toBeLessThan(5e-5); // guidance 3 and x̂_0 = (x_t − √(1 − ᾱ)·ε)/√ᾱ at t = 999 scale the networks' 2e-6 up (1.1e-5 measured)
    tf.dispose([x, h, training, sampling, a, b]);
    unet.dispose();
  });

  it('has gradients on wasm for every variable (group norm, attention, resampling)', async () => {
    const unet = new UNet({ ...DIFFUSION_PRESETS.tiny, attentionResolutions: [8] }, { textDim: 12, seed: 0 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const h = unitRows(2, 12, 1);
    const variables = [...unet.namedVariables().values()];
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(unet.predict(x, [3, 50], h))) as tf.Scalar, variables);
    for (const [name, grad] of Object.entries(grads)) expect((await tf.sum(tf.abs(grad)).data())[0], name).toBeGreaterThan(0);
    expect(Object.keys(grads)).toHaveLength(variables.length);
    unet.dispose();
  });
});
