/**
 * `npm run bench:gpu`: GPU training and generation figures as JSON on stdout (progress on
 * stderr), on the best backend here (main/engine/backend.ts; webgpu on a GPU):
 * - kernels: conv2d gradient GFLOP/s, the backend's own kernel against the project's, on the
 *   three shapes of ENVIRONMENT.md, and the project's checked against the cpu kernel;
 * - training: images/s of Lafite training steps for the `shapes`, `shapes64` and `paper` presets;
 * - generation: latency per 256 px image (`paper`) for batch 1 and batch 16;
 * - profile: one `paper` training step split by kernel (the next slow kernel to replace);
 * - memory: `paper` training memory at batch 2 to 16 and in micro-batches (bench/gpu-memory.ts);
 * - segment: a fixed-time ShapesWorld training run of `shapes`, held-out attribute accuracy
 *   before and after, networks written beside --out (bench/gpu-segment.ts; prepare first with
 *   bench/gpu-segment-prepare.ts);
 * with memory figures where the backend reports them (webgpu: its GPU buffer pool).
 * On the GPU machine: `../shared/tools/gpu-pack bench/gpu.ts`, then the device tool with
 * `bash .gpu/run.sh --out $OUT/bench-gpu.json` and carry [".gpu"] (docs/BENCHMARKS.md).
 *
 * @example
 *   npm run bench:gpu -- --quick --out bench-gpu.json     # small sizes, no paper training: a CPU run
 *   npm run bench:gpu -- kernels profile                  # only these sections
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendId, probeBackends, tf } from '../main/engine/backend.ts';
import { CONV_SHAPES, generationFigures, kernelCheck, kernelFigures, memoryNow, profileTrainStep, trainingFigure } from './gpu-figures.ts';
import { memoryPlan } from './gpu-memory.ts';
import { shapesSegment } from './gpu-segment.ts';

/**
 * Dawn as `navigator.gpu`, then tfjs's webgpu backend, imported by literal name so that
 * gpu-pack's bundler includes it (backend.ts imports packages by variable name, which a
 * bundler cannot follow). backend.ts then checks for a hardware adapter as always.
 */
async function preloadWebGpu(): Promise<string | null> {
  try {
    const dawn = await import('webgpu');
    Object.assign(globalThis, dawn.globals);
    const holder = globalThis as { navigator?: object };
    if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: dawn.create([]), configurable: true });
    else holder.navigator = { gpu: dawn.create([]) };
    await import('@tensorflow/tfjs-backend-webgpu');
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0]!;
  }
}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false }, // small sizes, shapes preset only: minutes on a CPU
    out: { type: 'string' }, // also write the JSON to this file (after every section)
    backend: { type: 'string' }, // force one backend (node-gpu, webgpu, node, wasm, cpu)
    'segment-minutes': { type: 'string' }, // the segment's training time (default 3, --quick 0.2)
  },
});
const quick = flags.quick;

/** The segment's networks.bin and segment.json go beside --out's file (under $OUT on the GPU machine). */
const segmentDir = flags.out ? join(dirname(flags.out), 'shapes-segment') : undefined;

// In the order they run: the shapes segment (networks to commit) before the paper sections that may run out of memory.
const SECTIONS = {
  kernels: async () => ({ figures: await kernelFigures(quick ? CONV_SHAPES.quick : CONV_SHAPES.full, quick ? 5 : 10), check: await kernelCheck() }),
  // --quick draws 64 px: a 256 px paper step on a software adapter takes over 20 GB of host memory (docs/BENCHMARKS.md).
  generation: () => (quick ? generationFigures('shapes64', [1, 2], 1) : generationFigures('paper', [1, 16], 3)),
  segment: () =>
    shapesSegment({
      minutes: Number(flags['segment-minutes'] ?? (quick ? 0.2 : 3)),
      images: quick ? 64 : 4000,
      batch: quick ? 4 : 32,
      prompts: quick ? 8 : 144,
      perPrompt: quick ? 1 : 4,
      outDir: segmentDir,
    }),
  // paper at batch 16 in 8 GB: step 0 (R1, path length, Adam's moments) at several batches, the line through them, and batch 16 in micro-batches.
  // Batches of 2 at least: training takes no smaller (the minibatch standard deviation needs 2 images).
  memory: () =>
    quick
      ? memoryPlan('shapes64', [2, 4], [[4, 2]])
      : memoryPlan(
          'paper',
          [2, 4, 8, 16],
          [
            [16, 2],
            [16, 4],
            [16, 8],
          ],
        ),
  training: async () => [
    await trainingFigure('shapes', quick ? 8 : 32, quick ? 1 : 2, quick ? 3 : 5),
    // paper at batch 2: a step holds about 27 GB per image (docs/BENCHMARKS.md, memory plan), so batch 8 would not fit 80 GB.
    ...(quick ? [] : [await trainingFigure('shapes64', 32, 2, 5), await trainingFigure('paper', 2, 2, 3)]),
  ],
  profile: () => (quick ? profileTrainStep('shapes', 8) : profileTrainStep('paper', 2)),
} as const;
type Section = keyof typeof SECTIONS;

const unknown = positionals.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) throw new Error(`unknown bench:gpu section ${unknown.join(', ')}: choose from ${Object.keys(SECTIONS).join(', ')}`);
const chosen = (positionals.length > 0 ? positionals : Object.keys(SECTIONS)) as Section[];

const webgpuPreload = await preloadWebGpu();
const backends = await probeBackends();
const active = await initBackend(parseBackendId(flags.backend));
const webgpuBackend = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { supportTimestampQuery?: boolean }) : undefined;
process.stderr.write(`bench:gpu on ${active.id}${active.device ? ` (${active.device})` : ''}${quick ? ', quick' : ''}\n`);

const report: Record<string, unknown> = {
  bench: 'bench:gpu',
  date: new Date().toISOString(),
  quick,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  },
  tfjs: tf.version.tfjs,
  backend: active,
  backends,
  ...(webgpuPreload ? { webgpuPreload } : {}),
  ...(webgpuBackend ? { webgpuTimestampQuery: Boolean(webgpuBackend.supportTimestampQuery) } : {}),
};
const write = (): void => {
  if (!flags.out) return;
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`);
};
for (const section of chosen) {
  const started = performance.now();
  try {
    report[section] = await SECTIONS[section]();
  } catch (error) {
    // One failing section (e.g. out of GPU memory) still leaves the others' figures.
    report[section] = { error: (error as Error).message.split('\n')[0] };
    process.stderr.write(`bench:gpu ${section} failed: ${(error as Error).stack}\n`);
  }
  report.seconds = { ...(report.seconds as object), [section]: Math.round((performance.now() - started) / 100) / 10 };
  report.memoryAfterAll = memoryNow();
  write();
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
