/**
 * The conditional StyleGAN2's side of the shared training loop (engine/training-loop.ts): its
 * networks and optimizers (StyleGAN2's Adam, β₁ = 0), a step on the batch the caller draws for
 * it, the official EMA schedule, the loss history kept in the checkpoint, checkpoints that a
 * resume continues from exactly, G_ema snapshots per checkpoint, and the fixed sample grid.
 * The caller hands in where files go and how a grid is written; nothing here knows a job or
 * a database.
 *
 * @example
 *   const trainer = new GanTrainer(GanTrainer.buildParts(network, { textDim: 64, seed: 0, learningRate: 0.0025 }), { … });
 *   await runTrainingLoop(trainer, { start: 0, steps: 2000, checkpointEvery: 100, sampleEvery: 100, batchSize: 8 }, hooks);
 */
import * as tf from '@tensorflow/tfjs';
import type { FamilyTrainer } from '../training-loop.ts';
import { emaBeta } from './ema.ts';
import { restoreCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { Discriminator } from './discriminator.ts';
import { Generator } from './generator.ts';
import type { NetworkOptions } from './presets.ts';
import { newPlMean, trainStepAsync, type Batch, type StepLosses, type StepOptions, type TrainParts } from './train-step.ts';

/** The official EMA: a half-life of 10k images, ramped up as 5 % of the images seen (a short run is not stuck at its initial weights). */
const EMA_HALF_LIFE_IMAGES = 10_000;
const EMA_RAMPUP = 0.05;
export const emaBetaAt = (step: number, batchSize: number): number => emaBeta(Math.min(EMA_HALF_LIFE_IMAGES, step * batchSize * EMA_RAMPUP), batchSize);

/** A row of the loss history (every step), kept in the checkpoint so a resumed run keeps it. */
export type HistoryRow = { step: number } & Omit<StepLosses, 'r1' | 'pathLength' | 'modeSeeking'>;

/** What a checkpoint's state holds besides the networks and optimizers. */
interface SavedState {
  step: number;
  history: HistoryRow[];
  plMean?: number;
}

/** The fixed inputs of the sample grid and how a grid is written (PNG encoding is the caller's). */
export interface SampleGrid {
  z: tf.Tensor2D;
  h: tf.Tensor2D;
  columns: number;
  write(step: number, images: tf.Tensor4D, columns: number): Promise<void>;
}

export interface GanTrainerSetup {
  /** Step options but the step and its EMA β, which the trainer sets. */
  stepOptions: Omit<StepOptions, 'step' | 'emaBeta'>;
  /** The batch of a step: real images and their conditions (the trainer disposes them). */
  batch(step: number): Batch;
  /** Where the resume checkpoint and the per-step G_ema snapshots go. */
  files: { checkpoint: string; snapshot(step: number): string };
  samples: SampleGrid;
  /** After each checkpoint (a job records the step it can resume from). */
  saved?(step: number): void;
}

export class GanTrainer implements FamilyTrainer<StepLosses> {
  history: HistoryRow[] = [];

  constructor(
    readonly parts: TrainParts,
    private readonly setup: GanTrainerSetup,
  ) {}

  /** G, D and G_ema (G_ema starts as G: the same seed) with StyleGAN2's Adam. */
  static buildParts(network: NetworkOptions, options: { textDim: number; seed: number; learningRate: number }): TrainParts {
    const adam = () => tf.train.adam(options.learningRate, 0, 0.99, 1e-8); // StyleGAN2's Adam (β₁ = 0)
    return {
      g: new Generator(network, { textDim: options.textDim, seed: options.seed }),
      d: new Discriminator(network, { textDim: options.textDim, seed: options.seed + 1 }),
      gEma: new Generator(network, { textDim: options.textDim, seed: options.seed }),
      gOptimizer: adam(),
      dOptimizer: adam(),
      plMean: newPlMean(),
    };
  }

  private networks() {
    return { g: this.parts.g.namedVariables(), d: this.parts.d.namedVariables(), g_ema: this.parts.gEma.namedVariables() };
  }

  /** Continues a stopped run: networks, optimizers, the loss history and the path-length mean; returns the step reached. */
  async resume(file: string): Promise<number> {
    const state = (await restoreCheckpoint(file, { networks: this.networks(), optimizers: { g: this.parts.gOptimizer, d: this.parts.dOptimizer } })) as SavedState;
    this.history = state.history;
    this.parts.plMean.assign(tf.scalar(state.plMean ?? 0));
    return state.step;
  }

  /** Fine-tuning (Lafite §4.3): another run's networks, fresh optimizers. */
  async initFrom(file: string): Promise<void> {
    await restoreCheckpoint(file, { networks: this.networks(), optimizers: {} });
  }

  async step(step: number): Promise<StepLosses> {
    const batch = this.setup.batch(step);
    try {
      const losses = await trainStepAsync(this.parts, batch, { ...this.setup.stepOptions, emaBeta: emaBetaAt(step, batch.reals.shape[0]), step });
      const { r1: _r1, pathLength: _pl, modeSeeking: _ms, ...kept } = losses;
      this.history.push({ step, ...kept });
      return losses;
    } finally {
      tf.dispose([batch.reals, batch.h]);
    }
  }

  async save(step: number): Promise<void> {
    await writeCheckpoint(this.setup.files.snapshot(step), { networks: { g_ema: this.parts.gEma.namedVariables() }, optimizers: {}, state: { step } });
    const plMean = (await this.parts.plMean.data())[0]!;
    const state: SavedState = { step, history: this.history, plMean };
    await writeCheckpoint(this.setup.files.checkpoint, { networks: this.networks(), optimizers: { g: this.parts.gOptimizer, d: this.parts.dOptimizer }, state });
    this.setup.saved?.(step);
  }

  async sample(step: number): Promise<void> {
    const { z, h, columns, write } = this.setup.samples;
    const images = this.parts.gEma.generate(z, h, { noiseSeed: 0 });
    try {
      await write(step, images, columns);
    } finally {
      images.dispose();
    }
  }

  /** Frees the networks, optimizers and CLIP tower (the sample grid's tensors are the caller's). */
  dispose(): void {
    const { g, d, gEma, clip, gOptimizer, dOptimizer, plMean } = this.parts;
    [g, d, gEma].forEach((network) => network.dispose());
    clip?.towers.dispose();
    gOptimizer.dispose();
    dOptimizer.dispose();
    plMean.dispose();
  }
}
