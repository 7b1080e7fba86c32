/**
 * The latent side of `diffusion-train` (LDM, Rombach et al. 2022 §3): with a latent preset the run
 * first trains its autoencoder, a phase of its own (progress as phase `autoencoder`, its share of
 * the run by steps; checkpoints in the run's autoencoder.bin, so a stop or kill resumes it; when
 * fine-tuning, the init run's finished autoencoder is copied instead, since its UNet learnt that
 * latent space), then the UNet learns s·z of each batch under the frozen encoder and the sample
 * grids are the decoded latents. A thin adapter: the engine's AutoencoderTrainer and LatentSpace
 * do the work.
 *
 * @example
 *   const latent = latentRun(input, 'latent128', context);
 *   // DiffusionTrainer's batch: latent.batch; its grid's write: latent.write; trainRun's prepare: latent.preparation
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderSummary } from '../../contract/index.ts';
import { Autoencoder } from '../../engine/diffusion/autoencoder.ts';
import { AutoencoderTrainer } from '../../engine/diffusion/autoencoder-trainer.ts';
import { LatentSpace, posteriorNoiseSeed } from '../../engine/diffusion/latent.ts';
import { AUTOENCODER_PRESETS, type LatentPresetName } from '../../engine/diffusion/presets.ts';
import { runTrainingLoop } from '../../engine/training-loop.ts';
import { writeImageGrid } from '../generated-images.ts';
import type { JobInput } from '../job-kind.ts';
import { autoencoderFile, autoencoderGridFile, sampleFile } from '../run-files.ts';
import type { PhaseHooks, TrainContext, TrainPreparation } from '../train-run.ts';

type Input = JobInput<'diffusion-train'>;

/** What the diffusion trainer of a latent run takes from its first stage. */
export interface LatentRun {
  /** The step's batch with its pixels replaced by s·z, z ~ q(z|x) (the pixels are disposed). */
  batch(step: number): { reals: tf.Tensor4D; h: tf.Tensor2D };
  /** Decodes a sample grid's latents and writes the pictures. */
  write(step: number, latents: tf.Tensor4D, columns: number): Promise<void>;
  /** Fine-tuning from the run whose checkpoint is `file`: its autoencoder lies beside it. */
  initFrom(file: string): void;
  preparation: TrainPreparation;
  /** The first stage's figures, once its phase ran. */
  summary(): AutoencoderSummary | undefined;
  dispose(): void;
}

export function latentRun(input: Input, preset: LatentPresetName, context: TrainContext): LatentRun {
  const autoencoder = new Autoencoder(AUTOENCODER_PRESETS[preset], { seed: input.seed });
  const file = autoencoderFile(context.folder);
  let latents: LatentSpace | undefined;
  let summary: AutoencoderSummary | undefined;
  let initFile: string | undefined;
  const ready = (): LatentSpace => {
    if (!latents) throw new Error('the latent run used its autoencoder before the autoencoder phase');
    return latents;
  };

  /** Resumes or runs the phase (or takes the init run's autoencoder), then holds the frozen first stage. */
  async function trainFirstStage(hooks: PhaseHooks): Promise<void> {
    if (!existsSync(file) && initFile) await copyFile(initFile, file); // finished, so the phase below only loads it
    const total = input.autoencoderSteps;
    const trainer = new AutoencoderTrainer(
      autoencoder,
      { learningRate: input.autoencoderLr },
      { seed: input.seed, images: context.images, file, writeReconstructions: (_, grid, columns) => writeImageGrid(autoencoderGridFile(context.folder), grid, columns) },
    );
    try {
      const state = existsSync(file) ? await trainer.resume() : undefined;
      if (state?.done) {
        latents = new LatentSpace(autoencoder, state.scaleFactor);
      } else {
        // With a time budget the phase may end before its steps: the autoencoder then stands as trained so far.
        const loop = await runTrainingLoop(
          trainer,
          {
            start: state?.step ?? 0,
            steps: total,
            ...(hooks.minutes !== undefined ? { minutes: hooks.minutes } : {}),
            checkpointEvery: input.checkpointEvery,
            sampleEvery: total,
            batchSize: input.batchSize,
          },
          {
            stopRequested: () => hooks.stopRequested(),
            stop: () => hooks.stop(),
            stepped: (step, losses, progress) =>
              hooks.progress({
                fraction: progress.fraction,
                message: `autoencoder step ${step} of ${total}: L1 ${losses.l1.toFixed(4)}, KL ${losses.kl.toFixed(1)}`,
                step,
                total,
                phase: 'autoencoder',
                metrics: { reconstruction: losses.l1, kl: losses.kl, imagesPerSecond: progress.imagesPerSecond },
              }),
          },
        );
        latents = await trainer.finish(loop.reached);
      }
      const last = trainer.history.at(-1);
      summary = { parameters: autoencoder.parameterCount(), steps: last?.step ?? 0, reconstruction: last?.l1 ?? Number.NaN, scaleFactor: latents.scaleFactor };
    } finally {
      trainer.dispose(); // Adam's moments; the autoencoder goes on as the latent space
    }
  }

  return {
    batch(step) {
      const { reals, h } = context.batch(step);
      const z = ready().encode(reals, posteriorNoiseSeed(input.seed, step)); // LDM trains on posterior samples, scaled
      reals.dispose();
      return { reals: z, h };
    },
    async write(step, z, columns) {
      const images = ready().decode(z);
      try {
        await writeImageGrid(sampleFile(context.folder, step), images, columns);
      } finally {
        images.dispose();
      }
    },
    initFrom(checkpoint) {
      initFile = autoencoderFile(dirname(checkpoint));
    },
    preparation: { share: input.autoencoderSteps / (input.autoencoderSteps + input.steps), run: trainFirstStage },
    summary: () => summary,
    dispose: () => autoencoder.dispose(),
  };
}
