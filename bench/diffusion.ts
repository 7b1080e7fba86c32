/**
 * `npm run bench -- diffusion`: sampling time per image of the diffusion model's `shapes` preset
 * (32 px) with DDIM at 10, 25 and 50 steps, with classifier-free guidance (two network passes a
 * step, batched as one) and without, against the GAN's `shapes` generator on the same backend and
 * batch (issue 16). Untrained weights: the time does not depend on them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from '../main/engine/backend.ts';
import { DIFFUSION_PRESETS } from '../main/engine/diffusion/presets.ts';
import { sampleImages } from '../main/engine/diffusion/sampler.ts';
import { noiseSchedule } from '../main/engine/diffusion/schedule.ts';
import { UNet } from '../main/engine/diffusion/unet.ts';
import { generationFigures } from './gpu-figures.ts';

const BATCH = 8;
const TEXT_DIM = 64; // the GAN bench's conditions are 64-d too (its textHidden)
const STEPS = [10, 25, 50];

export async function diffusionFigures() {
  const backend = (await activeBackend()).id;
  const unet = new UNet(DIFFUSION_PRESETS.shapes, { textDim: TEXT_DIM, seed: 0 });
  const schedule = noiseSchedule('cosine', 1000);
  const h = tf.randomNormal([BATCH, TEXT_DIM], 0, 1, 'float32', 3) as tf.Tensor2D;
  const seeds = Array.from({ length: BATCH }, (_, i) => i);
  const time = async (steps: number, guidance: number): Promise<number> => {
    const started = performance.now();
    const images = await sampleImages(unet, schedule, h, seeds, { sampler: 'ddim', steps, eta: 0, guidance });
    await images.data();
    images.dispose();
    return performance.now() - started;
  };
  await time(2, 3); // warm-up
  const ddim = [];
  for (const steps of STEPS) {
    for (const guidance of [1, 3]) {
      const ms = await time(steps, guidance);
      ddim.push({ steps, guidance, msPerImage: Math.round((ms / BATCH) * 10) / 10 });
      process.stderr.write(`diffusion shapes, DDIM ${steps} steps, guidance ${guidance}: ${(ms / BATCH).toFixed(1)} ms/image\n`);
    }
  }
  const [gan] = await generationFigures('shapes', [BATCH], 5);
  const unetParameters = unet.parameterCount();
  unet.dispose();
  h.dispose();
  const ganMs = gan!.msPerImage;
  return {
    backend,
    batch: BATCH,
    unetParameters,
    ddim: ddim.map((row) => ({ ...row, timesGan: Math.round(row.msPerImage / ganMs) })),
    gan: { preset: 'shapes', msPerImage: ganMs },
  };
}
