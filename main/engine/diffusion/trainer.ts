/**
 * The diffusion model's side of the shared training loop (engine/training-loop.ts): the UNet
 * ε_θ(x_t, t, h) trained on DDPM's simplified objective L_simple = E‖ε − ε_θ(√ᾱ_t·x_0 +
 * √(1 − ᾱ_t)·ε, t, h)‖² (Ho et al. 2020, eq. 14) with Adam, the condition h dropped to the null
 * condition (zeros) with probability p so one network learns both ε(·, h) and ε(·, ∅) for
 * classifier-free guidance (Ho & Salimans 2022, Algorithm 1), an EMA of the weights (DDPM §4),
 * checkpoints a resume continues from exactly (networks, Adam, history; every random draw is a
 * function of the seed and the step), EMA snapshots per checkpoint, and the fixed sample grid.
 * The caller hands in the batches and where files go; nothing here knows a job or a database.
 *
 * @example
 *   const trainer = new DiffusionTrainer(DiffusionTrainer.buildParts(DIFFUSION_PRESETS.tiny, { textDim: 64, seed: 0, learningRate: 2e-4, noiseSchedule: 'linear', timesteps: 1000 }), setup);
 *   await runTrainingLoop(trainer, { start: 0, steps: 2000, checkpointEvery: 100, sampleEvery: 100, batchSize: 8 }, hooks);
 */
import * as tf from '@tensorflow/tfjs-core';
import { restoreCheckpoint, writeCheckpoint } from '../gan/checkpoint.ts';
import { updateEma } from '../gan/ema.ts';
import { mulberry32, tfSeed } from '../random.ts';
import type { FamilyTrainer } from '../training-loop.ts';
import { Adam } from './adam.ts';
import type { UNetOptions } from './presets.ts';
import { sampleImages, type SampleOptions } from './sampler.ts';
import { noiseSchedule, qSample, type NoiseSchedule, type NoiseScheduleKind } from './schedule.ts';
import { UNet } from './unet.ts';

/** The losses of one step. */
export interface DiffusionLosses {
  /** L_simple, the mean squared error of the predicted noise. */
  loss: number;
}

/** A row of the loss history (every step), kept in the checkpoint so a resumed run keeps it. */
export type DiffusionHistoryRow = { step: number } & DiffusionLosses;

/** The networks, optimizer and schedule of a run. */
export interface DiffusionParts {
  unet: UNet;
  /** The EMA of the UNet's weights: what samples and generation use. */
  ema: UNet;
  /** Adam on the UNet, its moments checkpointed as variables (adam.ts: an exact resume). */
  optimizer: Adam;
  schedule: NoiseSchedule;
}

export interface DiffusionTrainOptions {
  /** Probability of training a sample on the null condition (h = 0) for classifier-free guidance (Ho & Salimans 2022 use 0.1–0.2). */
  condDrop: number;
  /** EMA decay of the weights (DDPM: 0.9999), ramped as min(decay, (1 + step)/(10 + step)) so short runs move off their initial weights. */
  ema: number;
  seed: number;
}

/** The fixed inputs of the sample grid, how it is sampled, and how a grid is written (PNG encoding is the caller's). */
export interface DiffusionSampleGrid {
  h: tf.Tensor2D;
  seeds: number[];
  columns: number;
  sampling: SampleOptions;
  write(step: number, images: tf.Tensor4D, columns: number): Promise<void>;
}

export interface DiffusionTrainerSetup {
  options: DiffusionTrainOptions;
  /** The batch of a step: real images in [−1, 1] and their conditions (the trainer disposes them). */
  batch(step: number): { reals: tf.Tensor4D; h: tf.Tensor2D };
  /** Where the resume checkpoint and the per-step EMA snapshots go. */
  files: { checkpoint: string; snapshot(step: number): string };
  samples: DiffusionSampleGrid;
  /** After each checkpoint (a job records the step it can resume from). */
  saved?(step: number): void;
}

interface SavedState {
  step: number;
  history: DiffusionHistoryRow[];
}

/** The checkpoint's network names: a snapshot keeps only the EMA (what generation loads). */
export const EMA_NETWORK = 'unet_ema';

/** The EMA decay at a step (the warm-up of common DDPM implementations, e.g. Nichol & Dhariwal's guided-diffusion). */
export const emaDecayAt = (decay: number, step: number): number => Math.min(decay, (1 + step) / (10 + step));

/** The timesteps, noise and kept conditions of a step: a function of (seed, step) only, so a resumed run draws what the killed one would have. */
function stepDraws(options: DiffusionTrainOptions, step: number, n: number, timesteps: number): { t: number[]; keep: number[]; noiseSeed: number } {
  const rng = mulberry32((options.seed * 1_000_003 + step * 9_176 + 17) >>> 0);
  const t = Array.from({ length: n }, () => Math.floor(rng() * timesteps)); // t ~ Uniform({1, …, T}) (Algorithm 1)
  const keep = Array.from({ length: n }, () => (rng() < options.condDrop ? 0 : 1)); // 0: the null condition
  return { t, keep, noiseSeed: (options.seed * 7_919 + step) >>> 0 };
}

/** L_simple of one batch (DDPM eq. 14), h already dropped where asked. */
export function noisePredictionLoss(unet: UNet, schedule: NoiseSchedule, x0: tf.Tensor4D, h: tf.Tensor2D, t: readonly number[], eps: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(eps, unet.predict(qSample(schedule, x0, t, eps), t, h)))) as tf.Scalar);
}

export class DiffusionTrainer implements FamilyTrainer<DiffusionLosses> {
  history: DiffusionHistoryRow[] = [];

  constructor(
    readonly parts: DiffusionParts,
    private readonly setup: DiffusionTrainerSetup,
  ) {}

  /** The UNet, its EMA (the same initial weights: the same seed), Adam (β₁ 0.9, β₂ 0.999, as DDPM) and the noise schedule. */
  static buildParts(network: UNetOptions, options: { textDim: number; seed: number; learningRate: number; noiseSchedule: NoiseScheduleKind; timesteps: number }): DiffusionParts {
    const unet = new UNet(network, { textDim: options.textDim, seed: options.seed });
    return {
      unet,
      ema: new UNet(network, { textDim: options.textDim, seed: options.seed }),
      optimizer: new Adam(unet.namedVariables(), { learningRate: options.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
      schedule: noiseSchedule(options.noiseSchedule, options.timesteps),
    };
  }

  private networks() {
    return { unet: this.parts.unet.namedVariables(), [EMA_NETWORK]: this.parts.ema.namedVariables() };
  }

  /** The networks and Adam's moments: everything a resume restores. */
  private everything() {
    return { ...this.networks(), adam_m: this.parts.optimizer.m, adam_v: this.parts.optimizer.v };
  }

  /** Continues a stopped run: networks, Adam and the loss history; returns the step reached. */
  async resume(file: string): Promise<number> {
    const state = (await restoreCheckpoint(file, { networks: this.everything(), optimizers: {} })) as SavedState;
    this.history = state.history;
    return state.step;
  }

  /** Fine-tuning (few-shot, as the GAN's): another run's networks, a fresh optimizer. */
  async initFrom(file: string): Promise<void> {
    await restoreCheckpoint(file, { networks: this.networks(), optimizers: {} });
  }

  async step(step: number): Promise<DiffusionLosses> {
    const { reals, h } = this.setup.batch(step);
    try {
      const n = reals.shape[0];
      const { t, keep, noiseSeed } = stepDraws(this.setup.options, step, n, this.parts.schedule.timesteps);
      const lossTensor = this.parts.optimizer.minimize(
        () =>
          tf.tidy(() => {
            const eps = tf.randomNormal(reals.shape, 0, 1, 'float32', tfSeed(noiseSeed)) as tf.Tensor4D; // ε ~ N(0, I)
            const dropped = tf.mul(h, tf.tensor2d(keep, [n, 1])) as tf.Tensor2D; // h, or the null condition 0
            return noisePredictionLoss(this.parts.unet, this.parts.schedule, reals, dropped, t, eps);
          }),
        step,
      );
      const loss = (await lossTensor.data())[0]!;
      lossTensor.dispose();
      updateEma(this.parts.ema.namedVariables(), this.parts.unet.namedVariables(), emaDecayAt(this.setup.options.ema, step));
      this.history.push({ step, loss });
      return { loss };
    } finally {
      tf.dispose([reals, h]);
    }
  }

  async save(step: number): Promise<void> {
    await writeCheckpoint(this.setup.files.snapshot(step), { networks: { [EMA_NETWORK]: this.parts.ema.namedVariables() }, optimizers: {}, state: { step } });
    const state: SavedState = { step, history: this.history };
    await writeCheckpoint(this.setup.files.checkpoint, { networks: this.everything(), optimizers: {}, state });
    this.setup.saved?.(step);
  }

  async sample(step: number): Promise<void> {
    const { h, seeds, columns, sampling, write } = this.setup.samples;
    const images = await sampleImages(this.parts.ema, this.parts.schedule, h, seeds, sampling);
    try {
      await write(step, images, columns);
    } finally {
      images.dispose();
    }
  }

  parameterCount(): number {
    return this.parts.unet.parameterCount();
  }

  dispose(): void {
    this.parts.unet.dispose();
    this.parts.ema.dispose();
    this.parts.optimizer.dispose();
  }
}
