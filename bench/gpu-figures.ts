/**
 * The measurements of `npm run bench:gpu` (bench/gpu.ts), on whatever backend is current:
 * conv2d gradient kernels, the backend's own against the project's (GFLOP/s), with the
 * project's checked against the cpu kernel; Lafite training steps (images/s); generation
 * latency; one training step profiled kernel by kernel. Every read is asynchronous
 * (`dataSync` fails on webgpu in Node).
 */
import * as tf from '@tensorflow/tfjs';
import { Discriminator } from '../main/engine/gan/discriminator.ts';
import { Generator } from '../main/engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../main/engine/gan/losses.ts';
import { PRESETS, type PresetName } from '../main/engine/gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from '../main/engine/gan/train-step.ts';
import { replacedKernel } from '../main/engine/kernels/index.ts';
import { FILTER_GRADIENT_CASES, relativeError, runFilterGradientKernel } from '../main/engine/kernels/test-support.ts';

type Shape4D = [number, number, number, number];

/** A 3×3, stride 1, same-padded convolution: x [N, H, W, Ci] → [N, H, W, Co]. */
export interface ConvShape {
  n: number;
  size: number;
  ci: number;
  co: number;
}

/** The three shapes measured on the GPU machine (ENVIRONMENT.md), and small ones for `--quick`. */
export const CONV_SHAPES: Record<'full' | 'quick', ConvShape[]> = {
  full: [
    { n: 32, size: 64, ci: 128, co: 128 },
    { n: 4, size: 256, ci: 64, co: 64 },
    { n: 64, size: 16, ci: 512, co: 512 },
  ],
  quick: [
    { n: 4, size: 32, ci: 32, co: 32 },
    { n: 1, size: 64, ci: 16, co: 16 },
    { n: 8, size: 8, ci: 128, co: 128 },
  ],
};

const KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
type KernelName = (typeof KERNELS)[number];

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
/** Three significant digits: GFLOP/s span 0.02 (cpu) to 10,000 (GPU). */
const sig3 = (x: number): number => Number(x.toPrecision(3));

/** Waits for a tensor's value through a one-number reduction (a cheap read), then frees it. */
async function settle(t: tf.Tensor): Promise<void> {
  const s = tf.sum(t);
  await s.data();
  tf.dispose([s, t]);
}

/** Mean milliseconds of `run` over `repeats` back-to-back calls, after one warm-up (shader compilation). */
async function meanMs(run: () => tf.Tensor, repeats: number): Promise<number> {
  await settle(run());
  const start = performance.now();
  let last: tf.Tensor | undefined;
  for (let i = 0; i < repeats; i++) {
    last?.dispose();
    last = run();
  }
  await settle(last!);
  return (performance.now() - start) / repeats;
}

/** Runs `fn` with `config` registered in place of whatever is registered now, then puts that back. */
async function withKernel<T>(config: tf.KernelConfig, fn: () => Promise<T>): Promise<T> {
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (current === config) return fn();
  if (current) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
  config.setupFunc?.(tf.backend()); // a wasm kernel binds its C function here
  try {
    return await fn();
  } finally {
    tf.unregisterKernel(config.kernelName, config.backendName);
    if (current) tf.registerKernel(current);
  }
}

/** The project's kernel registered under a name on a backend, if any, and the backend's own (the one it replaced, else the one registered). */
function kernelPair(name: string, backendName: string): { ours?: tf.KernelConfig; own?: tf.KernelConfig } {
  const current = tf.getKernel(name, backendName) as (tf.KernelConfig & { lafite?: boolean }) | undefined;
  return current?.lafite ? { ours: current, own: replacedKernel(name, backendName) } : { own: current };
}

/** Whether the kernel registered under this name on the current backend is the project's. */
const isProjectKernel = (name: string): boolean => kernelPair(name, tf.getBackend()).ours !== undefined;

export interface KernelFigure {
  kernel: KernelName;
  shape: { x: Shape4D; filter: Shape4D; stride: 1; pad: 'same' };
  gflop: number;
  /** The backend's own kernel; null where the backend has none (wasm's filter gradient). */
  builtIn: { ms: number; gflops: number } | null;
  /** The project's kernel; null where it registers none on this backend. */
  registered: { ms: number; gflops: number } | null;
  speedUp: number | null;
}

/** The backend's own and the project's conv2d gradient kernels on each shape. */
export async function kernelFigures(shapes: ConvShape[], repeats: number): Promise<KernelFigure[]> {
  const backendName = tf.getBackend();
  const figures: KernelFigure[] = [];
  for (const { n, size, ci, co } of shapes) {
    const x = tf.randomNormal([n, size, size, ci], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([n, size, size, co], 0, 1, 'float32', 2) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, ci, co], 0, 1, 'float32', 3) as tf.Tensor4D;
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    const runs: Record<KernelName, () => tf.Tensor> = {
      Conv2DBackpropFilter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, ci, co] }) as tf.Tensor,
      Conv2DBackpropInput: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: [n, size, size, ci] }) as tf.Tensor,
    };
    const gflop = (2 * n * size * size * 9 * ci * co) / 1e9;
    for (const kernel of KERNELS) {
      const { ours, own } = kernelPair(kernel, backendName);
      const time = async (config: tf.KernelConfig | undefined) => {
        if (!config) return null;
        const ms = await withKernel(config, () => meanMs(runs[kernel], repeats));
        return { ms: sig3(ms), gflops: sig3(gflop / (ms / 1000)) };
      };
      const builtIn = await time(own);
      const registered = await time(ours);
      const speedUp = builtIn && registered ? sig3(builtIn.ms / registered.ms) : null;
      figures.push({ kernel, shape: { x: [n, size, size, ci], filter: [3, 3, ci, co], stride: 1, pad: 'same' }, gflop: sig3(gflop), builtIn, registered, speedUp });
      process.stderr.write(
        `${kernel} ${n}×${size}×${size}×${ci}→${co} on ${backendName}: built-in ${builtIn ? `${builtIn.gflops} GFLOP/s` : 'none'}, registered ${registered ? `${registered.gflops} GFLOP/s` : 'none'}\n`,
      );
    }
    tf.dispose([x, dy, w]);
  }
  return figures;
}

export interface KernelCheck {
  kernel: 'Conv2DBackpropFilter';
  cases: number;
  /** ‖ours − cpu‖ / ‖cpu‖, the largest over the cases; null where the project registers no kernel here. */
  registeredMaxRelativeError: number | null;
  builtInMaxRelativeError: number | null;
}

/** The filter-gradient kernels in use here against the cpu kernel on the tests' random cases (the GPU side of the kernel tests). */
export async function kernelCheck(): Promise<KernelCheck> {
  const backendName = tf.getBackend();
  const { ours, own } = kernelPair('Conv2DBackpropFilter', backendName);
  const worst = async (config: tf.KernelConfig | undefined): Promise<number | null> => {
    if (!config) return null;
    let max = 0;
    for (const [k, c] of FILTER_GRADIENT_CASES.entries()) {
      await tf.setBackend('cpu');
      const expected = await runFilterGradientKernel(c, 300 + k);
      await tf.setBackend(backendName);
      max = Math.max(max, relativeError(await withKernel(config, () => runFilterGradientKernel(c, 300 + k)), expected));
    }
    return Number(max.toExponential(2));
  };
  const check: KernelCheck = {
    kernel: 'Conv2DBackpropFilter',
    cases: FILTER_GRADIENT_CASES.length,
    registeredMaxRelativeError: await worst(ours),
    builtInMaxRelativeError: await worst(own),
  };
  process.stderr.write(`Conv2DBackpropFilter against cpu: registered ${check.registeredMaxRelativeError}, built-in ${check.builtInMaxRelativeError}\n`);
  return check;
}

/** The memory figures a backend gives: tensor bytes (every backend), GPU bytes in use and allocated (webgpu's buffer pool, which only grows: a high-water mark). */
export function memoryNow(): Record<string, number> {
  const info = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  return {
    tensorBytes: info.numBytes,
    tensors: info.numTensors,
    ...(info.numBytesInGPU !== undefined ? { gpuBytesInUse: info.numBytesInGPU } : {}),
    ...(info.numBytesAllocatedInGPU !== undefined ? { gpuBytesAllocated: info.numBytesAllocatedInGPU } : {}),
    rssBytes: process.memoryUsage().rss,
  };
}

/** Parts of a Lafite training run for a preset, ConG off (no CLIP tower in a benchmark). */
function makeParts(preset: PresetName, textDim: number): TrainParts {
  const network = PRESETS[preset];
  return {
    g: new Generator(network, { textDim, seed: 0 }),
    d: new Discriminator(network, { textDim, seed: 1 }),
    gEma: new Generator(network, { textDim, seed: 0 }),
    gOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    dOptimizer: tf.train.adam(0.002, 0, 0.99, 1e-8),
    plMean: newPlMean(),
  };
}

function disposeParts(parts: TrainParts): void {
  for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
  parts.gOptimizer.dispose();
  parts.dOptimizer.dispose();
}

/** Random conditions [N, D] with unit rows. */
const conditions = (batch: number, textDim: number): tf.Tensor2D =>
  tf.tidy(() => {
    const x = tf.randomNormal([batch, textDim], 0, 1, 'float32', 4);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });

/** A random training batch: images [N, R, R, 3] in [−1, 1] and their conditions. */
const randomBatch = (batch: number, resolution: number, textDim: number): { reals: tf.Tensor4D; h: tf.Tensor2D } => ({
  reals: tf.tidy(() => tf.tanh(tf.randomNormal([batch, resolution, resolution, 3], 0, 1, 'float32', 3)) as tf.Tensor4D),
  h: conditions(batch, textDim),
});

export interface TrainingFigure {
  preset: PresetName;
  resolution: number;
  batch: number;
  timedSteps: number;
  medianStepMs: number;
  imagesPerSecond: number;
  memoryAfter: ReturnType<typeof memoryNow>;
}

/**
 * Images per second of Lafite training steps (D step, G step, EMA; losses read each step as
 * gan-train does), after warm-up steps that build the optimizers' slots and compile shaders.
 * Steps 1 to 15: no lazy R1 step among them (one step in 16 adds R1).
 */
export async function trainingFigure(preset: PresetName, batch: number, warmUp: number, timed: number): Promise<TrainingFigure> {
  const network = PRESETS[preset];
  const textDim = network.textHidden;
  const parts = makeParts(preset, textDim);
  const { reals, h } = randomBatch(batch, network.resolution, textDim);
  const times: number[] = [];
  for (let step = 1; step <= warmUp + timed; step++) {
    const started = performance.now();
    await trainStepAsync(parts, { reals, h }, { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.99, step, seed: 0 });
    if (step > warmUp) times.push(performance.now() - started);
  }
  const memoryAfter = memoryNow();
  disposeParts(parts);
  tf.dispose([reals, h]);
  const medianStepMs = times.sort((a, b) => a - b)[times.length >> 1]!;
  const figure = {
    preset,
    resolution: network.resolution,
    batch,
    timedSteps: timed,
    medianStepMs: round(medianStepMs),
    imagesPerSecond: round((batch * 1000) / medianStepMs, 2),
    memoryAfter,
  };
  process.stderr.write(`training ${preset} (batch ${batch}): ${figure.medianStepMs} ms per step, ${figure.imagesPerSecond} images/s\n`);
  return figure;
}

export interface GenerationFigure {
  preset: PresetName;
  resolution: number;
  batch: number;
  runs: number;
  medianBatchMs: number;
  msPerImage: number;
  /** Most tensor bytes alive at once during one generation (tf.profile). */
  peakTensorBytes: number;
  memoryAfter: ReturnType<typeof memoryNow>;
}

/** Latency of generating a batch (mapping, synthesis, reading the pixels back) after a warm-up, per image. */
export async function generationFigures(preset: PresetName, batches: number[], runs: number): Promise<GenerationFigure[]> {
  const network = PRESETS[preset];
  const textDim = network.textHidden;
  const g = new Generator(network, { textDim, seed: 0 });
  const figures: GenerationFigure[] = [];
  for (const batch of batches) {
    const z = tf.randomNormal([batch, network.zDim], 0, 1, 'float32', 5) as tf.Tensor2D;
    const h = conditions(batch, textDim);
    const generate = async () => {
      const images = tf.tidy(() => g.generate(z, h, { noiseSeed: 1 })); // [B, R, R, 3]
      await images.data();
      images.dispose();
    };
    const { peakBytes } = await tf.profile(generate); // the warm-up (shader compilation) gives the memory peak
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await generate();
      times.push(performance.now() - started);
    }
    const medianBatchMs = times.sort((a, b) => a - b)[times.length >> 1]!;
    figures.push({
      preset,
      resolution: network.resolution,
      batch,
      runs,
      medianBatchMs: round(medianBatchMs),
      msPerImage: round(medianBatchMs / batch, 2),
      peakTensorBytes: peakBytes,
      memoryAfter: memoryNow(),
    });
    process.stderr.write(`generation ${preset} ${network.resolution} px, batch ${batch}: ${figures.at(-1)!.msPerImage} ms per image\n`);
    tf.dispose([z, h]);
  }
  g.dispose();
  return figures;
}

interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
  /** Share of the summed top-level kernel time. */
  share: number;
}

export interface StepProfile {
  preset: PresetName;
  batch: number;
  wallMs: number;
  /** Kernel times measured by the backend (webgpu: timestamp queries; without them tfjs reports 0). */
  kernelTimesAvailable: boolean;
  summedKernelMs: number;
  peakTensorBytes: number;
  /** Top-level kernels by time; a composite kernel (the project's) includes the kernels it runs. */
  kernels: KernelTime[];
  /** The kernels run inside each of the project's kernels (built from tf ops), by time. */
  inside: Record<string, KernelTime[]>;
}

type ProfiledKernel = Awaited<ReturnType<typeof tf.profile>>['kernels'][number] & { depth?: number };

function byTime(entries: ProfiledKernel[], total: number, top: number): KernelTime[] {
  const groups = new Map<string, { calls: number; ms: number }>();
  for (const entry of entries) {
    const group = groups.get(entry.name) ?? { calls: 0, ms: 0 };
    group.calls++;
    group.ms += entry.kernelTimeMs as number;
    groups.set(entry.name, group);
  }
  return [...groups.entries()]
    .map(([kernel, { calls, ms }]) => ({ kernel, calls, ms: round(ms, 2), share: round(ms / Math.max(total, 1e-9), 3) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

/**
 * One training step under tf.profile, split by kernel, so the next slow kernel is known.
 * tfjs lists kernels run inside a kernel too (the project's kernels are built from tf ops):
 * each entry is tagged with its nesting depth as it is recorded, so nothing is counted twice.
 */
export async function profileTrainStep(preset: PresetName, batch: number, top = 25): Promise<StepProfile> {
  const network = PRESETS[preset];
  const textDim = network.textHidden;
  const parts = makeParts(preset, textDim);
  const { reals, h } = randomBatch(batch, network.resolution, textDim);
  const options = { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: 0.99, seed: 0 };
  for (let step = 1; step <= 2; step++) await trainStepAsync(parts, { reals, h }, { ...options, step }); // slots, shaders
  const engine = tf.engine() as unknown as { state: { kernelDepth: number; activeProfile: { kernels: ProfiledKernel[] } } };
  const started = performance.now();
  const profile = await tf.profile(async () => {
    const kernels = engine.state.activeProfile.kernels;
    const push = kernels.push.bind(kernels);
    kernels.push = (...entries: ProfiledKernel[]) => push(...entries.map((entry) => Object.assign(entry, { depth: engine.state.kernelDepth })));
    await trainStepAsync(parts, { reals, h }, { ...options, step: 3 });
  });
  const wallMs = performance.now() - started;
  disposeParts(parts);
  tf.dispose([reals, h]);
  const entries = profile.kernels as ProfiledKernel[];
  const topLevel = entries.filter((e) => !e.depth);
  const summedKernelMs = topLevel.reduce((sum, e) => sum + (e.kernelTimeMs as number), 0);
  // A nested entry is recorded before the composite kernel that ran it: group each run of nested entries under the next top-level one.
  const inside = new Map<string, ProfiledKernel[]>();
  let pending: ProfiledKernel[] = [];
  for (const entry of entries) {
    if (entry.depth) pending.push(entry);
    else if (pending.length > 0) {
      inside.set(entry.name, [...(inside.get(entry.name) ?? []), ...pending]);
      pending = [];
    }
  }
  const result: StepProfile = {
    preset,
    batch,
    wallMs: round(wallMs),
    kernelTimesAvailable: summedKernelMs > 0,
    summedKernelMs: round(summedKernelMs),
    peakTensorBytes: profile.peakBytes,
    kernels: byTime(topLevel, summedKernelMs, top),
    inside: Object.fromEntries([...inside.entries()].filter(([name]) => isProjectKernel(name)).map(([name, nested]) => [name, byTime(nested, summedKernelMs, 10)])),
  };
  process.stderr.write(
    `profile ${preset} step (batch ${batch}): ${result.kernels
      .slice(0, 5)
      .map((k) => `${k.kernel} ${Math.round(k.share * 100)} %`)
      .join(', ')}\n`,
  );
  return result;
}
