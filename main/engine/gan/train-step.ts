/**
 * One training step of Lafite (§3.3): a discriminator step on L'_D (eq. 8, with the lazy R1
 * penalty every `r1Interval` steps), then a generator step on L'_G (eq. 9, ConG through the
 * TensorFlow.js CLIP image tower on the generated images), then the generator's EMA. The
 * conditions h are whatever the caller hands in: pseudo text features (Gaussian, retrieval,
 * CLO, a schedule), real captions' features, or a mix.
 *
 * @example
 *   const losses = trainStep(parts, { reals, h }, { ...DEFAULT_STEP, step: 12, seed: 0 });
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipTowers } from '../clip/tfjs-model.ts';
import { nhwcToClipPixels } from '../clip/tfjs-model.ts';
import { mulberry32, tfSeed } from '../random.ts';
import { augment, updateEma, type AugmentOptions } from './augment.ts';
import type { Discriminator } from './discriminator.ts';
import type { Generator } from './generator.ts';
import { contrastiveLoss, discriminatorLoss, generatorLoss, r1Penalty, type LossWeights } from './losses.ts';

export interface TrainParts {
  g: Generator;
  d: Discriminator;
  /** The moving average of g, used to generate. */
  gEma: Generator;
  /** CLIP's image tower for ConG; without it ConG is left out (λ = 0). */
  clip?: { towers: ClipTowers; imageSize: number };
  gOptimizer: tf.Optimizer;
  dOptimizer: tf.Optimizer;
}

export interface StepOptions {
  weights: LossWeights;
  /** γ of the R1 penalty (StyleGAN2; the official code's `gamma`, not Lafite's γ). */
  r1Gamma: number;
  /** R1 every this many steps (lazy regularisation). */
  r1Interval: number;
  augment: Omit<AugmentOptions, 'seed'> | null;
  emaBeta: number;
  /** Freeze-D: the first discriminator blocks are not trained (few-shot fine-tuning). */
  frozenBlocks: number;
  step: number;
  seed: number;
}

export const DEFAULT_STEP: Omit<StepOptions, 'step' | 'seed' | 'weights' | 'emaBeta'> = { r1Gamma: 10, r1Interval: 16, augment: { translate: 0.125, cutout: 0.25 }, frozenBlocks: 0 };

export interface Batch {
  /** Real images [N, R, R, 3] in [−1, 1]. */
  reals: tf.Tensor4D;
  /** Their conditions [N, D], unit rows; fakes are drawn for the same conditions. */
  h: tf.Tensor2D;
}

export interface StepLosses {
  dLoss: number;
  gLoss: number;
  conDReal: number;
  conDFake: number;
  conG: number;
  r1: number | null;
}

/** CLIP image features of generated images: a random crop of 50–100 % of the side (shared by the batch), resized to CLIP's input. */
function clipFeatures(clip: NonNullable<TrainParts['clip']>, images: tf.Tensor4D, rng: () => number): tf.Tensor2D {
  const side = images.shape[1];
  const crop = Math.max(1, Math.round(side * (0.5 + 0.5 * rng())));
  const top = Math.floor(rng() * (side - crop + 1));
  const left = Math.floor(rng() * (side - crop + 1));
  const unit = tf.div(tf.add(tf.clipByValue(images, -1, 1), 1), 2) as tf.Tensor4D; // [−1, 1] → [0, 1]
  const cropped = tf.slice(unit, [0, top, left, 0], [-1, crop, crop, 3]) as tf.Tensor4D;
  const resized = tf.image.resizeBilinear(cropped, [clip.imageSize, clip.imageSize]);
  return clip.towers.vision(nhwcToClipPixels(resized));
}

const scalar = (t: tf.Tensor): number => t.dataSync()[0]!;

export function trainStep(parts: TrainParts, batch: Batch, options: StepOptions): StepLosses {
  const { g, d } = parts;
  const { weights } = options;
  const n = batch.reals.shape[0];
  const rng = mulberry32(options.seed * 1_000_003 + options.step);
  const aug = (x: tf.Tensor4D): tf.Tensor4D => (options.augment ? augment(x, { ...options.augment, seed: Math.floor(rng() * 2 ** 31) }) : x);
  const latent = (): tf.Tensor2D => tf.randomNormal([n, g.options.zDim], 0, 1, 'float32', tfSeed(Math.floor(rng() * 2 ** 31))) as tf.Tensor2D;
  // Noise inputs seeded too: a step is a function of (seed, step), so a resumed run repeats it exactly.
  const noiseSeed = (): number => Math.floor(rng() * 2 ** 31);
  const dVariables = [...d.namedVariables(options.frozenBlocks).values()];
  const record = { dLoss: 0, gLoss: 0, conDReal: 0, conDFake: 0, conG: 0, r1: null as number | null };

  // Discriminator: L'_D = L_D + γ·Con(f_s(x), h)   (eq. 8), + lazy R1.
  tf.tidy(() => {
    const fakes = tf.tidy(() => g.generate(latent(), batch.h, { noiseSeed: noiseSeed() })); // no gradient into G here
    const r1Now = options.step % options.r1Interval === 0;
    const dCost = parts.dOptimizer.minimize(() => {
      const real = d.apply(aug(batch.reals), batch.h);
      const fake = d.apply(aug(fakes), batch.h);
      const lossD = discriminatorLoss(real.logits, fake.logits);
      const conD = contrastiveLoss(real.semantic, batch.h, weights.tau);
      record.dLoss = scalar(lossD);
      record.conDReal = scalar(conD);
      let total = tf.add(lossD, tf.mul(conD, weights.conD));
      if (r1Now) {
        const r1 = r1Penalty((x) => d.apply(x, batch.h).logits, batch.reals, options.r1Gamma, options.r1Interval);
        record.r1 = scalar(r1);
        total = tf.add(total, r1);
      }
      return total as tf.Scalar;
    }, true, dVariables);
    dCost?.dispose();
  });

  // Generator: L'_G = L_G + γ·Con(f_s(x'), h) + λ·Con(f_img(x'), h)   (eq. 9).
  tf.tidy(() => {
    const gCost = parts.gOptimizer.minimize(() => {
      const fakes = g.generate(latent(), batch.h, { noiseSeed: noiseSeed() });
      const fake = d.apply(aug(fakes), batch.h);
      const lossG = generatorLoss(fake.logits);
      const conDFake = contrastiveLoss(fake.semantic, batch.h, weights.tau);
      record.gLoss = scalar(lossG);
      record.conDFake = scalar(conDFake);
      let total = tf.add(lossG, tf.mul(conDFake, weights.conD));
      if (parts.clip && weights.conG > 0) {
        const conG = contrastiveLoss(clipFeatures(parts.clip, fakes, rng), batch.h, weights.tau);
        record.conG = scalar(conG);
        total = tf.add(total, tf.mul(conG, weights.conG));
      }
      return total as tf.Scalar;
    }, true, g.trainableVariables());
    gCost?.dispose();
  });

  updateEma(
    new Map([...parts.gEma.namedVariables()].filter(([name]) => name !== 'w_average')),
    new Map([...g.namedVariables()].filter(([name]) => name !== 'w_average')),
    options.emaBeta,
  );
  return record;
}
