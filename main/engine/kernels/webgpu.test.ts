/**
 * The webgpu backend path, run for real: on a GPU where there is one, else on the software
 * adapter (Dawn's OpenGL ES backend over Mesa's llvmpipe, opted in here with
 * LAFITE_WEBGPU_SOFTWARE=1; `.ci/run` installs its Debian packages). Every registered webgpu
 * kernel against the cpu kernel; training steps of the tiny preset against the same steps on
 * wasm; generation; checkpoints moved between webgpu and wasm both ways. Tensors are read only
 * asynchronously (`dataSync` fails on webgpu in Node; the last test keeps it out of the code).
 * Without any adapter (no Mesa EGL) the tests skip and print why.
 */
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp.ts';
import { initBackend, probeBackend, SOFTWARE_OPT_IN } from '../backend.ts';
import { restoreCheckpoint, writeCheckpoint } from '../gan/checkpoint.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../gan/losses.ts';
import { PRESETS } from '../gan/presets.ts';
import { GanTrainer } from '../gan/trainer.ts';
import { DEFAULT_STEP, trainStepAsync, type StepLosses, type TrainParts } from '../gan/train-step.ts';
import { FILTER_GRADIENT_CASES, relativeError, runFilterGradientKernel } from './test-support.ts';
import { DIFFUSION_PRESETS } from '../diffusion/presets.ts';
import { sampleImages } from '../diffusion/sampler.ts';
import { DiffusionTrainer } from '../diffusion/trainer.ts';
import { runTrainingLoop } from '../training-loop.ts';

process.env[SOFTWARE_OPT_IN] ??= '1'; // a hardware adapter still comes first
const webgpu = await probeBackend('webgpu');
const noAdapter = !webgpu.available;
if (noAdapter) console.log(`webgpu tests skipped: ${webgpu.reason}`);
else console.log(`webgpu tests on ${webgpu.device}`);
const skipped = noAdapter ? ` (skipped: ${webgpu.reason})` : '';

const TEXT = 16;
const dir = tempDir();
afterAll(() => dir.remove());

/**
 * A check per kernel the project registers on webgpu: its output against the cpu kernel's on
 * random cases. A new webgpu kernel without a check here fails the first test.
 */
const KERNEL_CHECKS: Record<string, () => Promise<number>> = {
  async Conv2DBackpropFilter() {
    let worst = 0;
    for (const [k, c] of FILTER_GRADIENT_CASES.entries()) {
      await initBackend('cpu');
      const expected = await runFilterGradientKernel(c, 200 + k);
      await initBackend('webgpu');
      worst = Math.max(worst, relativeError(await runFilterGradientKernel(c, 200 + k), expected));
    }
    return worst;
  },
};

/** Fresh tiny-preset parts, created on the current backend. */
function makeParts(): TrainParts {
  return GanTrainer.buildParts(PRESETS.tiny, { textDim: TEXT, seed: 0, learningRate: 0.002 }); // the trainer's own G, D, G_ema and Adam
}

function disposeParts(parts: TrainParts): void {
  for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
  tf.dispose([parts.plMean]);
  parts.gOptimizer.dispose();
  parts.dOptimizer.dispose();
}

const checkpointParts = (p: TrainParts) => ({
  networks: { g: p.g.namedVariables(), d: p.d.namedVariables(), g_ema: p.gEma.namedVariables() },
  optimizers: { g: p.gOptimizer, d: p.dOptimizer },
});

/**
 * A fixed batch of 4, made on the current backend from seeded values (a tensor made on webgpu
 * cannot move to another backend: that needs a synchronous read).
 */
function fixedBatch(): { reals: tf.Tensor4D; h: tf.Tensor2D } {
  const reals = tf.tidy(() => tf.tanh(tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 3)) as tf.Tensor4D);
  const h = tf.tidy(() => {
    const x = tf.randomNormal([4, TEXT], 0, 1, 'float32', 4);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
  return { reals, h };
}

/** Steps `from`…`to` of the tiny preset on a fixed batch; R1 (step 0) and the path-length term (every 4th) included. */
async function trainSteps(parts: TrainParts, from: number, to: number): Promise<StepLosses[]> {
  const batch = fixedBatch();
  const losses: StepLosses[] = [];
  for (let step = from; step <= to; step++) {
    losses.push(await trainStepAsync(parts, batch, { ...DEFAULT_STEP, r1Interval: 4, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.9, step, seed: 1 }));
  }
  tf.dispose([batch.reals, batch.h]);
  return losses;
}

/** G_ema's pictures for fixed latents and conditions, read back. */
async function generated(parts: TrainParts): Promise<Float32Array> {
  const images = tf.tidy(() => {
    const z = tf.randomNormal([3, PRESETS.tiny.zDim], 0, 1, 'float32', 7) as tf.Tensor2D;
    const h = tf.slice(fixedBatch().h, [0, 0], [3, TEXT]) as tf.Tensor2D;
    return parts.gEma.generate(z, h, { noiseSeed: 2 }); // [3, 16, 16, 3]
  });
  expect(images.shape).toEqual([3, 16, 16, 3]);
  const values = (await images.data()) as Float32Array;
  images.dispose();
  return values;
}

const maxAbs = (a: Float32Array, b: Float32Array): number => a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i]!)), 0);

describe('webgpu backend', () => {
  it('is available on a GPU or the opted-in software adapter, or says why not (CI requires it)', () => {
    // .ci/run sets LAFITE_TEST_REQUIRE_WEBGPU=1, having installed Mesa: there a skip would hide a broken GPU path.
    if (noAdapter && process.env.LAFITE_TEST_REQUIRE_WEBGPU === '1') throw new Error(`LAFITE_TEST_REQUIRE_WEBGPU=1 but webgpu cannot be used: ${webgpu.reason}`);
    if (noAdapter) expect(webgpu.reason).toMatch(/^(not installed|no GPU|failed to load)/);
    else expect(webgpu.device).toBeTruthy();
  });

  it.skipIf(noAdapter)(`runs every kernel the project registers on webgpu, matching the cpu kernel (relative error under 1e-5)${skipped}`, async () => {
    await initBackend('webgpu');
    const ours = tf.getKernelsForBackend('webgpu').filter((kernel) => (kernel as { lafite?: boolean }).lafite);
    expect(ours.map((kernel) => kernel.kernelName)).toContain('Conv2DBackpropFilter');
    for (const { kernelName } of ours) {
      const check = KERNEL_CHECKS[kernelName];
      expect(check, `no check for the webgpu kernel ${kernelName}: add one to KERNEL_CHECKS`).toBeDefined();
      const error = await check!();
      console.log(`webgpu ${kernelName} against cpu: relative error ${error.toExponential(1)}`);
      expect(error, kernelName).toBeLessThan(1e-5);
    }
  });

  it.skipIf(noAdapter)(
    `splits the filter gradient's patch matrix under the device's storage-buffer binding limit: no validation error, the wasm kernel's result${skipped}`,
    async () => {
      // One image's patch matrix of 141.6 MB: over compatibility mode's 128 MiB binding, under the kernel's own 256 MiB.
      const xShape: [number, number, number, number] = [1, 128, 128, 240];
      const dyShape: [number, number, number, number] = [1, 128, 128, 4];
      const filterShape = [3, 3, 240, 4];
      const x = Float32Array.from({ length: 128 * 128 * 240 }, (_, i) => Math.sin(i * 0.37));
      const dy = Float32Array.from({ length: 128 * 128 * 4 }, (_, i) => Math.cos(i * 0.11));
      const gradient = async (): Promise<Float32Array> => {
        const [xt, dyt] = [tf.tensor4d(x, xShape), tf.tensor4d(dy, dyShape)];
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, filterShape }) as tf.Tensor;
        const values = (await dw.data()) as Float32Array;
        tf.dispose([xt, dyt, dw]);
        return values;
      };
      await initBackend('wasm');
      const expected = await gradient();
      await initBackend('webgpu');
      const device = (tf.backend() as unknown as { device: GPUDevice }).device;
      device.pushErrorScope('validation');
      const actual = await gradient();
      const error = await device.popErrorScope();
      expect(error?.message ?? null).toBeNull();
      expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    },
    120_000,
  );

  it.skipIf(noAdapter)(
    `trains the tiny preset as wasm does: finite, decreasing discriminator loss, the same losses step by step, nothing left behind${skipped}`,
    async () => {
      const run = async (backend: 'webgpu' | 'wasm') => {
        await initBackend(backend);
        const parts = makeParts();
        const losses = await trainSteps(parts, 0, 4);
        const counts = tf.memory().numTensors;
        await trainSteps(parts, 5, 5);
        expect(tf.memory().numTensors, `tensors left behind on ${backend}`).toBe(counts);
        const pictures = await generated(parts);
        disposeParts(parts);
        return { losses, pictures };
      };
      const gpu = await run('webgpu');
      const cpu = await run('wasm');
      console.log(`tiny preset on webgpu, L_D by step: ${gpu.losses.map((l) => l.dLoss.toFixed(4)).join(', ')}`);
      for (const losses of gpu.losses) for (const value of Object.values(losses)) if (value !== null) expect(Number.isFinite(value)).toBe(true);
      expect(gpu.losses.at(-1)!.dLoss).toBeLessThan(gpu.losses[0]!.dLoss);
      for (const [i, losses] of gpu.losses.entries()) {
        expect(losses.dLoss, `L_D at step ${i}`).toBeCloseTo(cpu.losses[i]!.dLoss, 3);
        expect(losses.gLoss, `L_G at step ${i}`).toBeCloseTo(cpu.losses[i]!.gLoss, 3);
        expect(losses.r1 === null, `R1 at step ${i}`).toBe(cpu.losses[i]!.r1 === null);
        expect(losses.pathLength === null, `path length at step ${i}`).toBe(cpu.losses[i]!.pathLength === null);
      }
      // Generation after training: finite pictures, as wasm draws them.
      expect(gpu.pictures.every((v) => Number.isFinite(v))).toBe(true);
      expect(maxAbs(gpu.pictures, cpu.pictures)).toBeLessThan(1e-3);
    },
    120_000,
  );

  it.skipIf(noAdapter)(
    `resumes on wasm a checkpoint written on webgpu, and on webgpu one written on wasm, with the same outputs${skipped}`,
    async () => {
      for (const [writer, reader] of [
        ['webgpu', 'wasm'],
        ['wasm', 'webgpu'],
      ] as const) {
        await initBackend(writer);
        const original = makeParts();
        await trainSteps(original, 1, 2);
        const file = join(dir.path, `${writer}.bin`);
        await writeCheckpoint(file, { ...checkpointParts(original), state: { step: 2 } });
        const pictures = await generated(original);
        const [next] = await trainSteps(original, 3, 3);
        disposeParts(original);

        await initBackend(reader);
        const restored = makeParts();
        expect(await restoreCheckpoint(file, checkpointParts(restored))).toEqual({ step: 2 });
        expect(maxAbs(await generated(restored), pictures), `${writer} → ${reader}: generated pictures`).toBeLessThan(1e-4);
        const [resumed] = await trainSteps(restored, 3, 3); // Adam's moments came along: the next step agrees
        expect(resumed!.dLoss, `${writer} → ${reader}: L_D of the next step`).toBeCloseTo(next!.dLoss, 4);
        expect(resumed!.gLoss, `${writer} → ${reader}: L_G of the next step`).toBeCloseTo(next!.gLoss, 4);
        disposeParts(restored);
      }
    },
    120_000,
  );

  it.skipIf(noAdapter)(
    `lafite info --json names the software adapter when opted in${skipped}`,
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/lafite.mjs', 'info', '--json'], {
        env: { ...process.env, [SOFTWARE_OPT_IN]: '1', LAFITE_DATA_DIR: dir.path },
        timeout: 60_000,
      });
      const info = JSON.parse(stdout) as { backends: Array<{ id: string; available: boolean; device?: string }> };
      const listed = info.backends.find((b) => b.id === 'webgpu');
      expect(listed?.available).toBe(true);
      expect(listed?.device).toBe(webgpu.device);
    },
    60_000,
  );
});

/** A toy batch of flat colours given by the condition, made on the current backend from seeded values. */
function toyDiffusionBatch(step: number): { reals: tf.Tensor4D; h: tf.Tensor2D } {
  return tf.tidy(() => {
    const h = tf.tanh(tf.randomNormal([4, TEXT], 0, 1, 'float32', step)) as tf.Tensor2D;
    return { reals: tf.mul(tf.ones([4, 16, 16, 3]), tf.reshape(tf.slice(h, [0, 0], [4, 3]), [4, 1, 1, 3])) as tf.Tensor4D, h };
  });
}

/**
 * The tiny diffusion model trained to step `to` on the current backend through its trainer (condition
 * dropout, EMA, Adam, checkpoints every 3 steps in `folder`), resumed from the folder's checkpoint when
 * `resume`; then its EMA's pictures (3 DDIM steps, guidance 2: both passes of classifier-free guidance).
 */
async function diffusionRun(folder: string, to: number, resume = false): Promise<{ losses: number[]; pictures: Float32Array }> {
  const parts = DiffusionTrainer.buildParts(DIFFUSION_PRESETS.tiny, { textDim: TEXT, seed: 0, learningRate: 2e-3, noiseSchedule: 'cosine', timesteps: 1000 });
  const trainer = new DiffusionTrainer(parts, {
    options: { condDrop: 0.25, ema: 0.99, seed: 3 },
    batch: toyDiffusionBatch,
    files: { checkpoint: join(folder, 'checkpoint.bin'), snapshot: (step) => join(folder, `ema-${step}.bin`) },
    samples: { h: tf.zeros([1, TEXT]) as tf.Tensor2D, seeds: [0], columns: 1, sampling: { sampler: 'ddim', steps: 2, eta: 0, guidance: 1 }, write: async () => undefined },
  });
  const start = resume ? await trainer.resume(join(folder, 'checkpoint.bin')) : 0;
  const hooks = {
    stopRequested: () => false,
    stop: (): never => {
      throw new Error('no stop');
    },
    stepped: () => undefined,
  };
  await runTrainingLoop(trainer, { start, steps: to, checkpointEvery: 3, sampleEvery: 1000, batchSize: 4 }, hooks);
  const h = tf.tidy(() => tf.slice(toyDiffusionBatch(99).h, [0, 0], [2, TEXT]) as tf.Tensor2D);
  const images = await sampleImages(parts.ema, parts.schedule, h, [0, 1], { sampler: 'ddim', steps: 3, eta: 0, guidance: 2 });
  const pictures = (await images.data()) as Float32Array;
  tf.dispose([images, h]);
  const losses = trainer.history.map((row) => row.loss);
  trainer.dispose();
  return { losses, pictures };
}

describe('the diffusion model on webgpu', () => {
  it.skipIf(noAdapter)(
    `trains the tiny UNet as wasm does (the same losses step by step), samples with guidance, and its checkpoints resume across the two backends${skipped}`,
    async () => {
      const folder = (name: string) => join(dir.path, `diffusion-${name}`);
      await initBackend('webgpu');
      const gpu = await diffusionRun(folder('webgpu'), 3);
      await initBackend('wasm');
      const cpu = await diffusionRun(folder('wasm'), 6);
      console.log(`tiny diffusion on webgpu, L_simple by step: ${gpu.losses.map((l) => l.toFixed(4)).join(', ')}`);
      expect(gpu.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
      for (const [i, loss] of gpu.losses.entries()) expect(loss, `L_simple at step ${i + 1}`).toBeCloseTo(cpu.losses[i]!, 3);
      expect(gpu.pictures.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);

      // webgpu's checkpoint at step 3 resumed on wasm, and wasm's at step 6 on webgpu: each run goes on as it would have.
      const onWasm = await diffusionRun(folder('webgpu'), 6, true);
      expect(onWasm.losses.length).toBe(6);
      for (const [i, loss] of onWasm.losses.entries()) expect(loss, `webgpu → wasm: L_simple at step ${i + 1}`).toBeCloseTo(cpu.losses[i]!, 3);
      expect(maxAbs(onWasm.pictures, cpu.pictures), 'webgpu → wasm: pictures').toBeLessThan(1e-3);
      cpSync(folder('wasm'), folder('wasm-copy'), { recursive: true }); // wasm's step-6 checkpoint, for webgpu to go on from
      const wasmMore = await diffusionRun(folder('wasm'), 9, true);
      await initBackend('webgpu');
      const gpuMore = await diffusionRun(folder('wasm-copy'), 9, true);
      for (const [i, loss] of gpuMore.losses.entries()) expect(loss, `wasm → webgpu: L_simple at step ${i + 1}`).toBeCloseTo(wasmMore.losses[i]!, 3);
      expect(maxAbs(gpuMore.pictures, wasmMore.pictures), 'wasm → webgpu: pictures').toBeLessThan(1e-3);
    },
    240_000,
  );
});

describe('no synchronous reads', () => {
  it('no code under main/ reads a tensor synchronously (dataSync, arraySync, bufferSync fail on webgpu in Node)', () => {
    const root = join(import.meta.dirname, '..', '..');
    const files = (function walk(folder: string): string[] {
      return readdirSync(folder).flatMap((name) => {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) return walk(path);
        return /\.(ts|vue)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
      });
    })(root);
    expect(files.length).toBeGreaterThan(50);
    const offending = files.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\.(dataSync|arraySync|bufferSync)\s*\(/.test(line.replace(/\/\/.*$/, '')) ? [`${relative(root, path)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offending).toEqual([]);
  });
});
