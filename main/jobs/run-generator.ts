/**
 * A trained run's generator average G_ema, as generation and evaluation load it: the kept
 * snapshot of the asked step, or the newest one (the resume checkpoint for runs that kept none);
 * and, for either family, a source of images (`loadRunImageSource`): G_ema(z, h) for a GAN run,
 * the EMA UNet through DDIM or DDPM with classifier-free guidance for a diffusion run (a latent
 * run's samples decoded by the autoencoder stored beside its checkpoint).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { DiffusionSampler, TrainFamily } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { loadLatentSpace, type LatentSpace } from '../engine/diffusion/latent.ts';
import { AUTOENCODER_PRESETS, DIFFUSION_PRESETS, isLatentPreset } from '../engine/diffusion/presets.ts';
import { sampleImages } from '../engine/diffusion/sampler.ts';
import { noiseSchedule } from '../engine/diffusion/schedule.ts';
import { EMA_NETWORK } from '../engine/diffusion/trainer.ts';
import { UNet } from '../engine/diffusion/unet.ts';
import { tfSeed } from '../engine/random.ts';
import { readCheckpointState, restoreCheckpoint } from '../engine/gan/checkpoint.ts';
import { Generator } from '../engine/gan/generator.ts';
import { PRESETS, type NetworkOptions } from '../engine/gan/presets.ts';
import type { JobInput } from './job-kind.ts';
import type { TrainingRunJob } from './run-records.ts';
import { autoencoderFile, checkpointFile, runFolder, snapshotFile, SNAPSHOTS_FOLDER, stepsOf } from './run-files.ts';

/** A run's kept generator: its file, its step, and the run's folder (a latent run's autoencoder lies there). */
export interface KeptGenerator {
  file: string;
  step: number;
  folder: string;
}

/** The file holding the run's generator at `step` (default: the newest), and that step. */
export async function findGenerator(dataDir: string, runId: string, step: number | undefined): Promise<KeptGenerator> {
  const folder = runFolder(dataDir, runId);
  if (step !== undefined) {
    if (!existsSync(snapshotFile(folder, step)))
      throw invalidInput(`run ${runId} kept no generator at step ${step}: see \`lafite runs show ${runId}\` for the steps it kept`, 'step');
    return { file: snapshotFile(folder, step), step, folder };
  }
  const kept = existsSync(join(folder, SNAPSHOTS_FOLDER)) ? stepsOf(await readdir(join(folder, SNAPSHOTS_FOLDER)), 'bin') : [];
  if (kept.length > 0) return { file: snapshotFile(folder, kept.at(-1)!), step: kept.at(-1)!, folder };
  if (!existsSync(checkpointFile(folder))) throw invalidInput(`run ${runId} has no checkpoint yet: let it train past its first checkpoint`, 'run');
  return { file: checkpointFile(folder), step: ((await readCheckpointState(checkpointFile(folder))) as { step: number }).step, folder };
}

/** The network a run trains: its preset, with the condition form it asked for. */
export const networkOf = (run: Pick<JobInput<'gan-train'>, 'preset' | 'condition'>): NetworkOptions => ({
  ...PRESETS[run.preset],
  ...(run.condition ? { condition: run.condition } : {}),
});

/** G_ema of a run's network from `file` (dispose it when done). */
export async function loadGenerator(file: string, run: Pick<JobInput<'gan-train'>, 'preset' | 'condition'>, textDim: number): Promise<Generator> {
  const g = new Generator(networkOf(run), { textDim, seed: 0 });
  await restoreCheckpoint(file, { networks: { g_ema: g.namedVariables() }, optimizers: {} });
  return g;
}

/** How images are drawn: the GAN's truncation, the diffusion model's sampler. */
export interface DrawOptions {
  truncation: number;
  steps: number;
  sampler: DiffusionSampler;
  eta: number;
  guidance: number;
  /** Diffusion: after each denoising step. */
  progress?(done: number, total: number): void;
}

/** A run's images, whatever its family. */
export interface RunImageSource {
  family: TrainFamily;
  resolution: number;
  /** Images in [−1, 1], [N, R, R, 3], for conditions h [N, D]: the GAN's z and noise from `seeds`, the diffusion model's noise from seeds.z + i per image. */
  draw(h: tf.Tensor2D, seeds: { z: number; noise: number }, options: DrawOptions): Promise<tf.Tensor4D>;
  dispose(): void;
}

/** A latent run's finished autoencoder, from its folder. */
async function latentSpaceOf(folder: string, preset: JobInput<'diffusion-train'>['preset']): Promise<LatentSpace | undefined> {
  if (!isLatentPreset(preset)) return undefined;
  if (!existsSync(autoencoderFile(folder))) throw invalidInput(`the latent run in ${folder} has no autoencoder yet: let it train past its autoencoder phase`, 'run');
  return loadLatentSpace(autoencoderFile(folder), AUTOENCODER_PRESETS[preset]);
}

/** The diffusion run's EMA UNet from `file`, its noise schedule and (latent presets) its decoder, as a source of images. */
async function diffusionSource(kept: KeptGenerator, input: JobInput<'diffusion-train'>, textDim: number): Promise<RunImageSource> {
  const latents = await latentSpaceOf(kept.folder, input.preset);
  const unet = new UNet(DIFFUSION_PRESETS[input.preset], { textDim, seed: 0 });
  await restoreCheckpoint(kept.file, { networks: { [EMA_NETWORK]: unet.namedVariables() }, optimizers: {} });
  const schedule = noiseSchedule(input.noiseSchedule, input.timesteps);
  return {
    family: 'diffusion',
    resolution: latents?.autoencoder.options.resolution ?? unet.options.resolution,
    async draw(h, seeds, options) {
      if (options.steps > schedule.timesteps) throw invalidInput(`--steps ${options.steps}: this run has T = ${schedule.timesteps} noise levels, at most that many steps`, 'steps');
      const perImage = Array.from({ length: h.shape[0] }, (_, i) => seeds.z + i);
      const sampled = await sampleImages(unet, schedule, h, perImage, { ...options, clip: !latents }); // latents have no [−1, 1] range to clip to
      if (!latents) return sampled;
      const images = latents.decode(sampled); // LDM: x̃ = D(z/s)
      sampled.dispose();
      return images;
    },
    dispose: () => {
      unet.dispose();
      latents?.dispose();
    },
  };
}

/** The image source of a training run at a kept generator (findGenerator), dispatched on its family. */
export async function loadRunImageSource(kept: KeptGenerator, run: TrainingRunJob, textDim: number): Promise<RunImageSource> {
  if (run.kind === 'diffusion-train') return diffusionSource(kept, run.input, textDim);
  const g = await loadGenerator(kept.file, run.input, textDim);
  return {
    family: 'gan',
    resolution: g.options.resolution,
    draw: async (h, seeds, options) =>
      tf.tidy(() => {
        const z = tf.randomNormal([h.shape[0], g.options.zDim], 0, 1, 'float32', tfSeed(seeds.z)) as tf.Tensor2D;
        return g.generate(z, h, { truncation: options.truncation, noiseSeed: seeds.noise });
      }),
    dispose: () => g.dispose(),
  };
}
