/**
 * The forward (noising) process of a denoising diffusion model (DDPM, Ho et al. 2020):
 * a variance schedule β_1…β_T, α_t = 1 − β_t, ᾱ_t = Π_{s≤t} α_s, and the closed form
 * q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I) (DDPM eq. 4) used to noise a batch in one go.
 * Index convention: arrays run over t = 0…T−1, where index t is the paper's step t + 1.
 *
 * @example
 *   const schedule = noiseSchedule('linear', 1000);
 *   const xt = qSample(schedule, x0, [999, 10], eps);   // [N, H, W, C]
 */
import * as tf from '@tensorflow/tfjs-core';

/** How β_t grows with t. */
export type NoiseScheduleKind =
  /** DDPM §4: β linear from 10⁻⁴ to 0.02 over T = 1000 (scaled by 1000/T for other T, as Nichol & Dhariwal 2021 do). */
  | 'linear'
  /** Improved DDPM (Nichol & Dhariwal 2021, eq. 17): ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), s = 0.008; β ≤ 0.999. */
  | 'cosine';

export interface NoiseSchedule {
  kind: NoiseScheduleKind;
  /** T, the number of diffusion steps. */
  timesteps: number;
  betas: Float64Array; // [T]
  alphas: Float64Array; // [T], α_t = 1 − β_t
  alphaBars: Float64Array; // [T], ᾱ_t = Π_{s≤t} α_s
}

const COSINE_OFFSET = 0.008; // s of Nichol & Dhariwal eq. 17: keeps β_1 from being tiny
const MAX_BETA = 0.999; // their clip, so the last steps do not become singular

function betasOf(kind: NoiseScheduleKind, timesteps: number): Float64Array {
  const betas = new Float64Array(timesteps);
  if (kind === 'linear') {
    const scale = 1000 / timesteps;
    const [start, end] = [1e-4 * scale, 0.02 * scale];
    for (let t = 0; t < timesteps; t++) betas[t] = timesteps === 1 ? start : start + ((end - start) * t) / (timesteps - 1);
    return betas;
  }
  const f = (t: number): number => Math.cos(((t / timesteps + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2)) ** 2;
  for (let t = 0; t < timesteps; t++) betas[t] = Math.min(MAX_BETA, 1 - f(t + 1) / f(t)); // β_t = 1 − ᾱ_t/ᾱ_{t−1}
  return betas;
}

/** The schedule of T steps. */
export function noiseSchedule(kind: NoiseScheduleKind, timesteps: number): NoiseSchedule {
  if (!Number.isInteger(timesteps) || timesteps < 1) throw new RangeError(`timesteps must be a whole number ≥ 1, got ${timesteps}`);
  const betas = betasOf(kind, timesteps);
  const alphas = betas.map((b) => 1 - b);
  const alphaBars = new Float64Array(timesteps);
  let product = 1;
  for (let t = 0; t < timesteps; t++) alphaBars[t] = product *= alphas[t]!; // ᾱ_t = Π α_s (DDPM, after eq. 3)
  return { kind, timesteps, betas, alphas, alphaBars };
}

/** A per-sample coefficient as a [N, 1, 1, 1] tensor, to scale a batch of images. */
export const perSample = (values: readonly number[]): tf.Tensor4D => tf.tensor4d([...values], [values.length, 1, 1, 1]);

/** x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε  (DDPM eq. 4, reparameterised as in the argument of eq. 14). x0, eps [N, H, W, C]; t one index per sample. */
export function qSample(schedule: NoiseSchedule, x0: tf.Tensor4D, t: readonly number[], eps: tf.Tensor4D): tf.Tensor4D {
  if (t.length !== x0.shape[0]) throw new RangeError(`qSample: ${t.length} timesteps for a batch of ${x0.shape[0]}`);
  return tf.tidy(() => {
    const signal = perSample(t.map((i) => Math.sqrt(schedule.alphaBars[i]!)));
    const noise = perSample(t.map((i) => Math.sqrt(1 - schedule.alphaBars[i]!)));
    return tf.add(tf.mul(x0, signal), tf.mul(eps, noise)) as tf.Tensor4D;
  });
}
