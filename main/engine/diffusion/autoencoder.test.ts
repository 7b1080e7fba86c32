import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { generateShapes } from '../shapes/index.ts';
import { runTrainingLoop } from '../training-loop.ts';
import { Autoencoder, klDivergence } from './autoencoder.ts';
import { AutoencoderTrainer, type AutoencoderTrainerSetup } from './autoencoder-trainer.ts';
import { loadLatentSpace } from './latent.ts';
import { AUTOENCODER_PRESETS, DIFFUSION_PRESETS, downsamplingFactor, type LatentPresetName } from './presets.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const SIDE = AUTOENCODER_PRESETS.tinyLatent.resolution;

/** 16 ShapesWorld pictures at the tiny preset's 32 px, in [−1, 1]: [16, 32, 32, 3]. */
const pictures = (() => {
  const all = [...generateShapes({ n: 16, size: SIDE, seed: 4 })].flatMap((sample) => Array.from(sample.pixels, (v) => v / 127.5 - 1));
  return Float32Array.from(all);
})();

/** A step's batch: 8 of the 16 pictures, drawn by step. */
const imagesAt = (step: number): tf.Tensor4D =>
  tf.tidy(() => {
    const all = tf.tensor4d(pictures, [16, SIDE, SIDE, 3]);
    return tf.gather(
      all,
      Array.from({ length: 8 }, (_, i) => (step * 5 + i * 3) % 16),
    ) as tf.Tensor4D;
  });

const setupIn = (folder: string): AutoencoderTrainerSetup => ({ seed: 2, images: imagesAt, file: join(folder, 'autoencoder.bin') });
const noHooks = {
  stopRequested: () => false,
  stop: (): never => {
    throw new Error('no stop');
  },
  stepped: () => undefined,
};
const flat = async (ae: Autoencoder): Promise<number[]> => Array.from(await tf.concat([...ae.namedVariables().values()].map((v) => tf.reshape(v, [-1]))).data());

describe('the first stage of latent diffusion (LDM §3.1: KL-regularised autoencoder)', () => {
  it('encodes [N, R, R, 3] to a posterior over [N, R/f, R/f, c] and decodes back to [N, R, R, 3], for every latent preset', () => {
    for (const name of Object.keys(AUTOENCODER_PRESETS) as LatentPresetName[]) {
      const options = AUTOENCODER_PRESETS[name];
      const f = downsamplingFactor(options);
      const ae = new Autoencoder(options, { seed: 0 });
      const x = tf.randomUniform([2, options.resolution, options.resolution, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
      const posterior = ae.encode(x);
      const latent = [2, options.resolution / f, options.resolution / f, options.latentChannels];
      expect(posterior.mean.shape).toEqual(latent);
      expect(posterior.logVar.shape).toEqual(latent);
      // The UNet of the preset runs on exactly these latents.
      expect(DIFFUSION_PRESETS[name]).toMatchObject({ resolution: options.resolution / f, imageChannels: options.latentChannels });
      const y = ae.decode(posterior.mean);
      expect(y.shape).toEqual([2, options.resolution, options.resolution, 3]);
      console.log(`autoencoder ${name}: ${options.resolution} px → ${latent.slice(1).join('×')} latents (f = ${f}), ${ae.parameterCount().toLocaleString('en')} parameters`);
      tf.dispose([x, posterior.mean, posterior.logVar, y]);
      ae.dispose();
    }
  });

  it('KL(N(μ, σ²) ‖ N(0, 1)) is ½·Σ(μ² + σ² − 1 − log σ²) per image', async () => {
    const mean = tf.tensor4d([0.5, -1, 0, 2], [1, 2, 2, 1]);
    const logVar = tf.tensor4d([0, Math.log(2), -1, 0.5], [1, 2, 2, 1]);
    const direct = [0.5, -1, 0, 2].reduce((sum, m, i) => {
      const lv = [0, Math.log(2), -1, 0.5][i]!;
      return sum + 0.5 * (m * m + Math.exp(lv) - 1 - lv);
    }, 0);
    expect((await klDivergence({ mean, logVar }).data())[0]).toBeCloseTo(direct, 5);
  });

  it('lowers the L1 reconstruction error on ShapesWorld pictures, resumes a stopped phase exactly, and stores the finished stage', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'autoencoder-'));
    const build = () => new Autoencoder(AUTOENCODER_PRESETS.tinyLatent, { seed: 1 });
    const whole = new AutoencoderTrainer(build(), { learningRate: 2e-3 }, setupIn(folder));
    await runTrainingLoop(whole, { start: 0, steps: 30, checkpointEvery: 30, sampleEvery: 1000, batchSize: 8 }, noHooks);
    const l1 = whole.history.map((row) => row.l1);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`tinyLatent autoencoder: L1 of steps 1–5 ${mean(l1.slice(0, 5)).toFixed(4)}, of steps 26–30 ${mean(l1.slice(25)).toFixed(4)}`);
    expect(mean(l1.slice(25))).toBeLessThan(0.7 * mean(l1.slice(0, 5)));

    // Stopped at step 15 (as after kill -9 past that checkpoint), resumed in a fresh trainer: the same losses and weights.
    const other = mkdtempSync(join(tmpdir(), 'autoencoder-'));
    const first = new AutoencoderTrainer(build(), { learningRate: 2e-3 }, setupIn(other));
    await runTrainingLoop(first, { start: 0, steps: 15, checkpointEvery: 15, sampleEvery: 1000, batchSize: 8 }, noHooks);
    first.dispose();
    first.autoencoder.dispose();
    const resumed = new AutoencoderTrainer(build(), { learningRate: 2e-3 }, setupIn(other));
    const state = await resumed.resume();
    expect(state).toMatchObject({ done: false, step: 15 });
    await runTrainingLoop(resumed, { start: state.step, steps: 30, checkpointEvery: 30, sampleEvery: 1000, batchSize: 8 }, noHooks);
    expect(resumed.history).toEqual(whole.history);
    expect(await flat(resumed.autoencoder)).toEqual(await flat(whole.autoencoder));

    // The finished stage: latents of unit variance on the first batch, and the same decoder when loaded again.
    const latents = await whole.finish(30);
    const x = imagesAt(0);
    const z = latents.encode(x, 0);
    expect(z.shape).toEqual([8, 8, 8, 4]);
    const { variance } = tf.moments(z);
    expect((await variance.data())[0]).toBeGreaterThan(0.8);
    const loaded = await loadLatentSpace(join(folder, 'autoencoder.bin'), AUTOENCODER_PRESETS.tinyLatent);
    expect(loaded.scaleFactor).toBe(latents.scaleFactor);
    const [a, b] = [latents.decode(z), loaded.decode(z)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    expect((await AutoencoderTrainer.stateOf(join(folder, 'autoencoder.bin'))).done).toBe(true);
    tf.dispose([x, z, variance, a, b]);
    for (const trainer of [whole, resumed]) {
      trainer.dispose();
      trainer.autoencoder.dispose();
    }
    loaded.dispose();
  }, 120_000);
});
