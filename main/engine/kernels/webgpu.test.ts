/**
 * The webgpu backend path: its registered kernels against the cpu backend's, and a training
 * step, reading tensors only asynchronously (`dataSync` fails on webgpu in Node). Without a
 * GPU adapter (build machines, CI) these tests skip and print why.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, probeBackend } from '../backend.ts';
import { Discriminator } from '../gan/discriminator.ts';
import { Generator } from '../gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../gan/losses.ts';
import { PRESETS } from '../gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from '../gan/train-step.ts';
import { FILTER_GRADIENT_CASES, relativeError, runFilterGradientKernel } from './test-support.ts';

const webgpu = await probeBackend('webgpu');
const noAdapter = !webgpu.available;
if (noAdapter) console.log(`webgpu tests skipped: ${webgpu.reason}`);
const skipped = noAdapter ? ` (skipped: ${webgpu.reason})` : '';

describe('webgpu backend', () => {
  it('is available on a GPU, or says why not', () => {
    if (noAdapter) expect(webgpu.reason).toMatch(/^(not installed|no GPU|failed to load)/);
    else expect(webgpu.device).toBeTruthy();
  });

  it.skipIf(noAdapter)(`runs the project's Conv2DBackpropFilter, matching the cpu kernel (relative error under 1e-5)${skipped}`, async () => {
    for (const [k, c] of FILTER_GRADIENT_CASES.entries()) {
      await initBackend('cpu');
      const expected = await runFilterGradientKernel(c, 200 + k);
      await initBackend('webgpu');
      expect((tf.getKernel('Conv2DBackpropFilter', 'webgpu') as { lafite?: boolean } | undefined)?.lafite).toBe(true);
      const error = relativeError(await runFilterGradientKernel(c, 200 + k), expected);
      console.log(`webgpu filter gradient ${JSON.stringify(c)}: relative error ${error.toExponential(1)}`);
      expect(error, JSON.stringify(c)).toBeLessThan(1e-5);
    }
  });

  it.skipIf(noAdapter)(`trains the tiny preset: finite losses, read asynchronously, nothing left behind${skipped}`, async () => {
    await initBackend('webgpu');
    const textDim = 16;
    const parts: TrainParts = {
      g: new Generator(PRESETS.tiny, { textDim, seed: 0 }),
      d: new Discriminator(PRESETS.tiny, { textDim, seed: 1 }),
      gEma: new Generator(PRESETS.tiny, { textDim, seed: 0 }),
      gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
      dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
      plMean: newPlMean(),
    };
    const reals = tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
    const h = tf.tidy(() => tf.div(tf.randomNormal([4, textDim], 0, 1, 'float32', 4), Math.sqrt(textDim)) as tf.Tensor2D);
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      const losses = await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, step, seed: 1 });
      for (const value of [losses.dLoss, losses.gLoss, losses.conDReal, losses.conDFake]) expect(Number.isFinite(value)).toBe(true);
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).toBe(counts[1]);
    for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
    tf.dispose([reals, h]);
  });
});
