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
import { augment, type AugmentOptions } from './augment.ts';
import { updateEma } from './ema.ts';
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
  /**
   * λ_ms of the mode-seeking term (MSGAN, Mao et al. 2019, eq. 3), 0 to leave it out: the
   * generator also draws the first half of its batch again from fresh latents with the same h and
   * minimises 1/(d_I/d_z + ε), d_I and d_z the mean absolute differences of the two pictures and
   * of their latents. Without it a strongly conditioned generator can draw one picture per
   * prompt whatever z (Lafite's losses reward matching h, nothing rewards variety within an h).
   */
  modeSeeking?: number;
  /**
   * Micro-batches per step (gradient accumulation, as StyleGAN2-ADA's rounds of `batch_gpu`):
   * each phase runs the batch in this many parts, one part's activations alive at a time,
   * adds up their gradients and applies them once. Batch-wide terms (the contrastive losses'
   * negatives, R1's and the path length's means) are then per part. 1 (the default): the whole batch.
   */
  accumulate?: number;
  /**
   * Gradient checkpointing (recompute.ts): G's synthesis blocks and D's residual blocks keep only
   * their inputs for the gradient and are recomputed in the backward pass, R1 and the path length
   * included. The same figures with a fraction of the activations' memory, for about one more forward
   * pass of each network; off by default (a CPU-sized preset has memory to spare).
   */
  recompute?: boolean;
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
  /** The mode-seeking ratio d_I/d_z (higher: more variety across latents) when the term is on, else null. */
  modeSeeking: number | null;
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
type LossTensors = { [K in keyof StepLosses]: K extends 'r1' | 'pathLength' | 'modeSeeking' ? tf.Scalar | null : tf.Scalar };

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
      modeSeeking: losses.modeSeeking ? await read(losses.modeSeeking) : null,
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

/**
 * Sizes of `parts` contiguous micro-batches of a batch of n, as equal as can be, each of at
 * least 2 images (fewer parts if need be): a single image has no minibatch standard deviation
 * in D, whose gradient then fails (an unstack with unused outputs).
 */
export function microBatchSizes(n: number, parts: number): number[] {
  const count = Math.max(1, Math.min(Math.floor(n / 2), Math.floor(parts)));
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 1) * n) / count) - Math.floor((i * n) / count));
}

/**
 * Minimises Σᵢ loss(i) over micro-batches whose losses are already weighted by their share of the
 * batch: one micro-batch is tf's `minimize`; more add up each one's gradients (its activations
 * freed before the next) and apply the sum once, which is the gradient of the whole batch's mean.
 */
export function minimizeInParts(optimizer: tf.Optimizer, count: number, loss: (i: number) => tf.Scalar, variables: tf.Variable[]): void {
  if (count === 1) {
    optimizer.minimize(() => loss(0), true, variables)?.dispose();
    return;
  }
  let sum: tf.NamedTensorMap = {};
  for (let i = 0; i < count; i++) {
    const { value, grads } = tf.variableGrads(() => loss(i), variables);
    const next = tf.tidy(() =>
      Object.fromEntries(
        Object.entries(grads)
          .filter(([, g]) => g)
          .map(([name, g]) => [name, sum[name] ? tf.add(sum[name]!, g) : tf.clone(g)]),
      ),
    );
    for (const [name, g] of Object.entries(sum)) if (!(name in next)) next[name] = g; // a part that gave this variable no gradient
    tf.dispose([value, ...Object.values(grads).filter((g) => g !== null), ...Object.values(sum).filter((g) => !Object.values(next).includes(g))]);
    sum = next;
  }
  // Adam keeps its moments by position in the map it is given: every variable keeps its place (null: no gradient this step, skipped).
  const all: Record<string, tf.Tensor | null> = Object.fromEntries(variables.map((v) => [v.name, sum[v.name] ?? null]));
  optimizer.applyGradients(all as tf.NamedTensorMap);
  tf.dispose(Object.values(sum));
}

/**
 * MSGAN's ratio d_I(G(z₁, h), G(z₂, h)) / d_z(z₁, z₂) (Mao et al. 2019, eq. 3) on the first half of
 * a batch: `fakes` drawn from z₁ = inputs.z, the same rows drawn again from fresh z₂ (same noise).
 */
function modeSeekingRatio(g: Generator, inputs: ReturnType<typeof generatorInputs>, h: tf.Tensor2D, fakes: tf.Tensor4D, rng: () => number): tf.Scalar {
  const half = Math.max(1, Math.floor(h.shape[0] / 2));
  const z1 = tf.slice(inputs.z, [0, 0], [half, -1]) as tf.Tensor2D;
  const z2 = tf.randomNormal(z1.shape, 0, 1, 'float32', tfSeed(Math.floor(rng() * 2 ** 31))) as tf.Tensor2D;
  const again = g.generate(z2, tf.slice(h, [0, 0], [half, -1]) as tf.Tensor2D, { noiseSeed: inputs.noiseSeed });
  const dImages = tf.mean(tf.abs(tf.sub(tf.slice(fakes, [0, 0, 0, 0], [half, -1, -1, -1]), again)));
  return tf.div(dImages, tf.mean(tf.abs(tf.sub(z1, z2)))) as tf.Scalar;
}

/** The step itself; its losses stay on the device as kept scalars, which the caller reads and disposes. */
function runStep(parts: TrainParts, batch: Batch, options: StepOptions): LossTensors {
  const { g, d } = parts;
  const { weights, forms } = options;
  const n = batch.reals.shape[0];
  const sizes = microBatchSizes(n, options.accumulate ?? 1);
  const count = sizes.length;
  const rng = mulberry32(options.seed * 1_000_003 + options.step);
  const aug = (x: tf.Tensor4D): tf.Tensor4D => (options.augment ? augment(x, { ...options.augment, seed: Math.floor(rng() * 2 ** 31) }) : x);
  const recompute = options.recompute ?? false;
  const discriminate = (x: tf.Tensor4D, h: tf.Tensor2D) => d.apply(x, h, forms.semantic, recompute);
  const con = (a: tf.Tensor2D, b: tf.Tensor2D) => contrastiveLoss(a, b, weights.tau, forms.contrastive);
  const dVariables = [...d.namedVariables(options.frozenBlocks).values()];
  // Kept past the tidies, read by the caller: no read stalls the device mid-step.
  const record: LossTensors = {
    dLoss: tf.scalar(0),
    gLoss: tf.scalar(0),
    conDReal: tf.scalar(0),
    conDFake: tf.scalar(0),
    conG: tf.scalar(0),
    r1: null,
    pathLength: null,
    modeSeeking: null,
  };
  // With micro-batches each loss arrives weighted by its part's share of the batch: the figures add up to the batch's.
  let first = true; // the first micro-batch of a phase replaces the figure, the others add to it
  const keep = <K extends keyof StepLosses>(name: K, t: tf.Tensor): void => {
    const previous = record[name];
    record[name] = tf.keep((count === 1 || first || !previous ? t : tf.add(previous, t)) as tf.Scalar);
    tf.dispose(previous ?? []);
  };
  /** The batch's micro-batch i (the batch itself when there is one), inside the caller's tidy. */
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const part = (i: number): Batch =>
    count === 1
      ? batch
      : { reals: tf.slice(batch.reals, [offsets[i]!, 0, 0, 0], [sizes[i]!, -1, -1, -1]) as tf.Tensor4D, h: tf.slice(batch.h, [offsets[i]!, 0], [sizes[i]!, -1]) as tf.Tensor2D };
  const share = (i: number, loss: tf.Tensor): tf.Scalar => (count === 1 ? loss : tf.mul(loss, sizes[i]! / n)) as tf.Scalar;

  // Discriminator: L'_D = L_D + γ·Con(f_s(x), h)   (eq. 8), + lazy R1.
  tf.tidy(() => {
    const micro = sizes.map((_, i) => part(i));
    const fakes = micro.map((mb) => {
      const inputs = generatorInputs(g, mb.h.shape[0], options, rng);
      const images = tf.tidy(() => g.generate(inputs.z, mb.h, inputs)); // no gradient into G here
      g.trackWAverage(inputs.z);
      return images;
    });
    const r1Now = options.step % options.r1Interval === 0;
    first = true;
    // R1 is a pass of its own after the micro-batches' main losses (StyleGAN2-ADA's `Dreg` phase), its
    // gradients summed with theirs into the one update: the same gradient, but R1's double backward no
    // longer shares the peak with the main pass's tape.
    minimizeInParts(
      parts.dOptimizer,
      r1Now ? 2 * count : count,
      (p) => {
        if (p >= count) {
          const i = p - count;
          const { reals, h } = micro[i]!;
          first = i === 0;
          const r1 = share(
            i,
            r1Penalty((x) => discriminate(x, h).logits, reals, options.r1Gamma, options.r1Interval),
          );
          keep('r1', tf.clone(r1)); // the returned loss is disposed with its gradients
          return r1;
        }
        const i = p;
        const { reals, h } = micro[i]!;
        const real = discriminate(aug(reals), h);
        const fake = discriminate(aug(fakes[i]!), h);
        const lossD = share(i, discriminatorLoss(real.logits, fake.logits));
        const conD = share(i, con(real.semantic, h));
        keep('dLoss', lossD);
        keep('conDReal', conD);
        first = false;
        return tf.add(lossD, tf.mul(conD, weights.conD)) as tf.Scalar;
      },
      dVariables,
    );
  });

  // Generator: L'_G = L_G + γ·Con(f_s(x'), h) + λ·Con(f_img(x'), h)   (eq. 9).
  tf.tidy(() => {
    const micro = sizes.map((_, i) => part(i));
    const inputs = micro.map((mb) => generatorInputs(g, mb.h.shape[0], options, rng));
    first = true;
    minimizeInParts(
      parts.gOptimizer,
      count,
      (i) => {
        const { h } = micro[i]!;
        const fakes = g.generate(inputs[i]!.z, h, { ...inputs[i], recompute });
        const fake = discriminate(aug(fakes), h);
        const lossG = share(i, generatorLoss(fake.logits));
        const conDFake = share(i, con(fake.semantic, h));
        keep('gLoss', lossG);
        keep('conDFake', conDFake);
        let total = tf.add(lossG, tf.mul(conDFake, weights.conD));
        if (parts.clip && weights.conG > 0) {
          const conG = share(i, con(clipFeatures(parts.clip, fakes, rng), h));
          keep('conG', conG);
          total = tf.add(total, tf.mul(conG, weights.conG));
        }
        if (options.modeSeeking) {
          const ratio = modeSeekingRatio(g, inputs[i]!, h, fakes, rng);
          keep('modeSeeking', share(i, ratio));
          total = tf.add(total, tf.mul(share(i, tf.div(1, tf.add(ratio, 1e-5))), options.modeSeeking)); // MSGAN: minimise 1/(d_I/d_z + ε)
        }
        first = false;
        return total as tf.Scalar;
      },
      g.trainableVariables(),
    );
    for (const { z } of inputs) g.trackWAverage(z);
  });

  // Path-length regularisation, lazily (StyleGAN2 §3.2 and eq. 4; the official `Greg` phase).
  const pl = options.pathLength;
  if (pl.weight > 0 && options.step % pl.interval === 0) {
    tf.tidy(() => {
      // Each micro-batch's first 1/batchShrink (StyleGAN2-ADA: the Greg phase on batch_gpu // pl_batch_shrink).
      const micro = sizes.map((size, i) => {
        const m = Math.max(1, Math.floor(size / pl.batchShrink));
        return { h: tf.slice(part(i).h, [0, 0], [m, -1]) as tf.Tensor2D, inputs: generatorInputs(g, m, options, rng) };
      });
      let newMean: tf.Scalar | undefined; // the new running mean a, the parts' figures weighted by their share
      first = true;
      minimizeInParts(
        parts.gOptimizer,
        count,
        (i) => {
          const { h, inputs } = micro[i]!;
          const result = pathLengthPenalty((ws) => g.synthesise(ws, h, inputs.noiseSeed, recompute), g.ws(inputs.z, inputs), parts.plMean, pl, Math.floor(rng() * 2 ** 31));
          const mean = share(i, result.mean);
          const previous = newMean;
          newMean = tf.keep(first || !previous ? mean : (tf.add(previous, mean) as tf.Scalar));
          tf.dispose(previous ?? []);
          const penalty = share(i, result.penalty);
          keep('pathLength', penalty);
          first = false;
          return tf.mul(penalty, pl.weight * pl.interval) as tf.Scalar;
        },
        g.trainableVariables(),
      );
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
