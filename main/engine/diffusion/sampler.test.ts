import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { DIFFUSION_PRESETS } from './presets.ts';
import { ddimStep, ddpmStep, guidedEps, sampleImages, samplingTimesteps, type Denoiser } from './sampler.ts';
import { noiseSchedule } from './schedule.ts';
import { UNet } from './unet.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor): Promise<number> => (await tf.max(tf.abs(tf.sub(a, b))).data())[0]!;

describe('samplers (DDIM, DDPM) and classifier-free guidance', () => {
  it('visits evenly spaced timesteps, descending to 0', () => {
    expect(samplingTimesteps(1000, 4)).toEqual([750, 500, 250, 0]);
    expect(samplingTimesteps(10, 10)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(() => samplingTimesteps(10, 11)).toThrow(RangeError);
  });

  it('a DDIM step (eq. 12, σ of eq. 16) matches the formula computed by hand', async () => {
    const s = noiseSchedule('linear', 1000);
    const x = tf.tensor4d([0.3, -0.2, 0.5], [1, 1, 1, 3]);
    const eps = tf.tensor4d([0.1, 0.4, -0.3], [1, 1, 1, 3]);
    const z = tf.tensor4d([1, -1, 0.5], [1, 1, 1, 3]);
    const [t, prev, eta] = [600, 400, 0.5];
    const [ab, abPrev] = [s.alphaBars[t]!, s.alphaBars[prev]!];
    const got = await ddimStep(s, x, eps, t, prev, eta, z).data();
    const [xs, es, zs] = [await x.data(), await eps.data(), await z.data()];
    for (let i = 0; i < 3; i++) {
      const x0 = Math.min(1, Math.max(-1, (xs[i]! - Math.sqrt(1 - ab) * es[i]!) / Math.sqrt(ab)));
      const e = (xs[i]! - Math.sqrt(ab) * x0) / Math.sqrt(1 - ab);
      const sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
      const expected = Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev - sigma ** 2) * e + sigma * zs[i]!;
      expect(got[i]).toBeCloseTo(expected, 5);
    }
  });

  it('η = 0 is deterministic and the last step returns x̂_0; a DDPM step with all T steps is Algorithm 2’s', async () => {
    const s = noiseSchedule('cosine', 100);
    const x = tf.tensor4d([0.3, -0.2, 0.5], [1, 1, 1, 3]);
    const eps = tf.tensor4d([0.1, 0.4, -0.3], [1, 1, 1, 3]);
    const last = await ddimStep(s, x, eps, 0, -1, 0).data();
    const xs = await x.data();
    const es = await eps.data();
    for (let i = 0; i < 3; i++) expect(last[i]).toBeCloseTo(Math.min(1, Math.max(-1, (xs[i]! - Math.sqrt(1 - s.alphaBars[0]!) * es[i]!) / Math.sqrt(s.alphaBars[0]!))), 5);
    // Algorithm 2 with σ² = β̃: x_{t−1} = 1/√α_t·(x_t − β_t/√(1 − ᾱ_t)·ε) + σ·z (where x̂_0 needs no clipping).
    const t = 50;
    const z = tf.tensor4d([1, -1, 0.5], [1, 1, 1, 3]);
    const small = tf.mul(eps, 0.1) as tf.Tensor4D;
    const got = await ddpmStep(s, tf.mul(x, 0.1) as tf.Tensor4D, small, t, t - 1, z).data();
    const [b, a, ab, abPrev] = [s.betas[t]!, s.alphas[t]!, s.alphaBars[t]!, s.alphaBars[t - 1]!];
    const sigma = Math.sqrt(((1 - abPrev) / (1 - ab)) * b);
    const zs = await z.data();
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo((0.1 * xs[i]! - (b / Math.sqrt(1 - ab)) * 0.1 * es[i]!) / Math.sqrt(a) + sigma * zs[i]!, 4);
  });

  it('guidance scale 1 is the conditional prediction; scale s is ε_u + s(ε_c − ε_u) with ε_u at h = 0', async () => {
    const unet = new UNet(DIFFUSION_PRESETS.tiny, { textDim: 8, seed: 1 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const h = tf.randomNormal([2, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const t = [10, 900];
    const conditional = unet.predict(x, t, h);
    expect(await maxAbsDiff(guidedEps(unet, x, t, h, 1), conditional)).toBe(0);
    const unconditional = unet.predict(x, t, tf.zerosLike(h));
    const expected = tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), 3));
    expect(await maxAbsDiff(guidedEps(unet, x, t, h, 3), expected)).toBeLessThan(1e-4);
    unet.dispose();
  });

  it('samples in [−1, 1], per-image seeds independent of the batch, with progress', async () => {
    const unet = new UNet(DIFFUSION_PRESETS.tiny, { textDim: 8, seed: 1 });
    const s = noiseSchedule('linear', 1000);
    const h = tf.randomNormal([2, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const seen: number[] = [];
    const options = { sampler: 'ddim' as const, steps: 3, eta: 0, guidance: 2, progress: (done: number) => seen.push(done) };
    const both = await sampleImages(unet as Denoiser, s, h, [5, 6], options);
    expect(both.shape).toEqual([2, 16, 16, 3]);
    expect(seen).toEqual([1, 2, 3]);
    const values = await both.data();
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    const second = await sampleImages(unet, s, tf.slice(h, [1, 0], [1, 8]) as tf.Tensor2D, [6], options);
    expect(await maxAbsDiff(tf.slice(both, [1, 0, 0, 0], [1, 16, 16, 3]), second)).toBeLessThan(1e-5);
    const ddpm = await sampleImages(unet, s, h, [5, 6], { ...options, sampler: 'ddpm' });
    expect(ddpm.shape).toEqual([2, 16, 16, 3]);
    unet.dispose();
  });
  it('samples latents of the network’s channels, x̂_0 left unclipped (LDM: latents have no [−1, 1] range)', async () => {
    const unet = new UNet(DIFFUSION_PRESETS.tinyLatent, { textDim: 8, seed: 1 });
    for (const v of unet.namedVariables().values()) v.assign(tf.tidy(() => tf.mul(v, 3))); // a network whose x̂_0 leaves [−1, 1]
    const s = noiseSchedule('linear', 1000);
    const h = tf.randomNormal([2, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const options = { sampler: 'ddim' as const, steps: 3, eta: 0, guidance: 1 };
    const [latents, clipped] = [await sampleImages(unet, s, h, [5, 6], { ...options, clip: false }), await sampleImages(unet, s, h, [5, 6], options)];
    expect(latents.shape).toEqual([2, 8, 8, 4]);
    expect(Math.max(...(await tf.abs(latents).data()))).toBeGreaterThan(1);
    expect(Math.max(...(await tf.abs(clipped).data()))).toBeLessThanOrEqual(1);
    tf.dispose([latents, clipped, h]);
    unet.dispose();
  });
});
