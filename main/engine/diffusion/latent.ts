/**
 * The latent space a latent diffusion run's UNet works in (Rombach et al. 2022, §3.3 and
 * Appendix G): the trained first stage (autoencoder.ts), frozen, and LDM's `scale_factor`, the
 * inverse standard deviation of a first batch's latents, so the UNet sees latents of unit variance
 * whatever scale the KL-regularised autoencoder settled on (LDM's `scale_by_std`). The UNet trains on
 * s·z, z ~ q(z|x) (LDM's get_first_stage_encoding of posterior.sample()); images come back as D(z/s).
 * The first stage is stored with the run as one checkpoint file (the run's `autoencoder.bin`): the
 * autoencoder's variables and, once its phase is done, `{ done: true, scaleFactor, … }`.
 *
 * @example
 *   const latents = await loadLatentSpace(autoencoderFile(folder), AUTOENCODER_PRESETS.latent128);
 *   const z = latents.encode(x, seed);        // [N, 32, 32, 4], unit variance
 *   const images = latents.decode(z);         // [N, 128, 128, 3] in [−1, 1]
 */
import * as tf from '@tensorflow/tfjs-core';
import { LafiteError } from '../../contract/errors.ts';
import { readCheckpointState, restoreCheckpoint } from '../gan/checkpoint.ts';
import { tfSeed } from '../random.ts';
import { Autoencoder, samplePosterior } from './autoencoder.ts';
import type { AutoencoderOptions } from './presets.ts';

/** The autoencoder's network name in its file. */
export const AUTOENCODER_NETWORK = 'autoencoder';

/** A row of the first stage's loss history (every step). */
export interface AutoencoderHistoryRow {
  step: number;
  loss: number;
  l1: number;
  kl: number;
}

/** The saved state of a run's autoencoder file: a phase checkpoint (`done: false`, with Adam's moments beside), or the finished first stage. */
export type AutoencoderState =
  { done: false; step: number; history: AutoencoderHistoryRow[] } | { done: true; step: number; history: AutoencoderHistoryRow[]; scaleFactor: number };

/** 1/std(z) over every entry of a batch's latents (LDM's scale_by_std; torch's unbiased std). */
export async function scaleFactorOf(z: tf.Tensor): Promise<number> {
  const values = await z.data();
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const std = Math.sqrt(squares / Math.max(1, n - 1));
  if (!(std > 0)) throw new Error(`the first batch's latents have standard deviation ${std}: the autoencoder collapsed`);
  return 1 / std;
}

/** The noise of the posterior sample of a training step: its own stream (the UNet's ε has another), a function of (seed, step). */
export const posteriorNoiseSeed = (seed: number, step: number): number => (seed * 104_729 + step * 31 + 7) >>> 0;

/** A frozen first stage and its scale factor. */
export class LatentSpace {
  constructor(
    readonly autoencoder: Autoencoder,
    readonly scaleFactor: number,
  ) {}

  /** s·z, z ~ q(z|x) with seeded noise: x [N, R, R, 3] in [−1, 1] → [N, R/f, R/f, c]. */
  encode(x: tf.Tensor4D, noiseSeed: number): tf.Tensor4D {
    return tf.tidy(() => {
      const posterior = this.autoencoder.encode(x);
      const eps = tf.randomNormal(posterior.mean.shape, 0, 1, 'float32', tfSeed(noiseSeed)) as tf.Tensor4D;
      return tf.mul(samplePosterior(posterior, eps), this.scaleFactor) as tf.Tensor4D;
    });
  }

  /** x̂ = D(z/s) in [−1, 1]: z [N, R/f, R/f, c] → [N, R, R, 3]. */
  decode(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.clipByValue(this.autoencoder.decode(tf.div(z, this.scaleFactor) as tf.Tensor4D), -1, 1) as tf.Tensor4D);
  }

  dispose(): void {
    this.autoencoder.dispose();
  }
}

/** The finished first stage stored in `file` (a run's autoencoder file), as a latent space. */
export async function loadLatentSpace(file: string, options: AutoencoderOptions): Promise<LatentSpace> {
  const state = (await readCheckpointState(file)) as AutoencoderState;
  if (!state.done) throw new LafiteError('conflict', `${file} holds an autoencoder still in training (step ${state.step}): resume the run to finish it`);
  const autoencoder = new Autoencoder(options, { seed: 0 });
  await restoreCheckpoint(file, { networks: { [AUTOENCODER_NETWORK]: autoencoder.namedVariables() }, optimizers: {} });
  return new LatentSpace(autoencoder, state.scaleFactor);
}
