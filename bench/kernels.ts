/**
 * The wasm training kernels the project registers (main/engine/kernels/), against the cpu
 * backend's kernels and, where wasm had its own, that one: median milliseconds and GFLOP/s
 * for the conv2d filter and input gradients of a 3×3 convolution, the discriminator's and
 * generator's most common layer; and whole Lafite training steps per preset, wasm against cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../main/engine/backend.ts';
import { replacedWasmKernels } from '../main/engine/kernels/wasm-conv2d-backprop.ts';
import { Discriminator } from '../main/engine/gan/discriminator.ts';
import { Generator } from '../main/engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../main/engine/gan/losses.ts';
import { PRESETS, type PresetName } from '../main/engine/gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from '../main/engine/gan/train-step.ts';

const SHAPE = { n: 4, size: 16, ci: 32, co: 64, k: 3 };

async function median(run: () => tf.Tensor, repeats: number): Promise<number> {
  const warm = run(); // warm-up
  await warm.data();
  warm.dispose();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const y = run();
    await y.data();
    times.push(performance.now() - started);
    y.dispose();
  }
  return times.sort((a, b) => a - b)[repeats >> 1]!;
}

async function timeKernels(backend: 'cpu' | 'wasm', useReplaced: boolean, repeats: number) {
  await initBackend(backend);
  const { n, size, ci, co, k } = SHAPE;
  const x = tf.randomNormal([n, size, size, ci], 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal([n, size, size, co], 0, 1, 'float32', 2) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 3) as tf.Tensor4D;
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
  const replaced = (name: string) => (useReplaced ? replacedWasmKernels.get(name) : undefined);
  const swap = async (name: string, fn: () => tf.Tensor): Promise<number> => {
    const original = replaced(name);
    if (!original) return median(fn, repeats);
    const ours = tf.getKernel(name, 'wasm')!;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
    original.setupFunc?.(tf.backend()); // binds its C function, which backend start-up skipped (ours was registered then)
    try {
      return await median(fn, repeats);
    } finally {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(ours);
    }
  };
  const filterMs = useReplaced && !replaced('Conv2DBackpropFilter') ? null : await swap('Conv2DBackpropFilter', () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [k, k, ci, co] }) as tf.Tensor);
  const inputMs = await swap('Conv2DBackpropInput', () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: [n, size, size, ci] }) as tf.Tensor);
  tf.dispose([x, dy, w]);
  return { filterMs, inputMs };
}

export async function kernelFigures() {
  const { n, size, ci, co, k } = SHAPE;
  const flops = 2 * n * size * size * k * k * ci * co;
  const gflops = (ms: number | null) => (ms === null ? null : flops / (ms * 1e6));
  const cpu = await timeKernels('cpu', false, 3);
  const ours = await timeKernels('wasm', false, 10);
  const wasmOwn = await timeKernels('wasm', true, 10);
  process.stderr.write(`kernels: filter gradient ${ours.filterMs!.toFixed(1)} ms on wasm (cpu ${cpu.filterMs!.toFixed(0)} ms); input gradient ${ours.inputMs.toFixed(1)} ms (wasm's own ${wasmOwn.inputMs.toFixed(1)} ms)\n`);
  return {
    shape: { x: [n, size, size, ci], filter: [k, k, ci, co], stride: 1, pad: 'same' },
    conv2dBackpropFilter: { wasmMs: ours.filterMs, wasmGflops: gflops(ours.filterMs), cpuMs: cpu.filterMs, cpuGflops: gflops(cpu.filterMs), wasmOwn: 'missing', speedUpOverCpu: cpu.filterMs! / ours.filterMs! },
    conv2dBackpropInput: {
      wasmMs: ours.inputMs,
      wasmGflops: gflops(ours.inputMs),
      wasmOwnMs: wasmOwn.inputMs,
      wasmOwnGflops: gflops(wasmOwn.inputMs),
      cpuMs: cpu.inputMs,
      speedUpOverWasmOwn: wasmOwn.inputMs / ours.inputMs,
      speedUpOverCpu: cpu.inputMs / ours.inputMs,
    },
  };
}

/** Median milliseconds of a Lafite training step (D and G, ConG off: no CLIP here) for a preset on a backend. */
async function timeTrainStep(backend: 'cpu' | 'wasm', preset: PresetName, batch: number, steps: number): Promise<number> {
  await initBackend(backend);
  const textDim = 64;
  const network = PRESETS[preset];
  const parts: TrainParts = {
    g: new Generator(network, { textDim, seed: 0 }),
    d: new Discriminator(network, { textDim, seed: 1 }),
    gEma: new Generator(network, { textDim, seed: 0 }),
    gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    plMean: newPlMean(),
  };
  const reals = tf.tanh(tf.randomNormal([batch, network.resolution, network.resolution, 3], 0, 1, 'float32', 3)) as tf.Tensor4D;
  const h = tf.tidy(() => {
    const x = tf.randomNormal([batch, textDim], 0, 1, 'float32', 4);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
  const times: number[] = [];
  // Step 1 (not 0) onwards: R1 runs on multiples of its interval, so every timed step is a plain one.
  for (let step = 1; step <= steps + 1; step++) {
    const started = performance.now();
    await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.99, step, seed: 0 });
    if (step > 1) times.push(performance.now() - started); // the first step builds optimizer slots
  }
  for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
  tf.dispose([reals, h]);
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

export async function trainStepFigures() {
  const batch = 8;
  const tinyWasm = await timeTrainStep('wasm', 'tiny', batch, 5);
  const tinyCpu = await timeTrainStep('cpu', 'tiny', batch, 2);
  const shapesWasm = await timeTrainStep('wasm', 'shapes', batch, 3);
  process.stderr.write(`train step (batch ${batch}): tiny ${tinyWasm.toFixed(0)} ms on wasm, ${tinyCpu.toFixed(0)} ms on cpu; shapes ${shapesWasm.toFixed(0)} ms on wasm\n`);
  return {
    batch,
    note: 'one D and one G step without ConG (no CLIP tower in this bench); wasm cannot train without the registered Conv2DBackpropFilter',
    tiny: { wasmMs: tinyWasm, cpuMs: tinyCpu, speedUpOverCpu: tinyCpu / tinyWasm, wasmImagesPerSecond: (batch * 1000) / tinyWasm },
    shapes: { wasmMs: shapesWasm, wasmImagesPerSecond: (batch * 1000) / shapesWasm },
  };
}
