/**
 * The wasm training kernels the project registers (main/engine/kernels/), in two sections:
 * - `kernels`: the conv2d filter and input gradients on the layer shapes of the `shapes` and
 *   `shapes64` networks, the current kernels against the previous ones (`PREVIOUS_WASM_CONV2D_BACKPROP`)
 *   and wasm's own input gradient, interleaved in one run; and on one shape against the cpu kernels.
 * - `trainStep`: images/s of whole Lafite training steps per preset (tiny, shapes, shapes64),
 *   the current kernel path against the previous one (conv gradients as strided slices, and
 *   wasm's own Slice and Unpack), step by step in turn over one lazy-regularisation cycle (R1
 *   every 16 steps, path length every 4), with one step of each profiled by kernel.
 * Interleaving keeps the comparison fair on a machine shared with other work.
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { initBackend } from '../main/engine/backend.ts';
import { PREVIOUS_WASM_CONV2D_BACKPROP, replacedWasmKernels, wasmConv2dBackpropKernels } from '../main/engine/kernels/wasm-conv2d-backprop.ts';
import { replacedWasmSliceKernels } from '../main/engine/kernels/wasm-slice.ts';
import { Discriminator } from '../main/engine/gan/discriminator.ts';
import { Generator } from '../main/engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../main/engine/gan/losses.ts';
import { PRESETS, type PresetName } from '../main/engine/gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from '../main/engine/gan/train-step.ts';
import { profileTrainStep } from './gpu-figures.ts';

/** Which kernels a measurement runs on: the project's current ones, or those before issue 15. */
type KernelPath = 'current' | 'previous';

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** Registers `configs` in place of the kernels of the same names; returns those, to put back. */
function swapKernels(configs: tf.KernelConfig[]): tf.KernelConfig[] {
  return configs.map((config) => {
    const current = tf.getKernel(config.kernelName, config.backendName)!;
    tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
    config.setupFunc?.(tf.backend()); // a wasm kernel of its own binds its C function here (backend start-up skipped it: ours was registered then)
    return current;
  });
}

/** Runs `fn` with `configs` registered (none: the current kernels), then puts the current ones back. */
async function withKernels<T>(configs: tf.KernelConfig[], fn: () => Promise<T>): Promise<T> {
  const saved = swapKernels(configs);
  try {
    return await fn();
  } finally {
    swapKernels(saved);
  }
}

/** The previous path: conv gradients as strided slices (their kernels marked as the project's, so a profile looks inside them), and wasm's own Slice and Unpack. */
function previousKernels(): tf.KernelConfig[] {
  const own = ['Slice', 'Unpack'].map((name) => replacedWasmSliceKernels.get(name)).filter((k): k is tf.KernelConfig => k !== undefined);
  return [...wasmConv2dBackpropKernels(PREVIOUS_WASM_CONV2D_BACKPROP).map((k) => ({ ...k, lafite: true }) as tf.KernelConfig), ...own];
}

const pathKernels = (path: KernelPath): tf.KernelConfig[] => (path === 'current' ? [] : previousKernels());

/** Milliseconds of one run of `fn`, reading its result. */
async function timeOnce(fn: () => tf.Tensor): Promise<number> {
  const started = performance.now();
  const y = fn();
  await y.data();
  const ms = performance.now() - started;
  y.dispose();
  return ms;
}

/** Median milliseconds of each variant, one run of each in turn per round, after one warm-up each. */
async function interleavedMedians<K extends string>(variants: Record<K, { kernels: tf.KernelConfig[]; run: () => tf.Tensor }>, rounds: number): Promise<Record<K, number>> {
  const names = Object.keys(variants) as K[];
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = -1; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const ms = await withKernels(variants[name].kernels, () => timeOnce(variants[name].run));
      if (round >= 0) times[name].push(ms);
    }
  }
  return Object.fromEntries(names.map((name) => [name, times[name].sort((a, b) => a - b)[rounds >> 1]!])) as Record<K, number>;
}

/** A stride-1 'same' convolution x [n, size, size, ci] → [n, size, size, co] with a k×k filter. */
interface ConvLayer {
  n: number;
  size: number;
  ci: number;
  co: number;
  k: number;
  /** Where the networks have it. */
  layer: string;
}

/** Layers of the `shapes` and `shapes64` networks at batch 8. */
const NETWORK_LAYERS: readonly ConvLayer[] = [
  { n: 8, size: 64, ci: 16, co: 16, k: 3, layer: 'shapes64 64 px block' },
  { n: 8, size: 32, ci: 32, co: 32, k: 3, layer: 'shapes 32 px block' },
  { n: 8, size: 32, ci: 32, co: 48, k: 3, layer: 'D 32 px conv1' },
  { n: 8, size: 16, ci: 48, co: 48, k: 3, layer: '16 px block' },
  { n: 8, size: 8, ci: 48, co: 48, k: 3, layer: '8 px block' },
  { n: 8, size: 32, ci: 32, co: 3, k: 1, layer: 'toRGB 32 px' },
  { n: 8, size: 16, ci: 32, co: 48, k: 1, layer: 'D skip 16 px' },
];

/** The shape compared against the cpu kernels (the cpu filter gradient takes seconds). */
const CPU_LAYER: ConvLayer = { n: 4, size: 16, ci: 32, co: 64, k: 3, layer: '3×3, 32 → 64' };

const ATTRS = { strides: 1, pad: 'same', dataFormat: 'NHWC' };

/** Tensors of a layer and its two gradient kernels as runnable closures. */
function layerRuns(l: ConvLayer) {
  const x = tf.randomNormal([l.n, l.size, l.size, l.ci], 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal([l.n, l.size, l.size, l.co], 0, 1, 'float32', 2) as tf.Tensor4D;
  const w = tf.randomNormal([l.k, l.k, l.ci, l.co], 0, 1, 'float32', 3) as tf.Tensor4D;
  return {
    filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...ATTRS, filterShape: [l.k, l.k, l.ci, l.co] }) as tf.Tensor,
    input: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...ATTRS, inputShape: [l.n, l.size, l.size, l.ci] }) as tf.Tensor,
    dispose: () => tf.dispose([x, dy, w]),
  };
}

const gflopOf = (l: ConvLayer): number => (2 * l.n * l.size * l.size * l.k * l.k * l.ci * l.co) / 1e9;

export async function kernelFigures() {
  await initBackend('cpu');
  const cpuRuns = layerRuns(CPU_LAYER);
  const cpu = await interleavedMedians({ filter: { kernels: [], run: cpuRuns.filter }, input: { kernels: [], run: cpuRuns.input } }, 3);
  cpuRuns.dispose();
  await initBackend('wasm');
  const wasmOwnInput = replacedWasmKernels.get('Conv2DBackpropInput');
  const previous = previousKernels();
  const layers = [];
  for (const l of [CPU_LAYER, ...NETWORK_LAYERS]) {
    const runs = layerRuns(l);
    const filter = await interleavedMedians({ current: { kernels: [], run: runs.filter }, previous: { kernels: previous, run: runs.filter } }, 9);
    const input = await interleavedMedians(
      { current: { kernels: [], run: runs.input }, previous: { kernels: previous, run: runs.input }, wasmOwn: { kernels: wasmOwnInput ? [wasmOwnInput] : [], run: runs.input } },
      9,
    );
    runs.dispose();
    const gflops = (ms: number) => round(gflopOf(l) / (ms / 1000), 2);
    layers.push({
      layer: l.layer,
      x: [l.n, l.size, l.size, l.ci],
      filter: [l.k, l.k, l.ci, l.co],
      conv2dBackpropFilter: {
        currentMs: round(filter.current, 2),
        previousMs: round(filter.previous, 2),
        currentGflops: gflops(filter.current),
        speedUp: round(filter.previous / filter.current, 2),
      },
      conv2dBackpropInput: {
        currentMs: round(input.current, 2),
        previousMs: round(input.previous, 2),
        wasmOwnMs: round(input.wasmOwn, 2),
        currentGflops: gflops(input.current),
        speedUp: round(input.previous / input.current, 2),
      },
    });
    const last = layers.at(-1)!;
    process.stderr.write(
      `kernels ${l.layer} ${l.k}×${l.k} ${l.n}×${l.size}×${l.size}×${l.ci}→${l.co}: filter gradient ${last.conv2dBackpropFilter.currentMs} ms (previous ${last.conv2dBackpropFilter.previousMs}), input gradient ${last.conv2dBackpropInput.currentMs} ms (previous ${last.conv2dBackpropInput.previousMs}, wasm's own ${last.conv2dBackpropInput.wasmOwnMs})\n`,
    );
  }
  const against = layers[0]!;
  return {
    note: 'median ms of single runs, the variants in turn; wasm has no filter gradient of its own',
    cpu: {
      layer: CPU_LAYER,
      conv2dBackpropFilterMs: round(cpu.filter),
      conv2dBackpropInputMs: round(cpu.input),
      filterSpeedUpOverCpu: round(cpu.filter / against.conv2dBackpropFilter.currentMs),
      inputSpeedUpOverCpu: round(cpu.input / against.conv2dBackpropInput.currentMs),
    },
    layers,
  };
}

/** Text feature size: shapes-clip's projection_dim, what a ShapesWorld run conditions on. */
const TEXT_DIM = 64;
/**
 * Steps 1 … 16: one cycle of lazy regularisation (R1 on step 16, path length on 4, 8, 12, 16), as
 * training sees it. `LAFITE_BENCH_TRAIN_STEPS` shortens it (the previous path takes 8–20 s a step).
 */
const CYCLE = Number(process.env.LAFITE_BENCH_TRAIN_STEPS ?? 16);

function makeParts(preset: PresetName): TrainParts {
  const network = PRESETS[preset];
  return {
    g: new Generator(network, { textDim: TEXT_DIM, seed: 0 }),
    d: new Discriminator(network, { textDim: TEXT_DIM, seed: 1 }),
    gEma: new Generator(network, { textDim: TEXT_DIM, seed: 0 }),
    gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    plMean: newPlMean(),
  };
}

/** Step times of one preset on both paths: each step number runs on both, in turn (the order alternating), so both see the same work and the same load. */
async function trainStepTimes(preset: PresetName, batch: number): Promise<Record<KernelPath, number[]>> {
  const network = PRESETS[preset];
  const parts = makeParts(preset);
  const reals = tf.tidy(() => tf.tanh(tf.randomNormal([batch, network.resolution, network.resolution, 3], 0, 1, 'float32', 3)) as tf.Tensor4D);
  const h = tf.tidy(() => {
    const x = tf.randomNormal([batch, TEXT_DIM], 0, 1, 'float32', 4);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
  const times: Record<KernelPath, number[]> = { current: [], previous: [] };
  const paths: KernelPath[] = ['current', 'previous'];
  // Step 0 (R1 and path length) on each path first: it builds the optimizers' slots and is not timed.
  for (let step = 0; step <= CYCLE; step++) {
    for (const path of step % 2 === 0 ? paths : [...paths].reverse()) {
      const ms = await withKernels(pathKernels(path), async () => {
        const started = performance.now();
        await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.99, step, seed: 0 });
        return performance.now() - started;
      });
      if (step > 0) times[path].push(ms);
    }
  }
  for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
  parts.gOptimizer.dispose();
  parts.dOptimizer.dispose();
  tf.dispose([reals, h, parts.plMean]);
  return times;
}

/** A step's time by kernel on a path: the top kernels and what the conv gradients run inside. */
async function profileOn(path: KernelPath, preset: PresetName, batch: number) {
  const profile = await withKernels(pathKernels(path), () => profileTrainStep(preset, batch, 8));
  const inside = Object.fromEntries(
    Object.entries(profile.inside)
      .filter(([name]) => name.startsWith('Conv2D'))
      .map(([name, kernels]) => [name, kernels.slice(0, 5).map(({ kernel, calls, ms }) => ({ kernel, calls, ms }))]),
  );
  return { wallMs: profile.wallMs, kernels: profile.kernels.map(({ kernel, calls, ms, share }) => ({ kernel, calls, ms, share })), inside };
}

export async function trainStepFigures() {
  const batch = 8;
  await initBackend('wasm');
  const loadBefore = loadavg()[0]!;
  const presets = [];
  for (const preset of ['tiny', 'shapes', 'shapes64'] as const) {
    const times = await trainStepTimes(preset, batch);
    const summary = (ms: number[]) => {
      const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
      const median = [...ms].sort((a, b) => a - b)[ms.length >> 1]!;
      return { meanStepMs: round(mean), medianStepMs: round(median), imagesPerSecond: round((batch * 1000) / mean, 2) };
    };
    const [current, previous] = [summary(times.current), summary(times.previous)];
    const parts = makeParts(preset);
    const parameters = { g: parts.g.parameterCount(), d: parts.d.parameterCount() };
    for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
    tf.dispose([parts.plMean]);
    const profile = preset === 'tiny' ? undefined : { current: await profileOn('current', preset, batch), previous: await profileOn('previous', preset, batch) };
    presets.push({ preset, resolution: PRESETS[preset].resolution, parameters, current, previous, speedUp: round(previous.meanStepMs / current.meanStepMs, 2), profile });
    process.stderr.write(
      `train step ${preset} (batch ${batch}, steps 1–${CYCLE}): ${current.imagesPerSecond} images/s, previous kernels ${previous.imagesPerSecond} images/s (${presets.at(-1)!.speedUp}×)\n`,
    );
  }
  return {
    batch,
    backend: 'wasm',
    note: `steps 1–${CYCLE} (one cycle of lazy R1 and path length) on each path, each step number on both in turn; images/s from the mean step; ConG off (no CLIP tower in this bench); profile: one plain step (step 3) by kernel; previous: the conv gradients before issue 15 (strided slices) and wasm's own Slice and Unpack`,
    loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) },
    presets,
  };
}
