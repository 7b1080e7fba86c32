/**
 * The conditions h of each training batch, as functions of (rows, step) so every draw is
 * seeded by (seed, step) and a resumed run conditions each step as the first attempt did:
 *   Gaussian     h' = n(f + ξ·ε·|f|/|ε|), fresh ε per batch              (Lafite eq. 1)
 *   trained      h' = n(f + r1(f) + ε ⊙ exp(r2(f))), fresh ε per batch   (Lafite eq. 2)
 *   retrieved    one of each image's top-m prompt features per iteration (Lafite2 §3.1, §3.3)
 *   CLO          K steps of h ← n(h + η∇ log softmax(h·f/τ)) per mini-batch (Lafite2 eq. 2)
 *   scheduled    Gaussian first, retrieval or CLO brought in per sample    (Lafite2 §3.3)
 *   captions     one of each image's captions per step; mixed per sample (semi-supervised)
 * Pure computation on arrays handed in: where the features come from (SQLite, files) is the
 * caller's (jobs/train-conditions.ts).
 *
 * @example
 *   const h = scheduledConditions(schedule, seed, gaussianConditions(images, 3, seed), retrievedConditions(retrieved, 64, seed));
 *   const batch = h([3, 17, 42], 120);   // [3, 64]
 */
import * as tf from '@tensorflow/tfjs';
import type { PseudoSchedule } from '../../contract/index.ts';
import { l2Normalise } from '../normalise.ts';
import { mulberry32 } from '../random.ts';
import { gatherRows } from '../rows.ts';
import { contrastiveLatentOptimization, uniformOnSphere } from './clo.ts';
import { gaussianPseudoFeatures } from './gaussian.ts';
import type { PerturbationNet } from './perturbation-nn.ts';
import { retrievalShare } from './schedule.ts';

/** The conditions h of a batch ([B, D]) for the training rows `rows` at a step. */
export type Conditions = (rows: readonly number[], step: number) => tf.Tensor2D;

/** Seeds of the per-step draws, apart so that no two draws of a step share a stream. */
const SEED = { gaussian: 7919, nn: 7927, schedule: 13, captions: 31, mix: 17, retrieved: 104_729, uniform: 15_485_863 } as const;

/** Each training image's kept prompts: their features image after image, where each image's start and how many. */
export interface RetrievedFeatures {
  /** [P, D]: the kept prompts' features, image after image. */
  features: Float32Array;
  /** Per training image, its first row in `features`. */
  first: Int32Array;
  /** Per training image, how many prompts it kept (m, or fewer under a threshold). */
  count: Int32Array;
}

/** The rows of `features` for one uniform draw among each row's kept prompts. */
export function sampleRetrieved(retrieved: Pick<RetrievedFeatures, 'first' | 'count'>, rows: readonly number[], rng: () => number): number[] {
  return rows.map((row) => retrieved.first[row]! + Math.floor(rng() * retrieved.count[row]!));
}

/** The image features themselves, f = f_img(x) of the training rows (unit rows, as stored). */
export const imageConditions =
  (features: Float32Array, dim: number): Conditions =>
  (rows) =>
    gatherRows(features, dim, rows, [dim]) as tf.Tensor2D;

/** Lafite eq. 1, fresh noise per batch. */
export const gaussianConditions =
  (images: Conditions, xi: number, seed: number): Conditions =>
  (rows, step) =>
    tf.tidy(() => gaussianPseudoFeatures(images(rows, step), { xi, seed: seed * SEED.gaussian + step }));

/** Lafite eq. 2 with a trained perturbation network, fresh ε every batch. */
export const perturbedConditions =
  (images: Conditions, net: PerturbationNet, seed: number): Conditions =>
  (rows, step) =>
    tf.tidy(() => net.perturb(images(rows, step), { seed: seed * SEED.nn + step }));

/** Lafite2 §3.1/§3.3: per sample one of its image's top-m prompt features, drawn uniformly by (seed, step). */
export function retrievedConditions(retrieved: RetrievedFeatures, dim: number, seed: number): Conditions {
  return (rows, step) => {
    const picks = sampleRetrieved(retrieved, rows, mulberry32(seed * SEED.retrieved + step));
    return gatherRows(retrieved.features, dim, picks, [dim]) as tf.Tensor2D; // [B, D]
  };
}

/** Points uniform on the sphere, one per sample: CLO's uninformed start (Lafite2's ablation). */
export const uniformConditions =
  (dim: number, seed: number): Conditions =>
  (rows, step) =>
    uniformOnSphere(rows.length, dim, seed * SEED.uniform + step);

/** Lafite2 eq. 2 in every mini-batch, K, η and τ as asked, from `start`'s features. */
export function cloConditions(images: Conditions, start: Conditions, options: { steps: number; stepSize: number; tau: number }): Conditions {
  return (rows, step) => tf.tidy(() => contrastiveLatentOptimization(start(rows, step), images(rows, step), options));
}

/** Per sample, b's row where `useB` says so, else a's (each computed only if some sample needs it). */
function perSample(useB: readonly boolean[], a: () => tf.Tensor2D, b: () => tf.Tensor2D): tf.Tensor2D {
  if (!useB.some(Boolean)) return a();
  if (useB.every(Boolean)) return b();
  return tf.tidy(() => tf.where(tf.tensor2d(useB.slice(), [useB.length, 1], 'bool'), b(), a()) as tf.Tensor2D); // [B, 1] broadcasts over features
}

/** Lafite2 §3.3: each sample on `later` with the schedule's share at the step, else on `first` (Gaussian). */
export function scheduledConditions(schedule: PseudoSchedule, seed: number, first: Conditions, later: Conditions): Conditions {
  return (rows, step) => {
    const rng = mulberry32(seed * SEED.schedule + step);
    const share = retrievalShare(schedule, step);
    return perSample(
      rows.map(() => rng() < share),
      () => first(rows, step),
      () => later(rows, step),
    );
  };
}

/** Real captions: one of each image's captions per step (zeros for an image without any). */
export function captionConditions(captions: ReadonlyMap<number, Float32Array[]>, ids: readonly number[], dim: number, seed: number): Conditions {
  return (rows, step) => {
    const rng = mulberry32(seed * SEED.captions + step);
    const values = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => {
      const list = captions.get(ids[row]!);
      if (list) values.set(list[Math.floor(rng() * list.length)]!, i * dim);
    });
    return tf.tidy(() => l2Normalise(tf.tensor2d(values, [rows.length, dim])));
  };
}

/** Semi-supervised (the official mixing_prob): a captioned row uses its caption with probability `share`, else its pseudo feature. */
export function mixedConditions(hasCaption: (row: number) => boolean, share: number, seed: number, pseudo: Conditions, real: Conditions): Conditions {
  return (rows, step) => {
    const rng = mulberry32(seed * SEED.mix + step);
    return perSample(
      rows.map((row) => hasCaption(row) && rng() < share),
      () => pseudo(rows, step),
      () => real(rows, step),
    );
  };
}
