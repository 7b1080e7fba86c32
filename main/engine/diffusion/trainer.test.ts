import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { runTrainingLoop } from '../training-loop.ts';
import { DIFFUSION_PRESETS, DIFFUSION_PRESET_NAMES } from './presets.ts';
import { DiffusionTrainer, type DiffusionTrainerSetup } from './trainer.ts';
import { UNet } from './unet.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TEXT_DIM = 8;

/** A toy domain: each image is a flat colour given by its condition (h's first three entries), so the conditional model can learn it. */
function toyBatch(step: number): { reals: tf.Tensor4D; h: tf.Tensor2D } {
  return tf.tidy(() => {
    const h = tf.tanh(tf.randomNormal([4, TEXT_DIM], 0, 1, 'float32', step)) as tf.Tensor2D;
    const colour = tf.slice(h, [0, 0], [4, 3]);
    return { reals: tf.mul(tf.ones([4, 16, 16, 3]), tf.reshape(colour, [4, 1, 1, 3])) as tf.Tensor4D, h };
  });
}

function setupIn(folder: string, written: number[]): DiffusionTrainerSetup {
  return {
    options: { condDrop: 0.1, ema: 0.99, seed: 3 },
    batch: toyBatch,
    files: { checkpoint: join(folder, 'checkpoint.bin'), snapshot: (step) => join(folder, `ema-${step}.bin`) },
    samples: {
      h: tf.zeros([2, TEXT_DIM]) as tf.Tensor2D,
      seeds: [0, 1],
      columns: 2,
      sampling: { sampler: 'ddim', steps: 2, eta: 0, guidance: 1 },
      write: async (step) => void written.push(step),
    },
  };
}

const build = () => DiffusionTrainer.buildParts(DIFFUSION_PRESETS.tiny, { textDim: TEXT_DIM, seed: 0, learningRate: 2e-3, noiseSchedule: 'linear', timesteps: 1000 });
const noHooks = {
  stopRequested: () => false,
  stop: (): never => {
    throw new Error('no stop');
  },
  stepped: () => undefined,
};

describe('DiffusionTrainer (DDPM eq. 14, condition dropout, EMA)', () => {
  it('lowers the noise-prediction loss, and a resume from a checkpoint continues exactly', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'diffusion-'));
    const written: number[] = [];
    const trainer = new DiffusionTrainer(build(), setupIn(folder, written));
    await runTrainingLoop(trainer, { start: 0, steps: 40, checkpointEvery: 20, sampleEvery: 40, batchSize: 4 }, noHooks);
    const losses = trainer.history.map((row) => row.loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`tiny diffusion: loss of steps 1–10 ${mean(losses.slice(0, 10)).toFixed(3)}, of steps 31–40 ${mean(losses.slice(30)).toFixed(3)}`);
    expect(mean(losses.slice(30))).toBeLessThan(mean(losses.slice(0, 10)));
    expect(written).toEqual([40]);

    // A second trainer resumed at step 20 (as after kill -9) draws and trains what the first did for steps 21–40.
    const resumedFolder = mkdtempSync(join(tmpdir(), 'diffusion-'));
    const first = new DiffusionTrainer(build(), setupIn(resumedFolder, []));
    await runTrainingLoop(first, { start: 0, steps: 20, checkpointEvery: 20, sampleEvery: 100, batchSize: 4 }, noHooks);
    first.dispose();
    const resumed = new DiffusionTrainer(build(), setupIn(resumedFolder, []));
    const start = await resumed.resume(join(resumedFolder, 'checkpoint.bin'));
    expect(start).toBe(20);
    await runTrainingLoop(resumed, { start, steps: 40, checkpointEvery: 20, sampleEvery: 100, batchSize: 4 }, noHooks);
    expect(resumed.history.map((row) => row.loss)).toEqual(losses);
    const a = await tf.concat([...trainer.parts.ema.namedVariables().values()].map((v) => tf.reshape(v, [-1]))).data();
    const b = await tf.concat([...resumed.parts.ema.namedVariables().values()].map((v) => tf.reshape(v, [-1]))).data();
    expect(Array.from(b)).toEqual(Array.from(a));
    trainer.dispose();
    resumed.dispose();
  });

  it('measured parameter counts of the presets (64-d conditions)', () => {
    const counts = Object.fromEntries(
      DIFFUSION_PRESET_NAMES.map((name) => {
        const unet = new UNet(DIFFUSION_PRESETS[name], { textDim: 64, seed: 0 });
        const count = unet.parameterCount();
        unet.dispose();
        return [name, count];
      }),
    );
    console.log(`UNet parameters: ${JSON.stringify(counts)}`);
    expect(counts.tiny).toBeLessThan(counts.shapes!);
    expect(counts.shapes).toBeLessThan(counts.paper!);
  });
});
