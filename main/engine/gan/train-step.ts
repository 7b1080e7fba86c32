/**
 * One training step of Lafite (§3.3): a discriminator step on L'_D (eq. 8, with the lazy R1
 * penalty every `r1Interval` steps), then a generator step on L'_G (eq. 9, ConG through the
 * TensorFlow.js CLIP image tower on the generated images), then the generator's EMA. The
 * conditions h are whatever the caller hands in: pseudo text features (Gaussian, retrieval,
 * CLO, a schedule), real captions' features, or a mix.
 *
 * The losses are read after the step with `await data()`: `dataSync` fails on webgpu in Node.
 *
 * @example
 *   const losses = await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, step: 12, seed: 0 });
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipTowers } from '../clip/tfjs-model.ts';
import { nhwcToClipPixels } from '../clip/tfjs-model.ts';
import { mulberry32, tfSeed } from '../random.ts';
import { augment, updateEma, type AugmentOptions } from './augment.ts';
import type { Discriminator } from './discriminator.ts';
import type { Generator } from './generator.ts';
import type { SemanticForm } from './discriminator.ts';
import { contrastiveLoss, discriminatorLoss, generatorLoss, pathLengthPenalty, r1Penalty, type ContrastiveForm, type LossWeights } from './losses.ts';

export interface TrainParts {
  g: Generator;
  d: Discriminator;
  /** The moving average of g, used to generate. */
  gEma: Generator;
  /** CLIP's image tower for ConG; without it ConG is left out (λ = 0). */
  clip?: { towers: ClipTowers; imageSize: number };
  gOptimizer: tf.Optimizer;
  dOptimizer: tf.Optimizer;
  /** The path-length term's running mean a (StyleGAN2 eq. 4), kept across steps and in checkpoints. */
  plMean: tf.Variable;
}

/** The official code's departures from the paper (LAFITE_REFERENCE.md), each an option; the paper's forms are the default. */
export interface LossForms {
  /** ConD/ConG: the paper's softmax of Sim/τ with the τ factor, or the official softmax of exp(Sim/τ). */
  contrastive: ContrastiveForm;
  /** D(x, h): ⟨h, f_s(x)⟩ per sample (paper), or summed over the batch and added to every logit (official). */
  semantic: SemanticForm;
}

export const PAPER_FORMS: LossForms = { contrastive: 'paper', semantic: 'paper' };

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
  /** Style mixing probability (StyleGAN2-ADA `style_mixing_prob`, 0.9 in Lafite's configuration). */
  styleMixing: number;
  /** Path-length regularisation (StyleGAN2 eq. 4): weight `pl_weight` 2, every 4 steps on half the batch, decay 0.01. */
  pathLength: { weight: number; interval: number; batchShrink: number; decay: number };
  forms: LossForms;
  step: number;
  seed: number;
}

/** StyleGAN2-ADA's defaults as Lafite trains with them: R1 every 16 steps, path length every 4, style mixing 0.9. */
export const DEFAULT_STEP: Omit<StepOptions, 'step' | 'seed' | 'weights' | 'emaBeta'> = {
  r1Gamma: 10,
  r1Interval: 16,
  augment: { translate: 0.125, cutout: 0.25 },
  frozenBlocks: 0,
  styleMixing: 0.9,
  pathLength: { weight: 2, interval: 4, batchShrink: 2, decay: 0.01 },
  forms: PAPER_FORMS,
};

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
  /** The path-length penalty on the steps that evaluate it (lazy), else null. */
  pathLength: number | null;
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

/** The step's losses as scalars kept on the device, read once the step is done. */
type LossTensors = { [K in keyof StepLosses]: K extends 'r1' | 'pathLength' ? tf.Scalar | null : tf.Scalar };

/** A fresh path-length mean for TrainParts (0, as StyleGAN2 starts it). */
export const newPlMean = (): tf.Variable => tf.variable(tf.scalar(0), false);

/** One step, reading its losses asynchronously (works on every backend, webgpu included). */
export async function trainStepAsync(parts: TrainParts, batch: Batch, options: StepOptions): Promise<StepLosses> {
  const losses = runStep(parts, batch, options);
  const read = async (t: tf.Scalar): Promise<number> => (await t.data())[0]!;
  try {
    const [dLoss, gLoss, conDReal, conDFake, conG] = await Promise.all([losses.dLoss, losses.gLoss, losses.conDReal, losses.conDFake, losses.conG].map(read));
    return {
      dLoss: dLoss!,
      gLoss: gLoss!,
      conDReal: conDReal!,
      conDFake: conDFake!,
      conG: conG!,
      r1: losses.r1 ? await read(losses.r1) : null,
      pathLength: losses.pathLength ? await read(losses.pathLength) : null,
    };
  } finally {
    tf.dispose(Object.values(losses).filter((t): t is tf.Scalar => t !== null));
  }
}

/** The generator's inputs for one pass: latents with style mixing drawn per batch (StyleGAN2-ADA `run_G`). */
function generatorInputs(g: Generator, n: number, options: StepOptions, rng: () => number) {
  const latent = (): tf.Tensor2D => tf.randomNormal([n, g.options.zDim], 0, 1, 'float32', tfSeed(Math.floor(rng() * 2 ** 31))) as tf.Tensor2D;
  const z = latent();
  const cutoff = 1 + Math.floor(rng() * (g.numWs - 1)); // uniform in [1, numWs)
  const mixing = rng() < options.styleMixing;
  const z2 = latent();
  // Noise inputs seeded too: a step is a function of (seed, step), so a resumed run repeats it exactly.
  const noiseSeed = Math.floor(rng() * 2 ** 31);
  return { z, noiseSeed, mix: mixing ? { z2, cutoff } : undefined };
}

/** The step itself; its losses stay on the device as kept scalars, which the caller reads and disposes. */
function runStep(parts: TrainParts, batch: Batch, options: StepOptions): LossTensors {
  const { g, d } = parts;
  const { weights, forms } = options;
  const n = batch.reals.shape[0];
  const rng = mulberry32(options.seed * 1_000_003 + options.step);
  const aug = (x: tf.Tensor4D): tf.Tensor4D => (options.augment ? augment(x, { ...options.augment, seed: Math.floor(rng() * 2 ** 31) }) : x);
  const discriminate = (x: tf.Tensor4D, h: tf.Tensor2D) => d.apply(x, h, forms.semantic);
  const con = (a: tf.Tensor2D, b: tf.Tensor2D) => contrastiveLoss(a, b, weights.tau, forms.contrastive);
  const dVariables = [...d.namedVariables(options.frozenBlocks).values()];
  // Kept past the tidies, read by the caller: no read stalls the device mid-step.
  const record: LossTensors = { dLoss: tf.scalar(0), gLoss: tf.scalar(0), conDReal: tf.scalar(0), conDFake: tf.scalar(0), conG: tf.scalar(0), r1: null, pathLength: null };
  const keep = <K extends keyof StepLosses>(name: K, t: tf.Tensor): void => {
    tf.dispose(record[name] ?? []);
    record[name] = tf.keep(t as tf.Scalar);
  };

  // Discriminator: L'_D = L_D + γ·Con(f_s(x), h)   (eq. 8), + lazy R1.
  tf.tidy(() => {
    const inputs = generatorInputs(g, n, options, rng);
    const fakes = tf.tidy(() => g.generate(inputs.z, batch.h, inputs)); // no gradient into G here
    g.trackWAverage(inputs.z);
    const r1Now = options.step % options.r1Interval === 0;
    const dCost = parts.dOptimizer.minimize(() => {
      const real = discriminate(aug(batch.reals), batch.h);
      const fake = discriminate(aug(fakes), batch.h);
      const lossD = discriminatorLoss(real.logits, fake.logits);
      const conD = con(real.semantic, batch.h);
      keep('dLoss', lossD);
      keep('conDReal', conD);
      let total = tf.add(lossD, tf.mul(conD, weights.conD));
      if (r1Now) {
        const r1 = r1Penalty((x) => discriminate(x, batch.h).logits, batch.reals, options.r1Gamma, options.r1Interval);
        keep('r1', r1);
        total = tf.add(total, r1);
      }
      return total as tf.Scalar;
    }, true, dVariables);
    dCost?.dispose();
  });

  // Generator: L'_G = L_G + γ·Con(f_s(x'), h) + λ·Con(f_img(x'), h)   (eq. 9).
  tf.tidy(() => {
    const inputs = generatorInputs(g, n, options, rng);
    const gCost = parts.gOptimizer.minimize(() => {
      const fakes = g.generate(inputs.z, batch.h, inputs);
      const fake = discriminate(aug(fakes), batch.h);
      const lossG = generatorLoss(fake.logits);
      const conDFake = con(fake.semantic, batch.h);
      keep('gLoss', lossG);
      keep('conDFake', conDFake);
      let total = tf.add(lossG, tf.mul(conDFake, weights.conD));
      if (parts.clip && weights.conG > 0) {
        const conG = con(clipFeatures(parts.clip, fakes, rng), batch.h);
        keep('conG', conG);
        total = tf.add(total, tf.mul(conG, weights.conG));
      }
      return total as tf.Scalar;
    }, true, g.trainableVariables());
    gCost?.dispose();
    g.trackWAverage(inputs.z);
  });

  // Path-length regularisation, lazily (StyleGAN2 §3.2 and eq. 4; the official `Greg` phase).
  const pl = options.pathLength;
  if (pl.weight > 0 && options.step % pl.interval === 0) {
    tf.tidy(() => {
      const m = Math.max(1, Math.floor(n / pl.batchShrink));
      const h = tf.slice(batch.h, [0, 0], [m, -1]) as tf.Tensor2D;
      const inputs = generatorInputs(g, m, options, rng);
      let newMean: tf.Scalar | undefined;
      const plCost = parts.gOptimizer.minimize(() => {
        const result = pathLengthPenalty((ws) => g.synthesise(ws, h, inputs.noiseSeed), g.ws(inputs.z, inputs), parts.plMean, pl, Math.floor(rng() * 2 ** 31));
        newMean = tf.keep(result.mean);
        keep('pathLength', result.penalty);
        return tf.mul(result.penalty, pl.weight * pl.interval) as tf.Scalar;
      }, true, g.trainableVariables());
      plCost?.dispose();
      if (newMean) {
        parts.plMean.assign(newMean);
        newMean.dispose();
      }
    });
  }

  updateEma(
    new Map([...parts.gEma.namedVariables()].filter(([name]) => name !== 'w_average')),
    new Map([...g.namedVariables()].filter(([name]) => name !== 'w_average')),
    options.emaBeta,
  );
  parts.gEma.wAverage.assign(g.wAverage); // StyleGAN2-ADA copies G's buffers into G_ema
  return record;
}
