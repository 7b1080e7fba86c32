/**
 * `npm run bench`: speed figures as JSON on stdout (progress on stderr).
 * Float32 matrix products on every available compute backend; the encoders' throughput
 * through the pipeline against a bare ONNX Runtime session; dataset import (images/s, peak
 * memory); retrieval at CLIP size and on ShapesWorld; the wasm training kernels against their
 * previous versions and cpu (`kernels`); training images/s per CPU preset, the current kernels
 * against the previous ones in the same run (`trainStep`); training images/s and generation
 * latency per network preset (`presets`); the diffusion model's sampling time per image at 10,
 * 25 and 50 DDIM steps against the GAN's (`diffusion`, bench/diffusion.ts); the latent presets' autoencoder trained on
 * ShapesWorld at 128 px for a time budget, a UNet step on its latents and a sampled picture (`latent`,
 * bench/latent-diffusion.ts); the engine's tensor memory per image in training and
 * generation (`memory`, bench/engine-memory.ts); concurrent imports, evaluations and generations through
 * the CLI and the server against one data folder, with errors, latency and server memory (`soak`).
 * `npm run bench -- import` runs only the named sections.
 */
import { cpus, totalmem } from 'node:os';
import { initBackend, probeBackends } from '../main/engine/backend.ts';
import { matMulFlops, timeMatMul } from '../main/engine/matmul-benchmark.ts';
import { SHAPES_CLIP_ID } from '../main/engine/shapes/clip.ts';
import { builtinModelDir } from '../main/store/paths.ts';
import { diffusionFigures } from './diffusion.ts';
import { encoderFigures } from './encoders.ts';
import { engineMemoryFigures } from './engine-memory.ts';
import { importFigures } from './import.ts';
import { generationFigures, trainingFigure } from './gpu-figures.ts';
import { kernelFigures, trainStepFigures } from './kernels.ts';
import { latentDiffusionFigures } from './latent-diffusion.ts';
import { retrievalFigures, shapesRetrievalFigures } from './retrieval.ts';
import { soakFigures } from './soak.ts';

const SIZES = [128, 512];
const REPEATS = 5;

interface MatMulFigure {
  backend: string;
  size: number;
  medianMs: number;
  gflops: number;
}

async function matMulFigures(): Promise<MatMulFigure[]> {
  const figures: MatMulFigure[] = [];
  for (const status of await probeBackends()) {
    if (!status.available) continue;
    await initBackend(status.id);
    for (const size of SIZES) {
      await timeMatMul(size, 0); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < REPEATS; i++) ms.push((await timeMatMul(size, i + 1)).ms);
      const medianMs = ms.sort((a, b) => a - b)[REPEATS >> 1]!;
      figures.push({ backend: status.id, size, medianMs, gflops: matMulFlops(size) / (medianMs * 1e6) });
      process.stderr.write(`matMul ${size}³ on ${status.id}: ${figures.at(-1)!.gflops.toFixed(2)} GFLOP/s\n`);
    }
  }
  return figures;
}

/**
 * Training images/s and generation latency per network preset on this machine's best backend.
 * The paper preset's training comes last: on wasm it exhausts the 4 GiB heap, which aborts the
 * wasm module for good, so its failure is recorded rather than measured twice.
 */
async function presetFigures() {
  await initBackend();
  const generation = [
    ...(await generationFigures('tiny', [1, 8], 5)),
    ...(await generationFigures('shapes', [1, 8], 5)),
    ...(await generationFigures('shapes64', [1, 8], 5)),
    ...(await generationFigures('paper', [1], 2)),
  ];
  const training: (Awaited<ReturnType<typeof trainingFigure>> | { preset: 'paper'; error: string })[] = [
    await trainingFigure('tiny', 8, 2, 10),
    await trainingFigure('shapes', 8, 2, 5),
    await trainingFigure('shapes64', 8, 2, 5),
  ];
  try {
    training.push(await trainingFigure('paper', 1, 1, 1));
  } catch (error) {
    training.push({ preset: 'paper', error: (error as Error).message });
  }
  return { training, generation };
}

const SECTIONS = {
  matMul: matMulFigures,
  encoders: () => encoderFigures(builtinModelDir(SHAPES_CLIP_ID)),
  import: () => importFigures(),
  retrieval: () => retrievalFigures(),
  shapesRetrieval: () => shapesRetrievalFigures(),
  kernels: () => kernelFigures(),
  trainStep: () => trainStepFigures(),
  presets: () => presetFigures(),
  diffusion: async () => {
    await initBackend();
    return diffusionFigures();
  },
  latent: async () => {
    await initBackend();
    return latentDiffusionFigures();
  },
  memory: async () => {
    await initBackend();
    return engineMemoryFigures();
  },
  soak: () => soakFigures(),
} as const;
type Section = keyof typeof SECTIONS;

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) throw new Error(`unknown bench section ${unknown.join(', ')}: choose from ${Object.keys(SECTIONS).join(', ')}`);
const chosen = (asked.length > 0 ? asked : Object.keys(SECTIONS)) as Section[];

const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node },
};
for (const section of chosen) report[section] = await SECTIONS[section]();
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
