/**
 * `npm run bench -- diffusion`: sampling time per image of the diffusion model's `shapes` preset
 * (32 px) with DDIM at 10, 25 and 50 steps, with classifier-free guidance (two network passes a
 * step, batched as one) and without, against the GAN's `shapes` generator on the same backend and
 * batch (issue 16). Untrained weights: the time does not depend on them. Each figure is taken on
 * the sampling path (the UNet's `frozen` inference path, unet-inference.ts) and, just before it
 * on the same machine, on the training path the sampler used before (`before`), so a shared
 * machine's load moves both alike. LAFITE_BENCH_DIFFUSION_STEPS=10,25 picks the step counts.
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
const STEPS = (process.env.LAFITE_BENCH_DIFFUSION_STEPS ?? '10,25,50').split(',').map(Number);

export async function diffusionFigures() {
  const backend = (await activeBackend()).id;
  const unet = new UNet(DIFFUSION_PRESETS.shapes, { textDim: TEXT_DIM, seed: 0 });
  const schedule = noiseSchedule('cosine', 1000);
  const h = tf.randomNormal([BATCH, TEXT_DIM], 0, 1, 'float32', 3) as tf.Tensor2D;
  const seeds = Array.from({ length: BATCH }, (_, i) => i);
  const trainingPath = { options: unet.options, predict: unet.predict.bind(unet) }; // no `frozen`: what sampling ran before
  const time = async (steps: number, guidance: number, before = false): Promise<number> => {
    const started = performance.now();
    const images = await sampleImages(before ? trainingPath : unet, schedule, h, seeds, { sampler: 'ddim', steps, eta: 0, guidance });
    await images.data();
    images.dispose();
    return performance.now() - started;
  };
  await time(2, 3); // warm-up
  const ddim = [];
  for (const steps of STEPS) {
    for (const guidance of [1, 3]) {
      const msBefore = await time(steps, guidance, true);
      const ms = await time(steps, guidance);
      const perImage = (total: number) => Math.round((total / BATCH) * 10) / 10;
      ddim.push({ steps, guidance, msPerImage: perImage(ms), msPerImageBefore: perImage(msBefore) });
      process.stderr.write(`diffusion shapes, DDIM ${steps} steps, guidance ${guidance}: ${(ms / BATCH).toFixed(1)} ms/image (training path ${(msBefore / BATCH).toFixed(1)})\n`);
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
