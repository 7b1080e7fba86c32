/**
 * `npm run bench -- latent`: the latent diffusion presets (issue 16, LDM's design above 64 px) on
 * the machine at hand: parameters of each preset's autoencoder and UNet; the `latent128`
 * autoencoder trained on ShapesWorld pictures at 128 px for a time budget (ms per step at batch 8,
 * the L1 reconstruction error of the first and last steps and on 16 held-out pictures); a UNet
 * step on the encoded latents (the frozen encoder included) and the sampling of one picture (25
 * DDIM steps on 32×32×4 latents, then the decoder). LAFITE_BENCH_LATENT_SECONDS sets the budget
 * (default 120).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from '../main/engine/backend.ts';
import { Autoencoder } from '../main/engine/diffusion/autoencoder.ts';
import { AutoencoderTrainer } from '../main/engine/diffusion/autoencoder-trainer.ts';
import { posteriorNoiseSeed } from '../main/engine/diffusion/latent.ts';
import { AUTOENCODER_PRESETS, DIFFUSION_PRESETS, downsamplingFactor, type LatentPresetName } from '../main/engine/diffusion/presets.ts';
import { sampleImages } from '../main/engine/diffusion/sampler.ts';
import { DiffusionTrainer } from '../main/engine/diffusion/trainer.ts';
import { UNet } from '../main/engine/diffusion/unet.ts';
import { generateShapes } from '../main/engine/shapes/index.ts';

const BATCH = 8;
const TEXT_DIM = 64;
const SECONDS = Number(process.env.LAFITE_BENCH_LATENT_SECONDS ?? 120);

/** `n` ShapesWorld pictures at `size` px from `start`, in [−1, 1]: [n, size, size, 3]. */
function pictures(n: number, size: number, start = 0): tf.Tensor4D {
  const values = new Float32Array(n * size * size * 3);
  for (const sample of generateShapes({ n: start + n, start, size, seed: 11 })) {
    const offset = (sample.index - start) * size * size * 3;
    sample.pixels.forEach((v, j) => (values[offset + j] = v / 127.5 - 1));
  }
  return tf.tensor4d(values, [n, size, size, 3]);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function parameterCounts() {
  return Object.fromEntries(
    (Object.keys(AUTOENCODER_PRESETS) as LatentPresetName[]).map((name) => {
      const options = AUTOENCODER_PRESETS[name];
      const ae = new Autoencoder(options, { seed: 0 });
      const unet = new UNet(DIFFUSION_PRESETS[name], { textDim: TEXT_DIM, seed: 0 });
      const r = options.resolution / downsamplingFactor(options);
      const figures = { resolution: options.resolution, latents: `${r}×${r}×${options.latentChannels}`, autoencoder: ae.parameterCount(), unet: unet.parameterCount() };
      ae.dispose();
      unet.dispose();
      return [name, figures];
    }),
  );
}

/** The latent128 autoencoder on ShapesWorld for the time budget: ms per step and the L1 error along the way. */
async function autoencoderTraining(train: tf.Tensor4D, heldOut: tf.Tensor4D) {
  const folder = mkdtempSync(join(tmpdir(), 'bench-latent-'));
  const n = train.shape[0];
  const images = (step: number): tf.Tensor4D =>
    tf.gather(
      train,
      Array.from({ length: BATCH }, (_, i) => (step * BATCH + i * 7) % n),
    ) as tf.Tensor4D;
  const trainer = new AutoencoderTrainer(
    new Autoencoder(AUTOENCODER_PRESETS.latent128, { seed: 0 }),
    { learningRate: 1e-3 },
    { seed: 0, images, file: join(folder, 'autoencoder.bin') },
  );
  const started = performance.now();
  const stepMs: number[] = [];
  let step = 0;
  while (performance.now() - started < SECONDS * 1000) {
    const t0 = performance.now();
    await trainer.step(++step);
    stepMs.push(performance.now() - t0);
    process.stderr.write(`latent128 autoencoder step ${step}: L1 ${trainer.history.at(-1)!.l1.toFixed(4)} (${stepMs.at(-1)!.toFixed(0)} ms)\n`);
  }
  const heldOutL1 = tf.tidy(() => tf.mean(tf.abs(tf.sub(heldOut, tf.clipByValue(trainer.autoencoder.decode(trainer.autoencoder.encode(heldOut).mean), -1, 1)))));
  const l1 = trainer.history.map((row) => row.l1);
  const figures = {
    steps: step,
    batch: BATCH,
    msPerStep: Math.round(mean(stepMs.slice(1))), // the first step builds XNNPACK's operators
    l1FirstFiveSteps: mean(l1.slice(0, 5)),
    l1LastFiveSteps: mean(l1.slice(-5)),
    l1HeldOut16: (await heldOutL1.data())[0],
    lastKl: trainer.history.at(-1)!.kl,
  };
  heldOutL1.dispose();
  const latents = await trainer.finish(step);
  trainer.dispose();
  rmSync(folder, { recursive: true, force: true });
  return { figures, latents };
}

export async function latentDiffusionFigures() {
  const backend = (await activeBackend()).id;
  const counts = parameterCounts();
  const size = AUTOENCODER_PRESETS.latent128.resolution;
  const [train, heldOut] = [pictures(256, size), pictures(16, size, 256)];
  const { figures: autoencoder, latents } = await autoencoderTraining(train, heldOut);

  // The UNet phase's step: the batch encoded by the frozen encoder, then DDPM's loss and Adam on the 32×32×4 latents.
  const parts = DiffusionTrainer.buildParts(DIFFUSION_PRESETS.latent128, { textDim: TEXT_DIM, seed: 0, learningRate: 5e-4, noiseSchedule: 'cosine', timesteps: 1000 });
  const h = tf.randomNormal([BATCH, TEXT_DIM], 0, 1, 'float32', 1) as tf.Tensor2D;
  const sampleH = tf.slice(h, [0, 0], [1, TEXT_DIM]) as tf.Tensor2D;
  const unetTrainer = new DiffusionTrainer(parts, {
    options: { condDrop: 0.1, ema: 0.999, seed: 0 },
    batch: (step) => ({ reals: latents.encode(tf.slice(train, [(step * BATCH) % 256, 0, 0, 0], [BATCH, size, size, 3]), posteriorNoiseSeed(0, step)), h: tf.clone(h) }),
    files: { checkpoint: '', snapshot: () => '' },
    samples: { h: sampleH, seeds: [0], columns: 1, sampling: { sampler: 'ddim', steps: 25, eta: 0, guidance: 1, clip: false }, write: async () => undefined },
  });
  const unetMs: number[] = [];
  for (let step = 1; step <= 6; step++) {
    const t0 = performance.now();
    await unetTrainer.step(step);
    unetMs.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const sampled = await sampleImages(parts.ema, parts.schedule, sampleH, [0], { sampler: 'ddim', steps: 25, eta: 0, guidance: 1, clip: false });
  const picture = latents.decode(sampled);
  await picture.data();
  const sampleMs = performance.now() - t0;
  tf.dispose([sampled, picture, h, sampleH, train, heldOut]);
  unetTrainer.dispose();
  latents.dispose();
  return {
    backend,
    parameters: counts,
    latent128Autoencoder: { ...autoencoder, scaleFactor: latents.scaleFactor },
    latent128UnetStep: { batch: BATCH, msPerStep: Math.round(mean(unetMs.slice(1))), encoderIncluded: true },
    latent128SampleMsPerImage: Math.round(sampleMs),
  };
}
