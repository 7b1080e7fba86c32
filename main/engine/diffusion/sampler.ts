/**
 * Sampling from a trained ε_θ: DDIM (Song et al. 2021) on a subsequence of the T timesteps with
 * its η, and DDPM's ancestral sampler (Ho et al. 2020, Algorithm 2) on the same subsequence
 * (respaced as Nichol & Dhariwal 2021 §4 do; with steps = T it is DDPM exactly), both with
 * classifier-free guidance (Ho & Salimans 2022): ε̃ = ε_u + s·(ε_c − ε_u), the unconditional
 * prediction taken at the null condition h = 0 that training dropped conditions to.
 * Each image's starting noise and per-step noise come from its own seed, so an image does not
 * depend on what else is in the batch.
 *
 * @example
 *   const images = await sampleImages(unet, schedule, h, [0, 1, 2, 3], { sampler: 'ddim', steps: 25, eta: 0, guidance: 3 });
 */
import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from '../random.ts';
import type { NoiseSchedule } from './schedule.ts';

/** What a sampler needs of the network. */
export interface Denoiser {
  readonly options: { resolution: number };
  /** Channels of x: 3 in pixel space (the default), the latent channels in latent space. */
  readonly imageChannels?: number;
  predict(x: tf.Tensor4D, t: readonly number[], h: tf.Tensor2D): tf.Tensor4D;
  /** Runs a whole sampling on a faster path that takes no gradients (the UNet's: unet-inference.ts). */
  frozen?<T>(run: () => Promise<T>): Promise<T>;
}

export const SAMPLERS = ['ddim', 'ddpm'] as const;
export type SamplerKind = (typeof SAMPLERS)[number];

export interface SampleOptions {
  sampler: SamplerKind;
  /** Denoising steps: a subsequence of the T timesteps (T: DDPM exactly). */
  steps: number;
  /** DDIM's η (eq. 16): 0 deterministic, 1 DDPM-like noise. Ignored by `ddpm`. */
  eta: number;
  /** Classifier-free guidance scale s: 1 the conditional model alone, 0 the unconditional one. */
  guidance: number;
  /**
   * Whether x̂_0 is clipped to the data range [−1, 1] (default: yes, pixel space as DDPM samples it);
   * latents have no such range, so latent sampling leaves x̂_0 as predicted (LDM's samplers do).
   */
  clip?: boolean;
  /** Called after each denoising step. */
  progress?(done: number, total: number): void;
}

/** The timesteps a sampler visits, descending: `steps` evenly spaced indices of 0…T−1 (DDIM §4.2's linear sub-sequence τ), ending at 0. */
export function samplingTimesteps(timesteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > timesteps) throw new RangeError(`steps must be a whole number from 1 to T = ${timesteps}, got ${steps}`);
  return Array.from({ length: steps }, (_, i) => Math.floor((i * timesteps) / steps)).reverse();
}

/** ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022, eq. 6 with s = 1 + w); s = 1 runs the conditional pass alone. */
export function guidedEps(model: Denoiser, x: tf.Tensor4D, t: readonly number[], h: tf.Tensor2D, guidance: number): tf.Tensor4D {
  if (guidance === 1) return model.predict(x, t, h);
  return tf.tidy(() => {
    const n = x.shape[0];
    const both = model.predict(tf.concat([x, x]), [...t, ...t], tf.concat([h, tf.zerosLike(h)])); // one pass: conditional, then null condition
    const [conditional, unconditional] = tf.split(both, [n, n]) as [tf.Tensor4D, tf.Tensor4D];
    return tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), guidance)) as tf.Tensor4D;
  });
}

/** x̂_0 = (x_t − √(1 − ᾱ_t)·ε)/√ᾱ_t (DDIM eq. 9), clipped to the data range [−1, 1] unless `clip` is off (latents); ε re-derived from the clipped x̂_0 so both agree. */
function predictX0(x: tf.Tensor4D, eps: tf.Tensor4D, alphaBar: number, clip: boolean): { x0: tf.Tensor4D; eps: tf.Tensor4D } {
  const raw = tf.div(tf.sub(x, tf.mul(eps, Math.sqrt(1 - alphaBar))), Math.sqrt(alphaBar)) as tf.Tensor4D;
  if (!clip) return { x0: raw, eps };
  const x0 = tf.clipByValue(raw, -1, 1) as tf.Tensor4D;
  const consistent = tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(alphaBar))), Math.sqrt(1 - alphaBar)) as tf.Tensor4D;
  return { x0, eps: consistent };
}

/** ᾱ at index t, with ᾱ = 1 before the first step (t = −1: the clean image). */
const alphaBarAt = (schedule: NoiseSchedule, t: number): number => (t < 0 ? 1 : schedule.alphaBars[t]!);

/**
 * One DDIM update from t to tPrev (DDIM eq. 12): x_{t−1} = √ᾱ_{t−1}·x̂_0 + √(1 − ᾱ_{t−1} − σ²)·ε + σ·z,
 * σ = η·√((1 − ᾱ_{t−1})/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_{t−1}) (eq. 16). `noise` z is needed only when η > 0.
 */
export function ddimStep(schedule: NoiseSchedule, x: tf.Tensor4D, epsRaw: tf.Tensor4D, t: number, tPrev: number, eta: number, noise?: tf.Tensor4D, clip = true): tf.Tensor4D {
  return tf.tidy(() => {
    const [alphaBar, alphaBarPrev] = [alphaBarAt(schedule, t), alphaBarAt(schedule, tPrev)];
    const { x0, eps } = predictX0(x, epsRaw, alphaBar, clip);
    const sigma = eta * Math.sqrt((1 - alphaBarPrev) / (1 - alphaBar)) * Math.sqrt(1 - alphaBar / alphaBarPrev);
    const direction = tf.mul(eps, Math.sqrt(Math.max(0, 1 - alphaBarPrev - sigma * sigma))); // "direction pointing to x_t"
    const mean = tf.add(tf.mul(x0, Math.sqrt(alphaBarPrev)), direction) as tf.Tensor4D;
    if (sigma === 0) return mean;
    if (!noise) throw new Error('ddimStep: η > 0 needs noise');
    return tf.add(mean, tf.mul(noise, sigma)) as tf.Tensor4D;
  });
}

/**
 * One ancestral step from t to tPrev: x_{t−1} ~ q(x_{t−1} | x_t, x̂_0) = N(μ̃, β̃) (DDPM eqs. 6–7) with
 * β' = 1 − ᾱ_t/ᾱ_{t−1} the respaced step's β: μ̃ = √ᾱ_{t−1}·β'/(1 − ᾱ_t)·x̂_0 + √(1 − β')·(1 − ᾱ_{t−1})/(1 − ᾱ_t)·x_t,
 * β̃ = (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β'. No noise on the last step.
 */
export function ddpmStep(schedule: NoiseSchedule, x: tf.Tensor4D, epsRaw: tf.Tensor4D, t: number, tPrev: number, noise?: tf.Tensor4D, clip = true): tf.Tensor4D {
  return tf.tidy(() => {
    const [alphaBar, alphaBarPrev] = [alphaBarAt(schedule, t), alphaBarAt(schedule, tPrev)];
    const beta = 1 - alphaBar / alphaBarPrev;
    const { x0 } = predictX0(x, epsRaw, alphaBar, clip);
    const mean = tf.add(tf.mul(x0, (Math.sqrt(alphaBarPrev) * beta) / (1 - alphaBar)), tf.mul(x, (Math.sqrt(1 - beta) * (1 - alphaBarPrev)) / (1 - alphaBar))) as tf.Tensor4D;
    const variance = ((1 - alphaBarPrev) / (1 - alphaBar)) * beta;
    if (tPrev < 0 || variance === 0) return mean;
    if (!noise) throw new Error('ddpmStep: needs noise');
    return tf.add(mean, tf.mul(noise, Math.sqrt(variance))) as tf.Tensor4D;
  });
}

/** N(0, I) noise of one image per seed, stacked: [N, R, R, C]. `stream` separates the start noise (0) from each step's. */
function seededNoise(seeds: readonly number[], resolution: number, channels: number, stream: number): tf.Tensor4D {
  return tf.tidy(
    () => tf.concat(seeds.map((seed) => tf.randomNormal([1, resolution, resolution, channels], 0, 1, 'float32', tfSeed((seed * 1009 + stream * 7919) >>> 0)))) as tf.Tensor4D,
  );
}

/** Images in [−1, 1], [N, R, R, 3] (latent space: latents [N, R, R, C]), for conditions h [N, D] and one seed per image. */
export async function sampleImages(model: Denoiser, schedule: NoiseSchedule, h: tf.Tensor2D, seeds: readonly number[], options: SampleOptions): Promise<tf.Tensor4D> {
  if (seeds.length !== h.shape[0]) throw new RangeError(`sampleImages: ${seeds.length} seeds for ${h.shape[0]} conditions`);
  return model.frozen ? model.frozen(() => denoise(model, schedule, h, seeds, options)) : denoise(model, schedule, h, seeds, options);
}

/** The sampling loop: x_T ~ N(0, I), then one guided prediction and update per timestep of the subsequence. */
async function denoise(model: Denoiser, schedule: NoiseSchedule, h: tf.Tensor2D, seeds: readonly number[], options: SampleOptions): Promise<tf.Tensor4D> {
  const [resolution, channels] = [model.options.resolution, model.imageChannels ?? 3];
  const clip = options.clip ?? true;
  const timesteps = samplingTimesteps(schedule.timesteps, options.steps);
  const n = seeds.length;
  let x = seededNoise(seeds, resolution, channels, 0); // x_T ~ N(0, I)
  for (let i = 0; i < timesteps.length; i++) {
    const [t, tPrev] = [timesteps[i]!, timesteps[i + 1] ?? -1];
    const next = tf.tidy(() => {
      const eps = guidedEps(model, x, new Array<number>(n).fill(t), h, options.guidance);
      const stochastic = tPrev >= 0 && (options.sampler === 'ddpm' || options.eta > 0);
      const noise = stochastic ? seededNoise(seeds, resolution, channels, i + 1) : undefined;
      return options.sampler === 'ddim' ? ddimStep(schedule, x, eps, t, tPrev, options.eta, noise, clip) : ddpmStep(schedule, x, eps, t, tPrev, noise, clip);
    });
    x.dispose();
    x = next;
    options.progress?.(i + 1, timesteps.length);
    await new Promise<void>((resolve) => setImmediate(resolve)); // let a job's cancel and progress messages through between steps
  }
  return x;
}
