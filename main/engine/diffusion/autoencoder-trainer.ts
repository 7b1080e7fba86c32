/**
 * The first phase of a latent diffusion run (Rombach et al. 2022, §3.1: the autoencoder is trained
 * once, before and apart from the diffusion model): the autoencoder (autoencoder.ts) on the
 * domain's images with Adam, through the shared training loop (engine/training-loop.ts), so a
 * stop or kill resumes it exactly (variables, Adam's moments and the loss history in the run's
 * autoencoder file; each step's batch and posterior noise a function of the seed and the step).
 * `finish` fixes LDM's scale factor on a first batch and rewrites the file as the finished first
 * stage (latent.ts), without the optimizer's moments. Nothing here knows a job or a database.
 *
 * @example
 *   const trainer = new AutoencoderTrainer(new Autoencoder(AUTOENCODER_PRESETS.tinyLatent, { seed: 0 }), { learningRate: 1e-3 }, setup);
 *   await runTrainingLoop(trainer, { start: 0, steps: 200, checkpointEvery: 50, sampleEvery: 200, batchSize: 8 }, hooks);
 *   const latents = await trainer.finish(200);
 */
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpointState, restoreCheckpoint, writeCheckpoint } from '../gan/checkpoint.ts';
import { tfSeed } from '../random.ts';
import type { FamilyTrainer } from '../training-loop.ts';
import { Adam } from './adam.ts';
import { reconstructionLoss, type Autoencoder, type AutoencoderLosses } from './autoencoder.ts';
import { AUTOENCODER_NETWORK, LatentSpace, posteriorNoiseSeed, scaleFactorOf, type AutoencoderHistoryRow, type AutoencoderState } from './latent.ts';

export interface AutoencoderTrainOptions {
  /** Adam's step size (β₁ 0.5, β₂ 0.9 as LDM's first stage). */
  learningRate: number;
}

export interface AutoencoderTrainerSetup {
  seed: number;
  /** A step's seeded draw of training images in [−1, 1], [N, R, R, 3] (the trainer disposes it); step 0 is the scale factor's batch. */
  images(step: number): tf.Tensor4D;
  /** The run's autoencoder file: phase checkpoints, then the finished first stage. */
  file: string;
  /** Writes a grid of the originals over their reconstructions (in [−1, 1]); the PNG encoding is the caller's. */
  writeReconstructions?(step: number, grid: tf.Tensor4D, columns: number): Promise<void>;
  /** After each checkpoint. */
  saved?(step: number): void;
}

export class AutoencoderTrainer implements FamilyTrainer<AutoencoderLosses> {
  history: AutoencoderHistoryRow[] = [];
  readonly optimizer: Adam;

  constructor(
    readonly autoencoder: Autoencoder,
    options: AutoencoderTrainOptions,
    private readonly setup: AutoencoderTrainerSetup,
  ) {
    this.optimizer = new Adam(autoencoder.namedVariables(), { learningRate: options.learningRate, beta1: 0.5, beta2: 0.9, epsilon: 1e-8 });
  }

  /** The state a run's autoencoder file holds (a phase checkpoint, or the finished first stage). */
  static async stateOf(file: string): Promise<AutoencoderState> {
    return (await readCheckpointState(file)) as AutoencoderState;
  }

  /** Continues a stopped phase from its checkpoint (or loads the finished stage): returns its state. */
  async resume(): Promise<AutoencoderState> {
    const state = await AutoencoderTrainer.stateOf(this.setup.file);
    const networks = { [AUTOENCODER_NETWORK]: this.autoencoder.namedVariables(), ...(state.done ? {} : { adam_m: this.optimizer.m, adam_v: this.optimizer.v }) };
    await restoreCheckpoint(this.setup.file, { networks, optimizers: {} });
    this.history = state.history;
    return state;
  }

  async step(step: number): Promise<AutoencoderLosses> {
    const x = this.setup.images(step);
    try {
      let figures: { l1: tf.Scalar; kl: tf.Scalar } | undefined;
      const lossTensor = this.optimizer.minimize(() => {
        const { loss, l1, kl } = reconstructionLoss(this.autoencoder, x, this.noise(x, step));
        figures = { l1: tf.keep(l1), kl: tf.keep(kl) };
        return loss;
      }, step);
      const [loss, l1, kl] = await Promise.all([lossTensor, figures!.l1, figures!.kl].map(async (t) => (await t.data())[0]!));
      tf.dispose([lossTensor, figures!.l1, figures!.kl]);
      const row = { loss: loss!, l1: l1!, kl: kl! };
      this.history.push({ step, ...row });
      return row;
    } finally {
      x.dispose();
    }
  }

  /** ε of the posterior sample z = μ + σ·ε at `step`: [N, R/f, R/f, c]. */
  private noise(x: tf.Tensor4D, step: number): tf.Tensor4D {
    const { latentResolution: r, options } = this.autoencoder;
    return tf.randomNormal([x.shape[0], r, r, options.latentChannels], 0, 1, 'float32', tfSeed(posteriorNoiseSeed(this.setup.seed, step))) as tf.Tensor4D;
  }

  async save(step: number): Promise<void> {
    const state: AutoencoderState = { done: false, step, history: this.history };
    const networks = { [AUTOENCODER_NETWORK]: this.autoencoder.namedVariables(), adam_m: this.optimizer.m, adam_v: this.optimizer.v };
    await writeCheckpoint(this.setup.file, { networks, optimizers: {}, state });
    this.setup.saved?.(step);
  }

  /** The reconstruction grid: the scale-factor batch's images (top row) over D(μ) (bottom row). */
  async sample(step: number): Promise<void> {
    if (!this.setup.writeReconstructions) return;
    const x = this.setup.images(0);
    const grid = tf.tidy(() => tf.concat([x, tf.clipByValue(this.autoencoder.decode(this.autoencoder.encode(x).mean), -1, 1)]) as tf.Tensor4D);
    try {
      await this.setup.writeReconstructions(step, grid, x.shape[0]);
    } finally {
      tf.dispose([x, grid]);
    }
  }

  /** Ends the phase at `step`: LDM's scale factor from the latents of a first batch (images(0)), then the file as the finished first stage. */
  async finish(step: number): Promise<LatentSpace> {
    const x = this.setup.images(0);
    const z = tf.tidy(() => new LatentSpace(this.autoencoder, 1).encode(x, posteriorNoiseSeed(this.setup.seed, 0)));
    const scaleFactor = await scaleFactorOf(z);
    tf.dispose([x, z]);
    const state: AutoencoderState = { done: true, step, history: this.history, scaleFactor };
    await writeCheckpoint(this.setup.file, { networks: { [AUTOENCODER_NETWORK]: this.autoencoder.namedVariables() }, optimizers: {}, state });
    return new LatentSpace(this.autoencoder, scaleFactor);
  }

  parameterCount(): number {
    return this.autoencoder.parameterCount();
  }

  /** Adam's moments (the autoencoder itself goes on as the latent space, or is disposed by its owner). */
  dispose(): void {
    this.optimizer.dispose();
  }
}
