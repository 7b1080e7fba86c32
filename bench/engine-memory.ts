/**
 * `npm run bench -- memory`: the engine's tensor memory on this machine's backend (wasm here),
 * the figures behind docs/BENCHMARKS.md's memory plan for `paper` at batch 16 in 8 GB.
 *
 * - training: tensor bytes and tensors alive at the peak of step 0 (R1, path length and Adam's
 *   moments included) at batch 2 and 4, and per image (the slope between them), for `shapes` and
 *   `shapes64`; the same without the lazy regularisers (a step that runs neither R1 nor the path
 *   length), to tell which phase holds the peak; each with and without gradient checkpointing
 *   (StepOptions.recompute);
 * - generation: the peak of G(z, h) at batch 1 for `shapes64` and `paper`, less the weights.
 *
 * tf.profile's `peakBytes` is the most bytes alive at once, variables included: the per-image
 * figures are differences, so the networks and Adam's moments drop out.
 */
import * as tf from '@tensorflow/tfjs';
import { Generator } from '../main/engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../main/engine/gan/losses.ts';
import { PRESETS, type PresetName } from '../main/engine/gan/presets.ts';
import { DEFAULT_STEP, trainStepAsync, type StepOptions } from '../main/engine/gan/train-step.ts';
import { freshStep } from './gpu-memory.ts';

const MB = 1e6;

interface Peak {
  bytes: number;
  tensors: number;
}

/** The kernel at which the most bytes were alive: its bytes and tensor count (a loop: a spread over a paper step's kernels overflows the stack). */
function peakOf(profile: Awaited<ReturnType<typeof tf.profile>>): Peak {
  let peak: Peak = { bytes: 0, tensors: 0 };
  for (const kernel of profile.kernels) if (kernel.totalBytesSnapshot > peak.bytes) peak = { bytes: kernel.totalBytesSnapshot, tensors: kernel.totalTensorsSnapshot };
  return peak;
}

/** Step 0 of `preset` at `batch`, with the regularisers (R1 and path length) or without: the peak. */
async function stepPeak(preset: PresetName, batch: number, regularise: boolean, recompute: boolean): Promise<Peak> {
  const { parts, reals, h, dispose } = freshStep(preset, batch);
  const options: StepOptions = {
    ...DEFAULT_STEP,
    weights: LANGUAGE_FREE_WEIGHTS,
    emaBeta: 0.99,
    step: regularise ? 0 : 1, // step 1: neither R1 (every 16) nor the path length (every 4)
    seed: 0,
    recompute,
  };
  const profile = await tf.profile(async () => {
    await trainStepAsync(parts, { reals, h }, options);
  });
  dispose();
  return peakOf(profile);
}

export interface TrainingMemory {
  preset: PresetName;
  regularised: boolean;
  /** Gradient checkpointing (StepOptions.recompute). */
  recompute: boolean;
  batch2: Peak;
  batch4: Peak;
  perImageBytes: number;
  /** Tensors alive at the peak at batch 2 (a count per batch: most tensors hold the whole batch). */
  tensorsAtPeak: number;
}

export async function trainingMemory(preset: PresetName, regularised: boolean, recompute: boolean): Promise<TrainingMemory> {
  const batch2 = await stepPeak(preset, 2, regularised, recompute);
  const batch4 = await stepPeak(preset, 4, regularised, recompute);
  const figure = {
    preset,
    regularised,
    recompute,
    batch2,
    batch4,
    perImageBytes: Math.round((batch4.bytes - batch2.bytes) / 2),
    tensorsAtPeak: batch2.tensors,
  };
  process.stderr.write(
    `memory ${preset}${regularised ? '' : ' (no R1, no path length)'}${recompute ? ', recomputed' : ''}: ${(figure.perImageBytes / MB).toFixed(1)} MB per image at the peak of step ${regularised ? 0 : 1}, ${figure.tensorsAtPeak} tensors alive at batch 2\n`,
  );
  return figure;
}

export interface GenerationMemory {
  preset: PresetName;
  batch: number;
  /** The most tensor bytes alive during G(z, h), less the generator's weights. */
  peakBytesOverWeights: number;
  weightBytes: number;
  peakTensors: number;
}

async function generationMemory(preset: PresetName): Promise<GenerationMemory> {
  const network = PRESETS[preset];
  const g = new Generator(network, { textDim: network.textHidden, seed: 0 });
  const weightBytes = [...g.namedVariables().values()].reduce((sum, v) => sum + v.size * 4, 0);
  const z = tf.randomNormal([1, network.zDim], 0, 1, 'float32', 5) as tf.Tensor2D;
  const h = tf.tidy(() => {
    const x = tf.randomNormal([1, network.textHidden], 0, 1, 'float32', 6);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
  const before = tf.memory().numBytes;
  const profile = await tf.profile(async () => {
    const images = g.generate(z, h, { noiseSeed: 1 });
    await images.data();
    images.dispose();
  });
  const peak = peakOf(profile);
  tf.dispose([z, h]);
  g.dispose();
  const figure = { preset, batch: 1, peakBytesOverWeights: peak.bytes - before, weightBytes, peakTensors: peak.tensors };
  process.stderr.write(`memory generation ${preset} batch 1: ${(figure.peakBytesOverWeights / MB).toFixed(1)} MB over the weights (${(weightBytes / MB).toFixed(0)} MB)\n`);
  return figure;
}

/** Every figure of the section. */
export async function engineMemoryFigures(only?: 'generation') {
  const training: TrainingMemory[] = [];
  if (only === 'generation') return { backend: tf.getBackend(), training, generation: [await generationMemory('shapes64'), await generationMemory('paper')] };
  for (const preset of ['shapes', 'shapes64'] as const)
    for (const recompute of [false, true]) for (const regularised of [true, false]) training.push(await trainingMemory(preset, regularised, recompute));
  const generation = [await generationMemory('shapes64'), await generationMemory('paper')];
  return { backend: tf.getBackend(), training, generation };
}
