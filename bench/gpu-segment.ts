/**
 * The `segment` section of `npm run bench:gpu`: a ShapesWorld training run of the `shapes`
 * preset for a fixed time on the current backend (webgpu on the GPU machine), evaluated on
 * held-out prompts (resources/prompts/shapes-heldout.txt: attribute accuracy by the shipped
 * classifier) before and after, its networks written under `--out`'s folder so that a later
 * session can commit them as a segment of `shapes-pretrained`.
 *
 * Engine only, since the GPU machine has no ONNX Runtime, SQLite or sharp (gpu-pack): the
 * pictures are drawn in memory (ShapesWorld seed 0 at 32 px), their CLIP features come from
 * shapes-clip's vision tower in TensorFlow.js, and the conditions are Lafite2's CLO on every
 * mini-batch started from Gaussian pseudo features (`--pseudo clo --clo-init gaussian`: the
 * retrieval prompts of scripts/train-shapes-pretrained.ts need the text encoder). The held-out
 * prompts' text features are made beforehand by bench/gpu-segment-prepare.ts. It starts from
 * resources/models/shapes-pretrained/networks.bin when that exists (fresh Adam state, as each
 * segment of the script does), else from seed 1.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadClipTowersFromOnnx } from '../main/engine/clip/onnx-import.ts';
import { nhwcToClipPixels, type ClipTowers } from '../main/engine/clip/tfjs-model.ts';
import { attributeAccuracy, parseShapesPrompt, type AttributeAccuracy } from '../main/engine/shapes/attribute-accuracy.ts';
import { loadClassifier } from '../main/engine/shapes/classifier/index.ts';
import { emaBeta } from '../main/engine/gan/ema.ts';
import { restoreCheckpoint, writeCheckpoint } from '../main/engine/gan/checkpoint.ts';
import { Discriminator } from '../main/engine/gan/discriminator.ts';
import { Generator } from '../main/engine/gan/generator.ts';
import { LANGUAGE_FREE_WEIGHTS } from '../main/engine/gan/losses.ts';
import { PRESETS } from '../main/engine/gan/presets.ts';
import { DEFAULT_STEP, newPlMean, trainStepAsync, type TrainParts } from '../main/engine/gan/train-step.ts';
import { l2Normalise } from '../main/engine/normalise.ts';
import { contrastiveLatentOptimization } from '../main/engine/pseudo/clo.ts';
import { gaussianPseudoFeatures } from '../main/engine/pseudo/gaussian.ts';
import { mulberry32, tfSeed } from '../main/engine/random.ts';
import { generateShapes } from '../main/engine/shapes/index.ts';

/** The repository root: this file is bench/gpu-segment.ts, or bundled into .gpu/app.mjs; both one folder down. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HELDOUT_FEATURES_FILE = join(ROOT, '.gpu', 'segment-heldout.json');
const SHIPPED_NETWORKS = join(ROOT, 'resources', 'models', 'shapes-pretrained', 'networks.bin');

/** Held-out prompts with their shapes-clip text features (bench/gpu-segment-prepare.ts). */
export interface HeldoutFeatures {
  model: string;
  promptFile: string;
  prompts: string[];
  dim: number;
  features: number[]; // [prompts, dim]
}

export interface SegmentOptions {
  /** Training time budget. */
  minutes: number;
  /** ShapesWorld pictures to train on (seed 0). */
  images: number;
  batch: number;
  /** Held-out prompts used (the first ones of the file; 144 in all) and pictures per prompt. */
  prompts: number;
  perPrompt: number;
  /** Folder for networks.bin and segment.json; none: nothing written. */
  outDir?: string;
}

export interface SegmentResult {
  recipe: string;
  preset: 'shapes';
  initialisedFrom: string;
  images: number;
  batch: number;
  steps: number;
  seconds: number;
  imagesPerSecond: number;
  lastLosses: Record<string, number | null>;
  heldout: { prompts: number; perPrompt: number; before: AttributeAccuracy; after: AttributeAccuracy };
  files: string[];
}

const RECIPE =
  'shapes preset, ShapesWorld seed 0 at 32 px, language-free: CLO (K 10, η 0.1, τ 0.1) on every mini-batch from Gaussian pseudo features (ξ 3), ConG through shapes-clip, Adam 0.0025 (β 0, 0.99), EMA half-life 10k images';

/** Pictures [N, 32, 32, 3] in [−1, 1] and their CLIP image features [N, D] (unit rows). */
async function trainingData(towers: ClipTowers, count: number): Promise<{ reals: tf.Tensor4D; features: tf.Tensor2D }> {
  const size = PRESETS.shapes.resolution;
  const pixels = new Uint8Array(count * size * size * 3);
  for (const sample of generateShapes({ n: count, size, seed: 0, captionsPerImage: 0 })) pixels.set(sample.pixels, sample.index * size * size * 3);
  const reals = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(pixels, [count, size, size, 3], 'float32'), 127.5), 1) as tf.Tensor4D);
  const imageSize = towers.config.vision.imageSize;
  const chunks: tf.Tensor2D[] = [];
  for (let start = 0; start < count; start += 128) {
    chunks.push(
      tf.tidy(() => {
        const unit = tf.div(tf.add(tf.slice(reals, [start, 0, 0, 0], [Math.min(128, count - start), -1, -1, -1]), 1), 2) as tf.Tensor4D; // [−1, 1] → [0, 1]
        return l2Normalise(towers.vision(nhwcToClipPixels(tf.image.resizeBilinear(unit, [imageSize, imageSize]))));
      }),
    );
  }
  const features = tf.concat(chunks) as tf.Tensor2D;
  tf.dispose(chunks);
  return { reals, features };
}

/** Attribute accuracy of G_ema on held-out prompts: `perPrompt` pictures each, h = n(f_txt(prompt)). */
async function heldoutAccuracy(gEma: Generator, heldout: HeldoutFeatures, prompts: number, perPrompt: number): Promise<AttributeAccuracy> {
  const classifier = await loadClassifier(join(ROOT, 'resources', 'models', 'shapes-classifier', 'classifier.bin'));
  const used = heldout.prompts.slice(0, prompts);
  const asked = used.flatMap((prompt) => Array.from({ length: perPrompt }, () => parseShapesPrompt(prompt)));
  const predicted = [];
  for (let start = 0; start < asked.length; start += 64) {
    const n = Math.min(64, asked.length - start);
    const images = tf.tidy(() => {
      const rows = Array.from({ length: n }, (_, i) => Math.floor((start + i) / perPrompt));
      const h = l2Normalise(tf.gather(tf.tensor2d(heldout.features, [heldout.prompts.length, heldout.dim]), rows) as tf.Tensor2D);
      const z = tf.randomNormal([n, gEma.options.zDim], 0, 1, 'float32', tfSeed(start + 1)) as tf.Tensor2D;
      return gEma.generate(z, h, { noiseSeed: 0 }); // [n, 32, 32, 3]
    });
    predicted.push(...(await classifier.classify(images)));
    images.dispose();
  }
  classifier.dispose();
  return attributeAccuracy(predicted, asked);
}

/** Trains the `shapes` preset for `options.minutes` and evaluates it on held-out prompts before and after. */
export async function shapesSegment(options: SegmentOptions): Promise<SegmentResult> {
  if (!existsSync(HELDOUT_FEATURES_FILE)) throw new Error(`segment: no ${HELDOUT_FEATURES_FILE}: run npx tsx bench/gpu-segment-prepare.ts after gpu-pack`);
  const heldout = JSON.parse(await readFile(HELDOUT_FEATURES_FILE, 'utf8')) as HeldoutFeatures;
  const towers = await loadClipTowersFromOnnx(join(ROOT, 'resources', 'models', heldout.model), undefined, { towers: ['vision'], trainable: false });
  const textDim = towers.config.vision.projectionDim;
  const network = PRESETS.shapes;
  const parts: TrainParts = {
    g: new Generator(network, { textDim, seed: 1 }),
    d: new Discriminator(network, { textDim, seed: 2 }),
    gEma: new Generator(network, { textDim, seed: 1 }),
    clip: { towers, imageSize: towers.config.vision.imageSize },
    gOptimizer: tf.train.adam(0.0025, 0, 0.99, 1e-8),
    dOptimizer: tf.train.adam(0.0025, 0, 0.99, 1e-8),
    plMean: newPlMean(),
  };
  const networks = { g: parts.g.namedVariables(), d: parts.d.namedVariables(), g_ema: parts.gEma.namedVariables() };
  const initialisedFrom = existsSync(SHIPPED_NETWORKS) ? 'resources/models/shapes-pretrained/networks.bin' : 'seed 1 (no shipped networks)';
  if (existsSync(SHIPPED_NETWORKS)) await restoreCheckpoint(SHIPPED_NETWORKS, { networks, optimizers: {} });
  const data = await trainingData(towers, options.images);
  const before = await heldoutAccuracy(parts.gEma, heldout, options.prompts, options.perPrompt);
  process.stderr.write(`segment: held-out before ${JSON.stringify(before)}\n`);

  const started = performance.now();
  const deadline = started + options.minutes * 60_000;
  let step = 0;
  let last: Awaited<ReturnType<typeof trainStepAsync>> | undefined;
  while (performance.now() < deadline) {
    step++;
    const rng = mulberry32(1_000_003 + step);
    const rows = Array.from({ length: options.batch }, () => Math.floor(rng() * options.images));
    const batch = tf.tidy(() => {
      const f = tf.gather(data.features, rows) as tf.Tensor2D;
      const start = gaussianPseudoFeatures(f, { seed: step }); // h₀ = n(f + ξ·ε·|f|/|ε|)   (Lafite eq. 1)
      return { reals: tf.gather(data.reals, rows) as tf.Tensor4D, f, start: l2Normalise(start) };
    });
    const h = contrastiveLatentOptimization(batch.start, batch.f); // Lafite2 eq. 2, K = 10 steps
    last = await trainStepAsync(
      parts,
      { reals: batch.reals, h },
      { ...DEFAULT_STEP, weights: LANGUAGE_FREE_WEIGHTS, emaBeta: emaBeta(Math.min(10_000, step * options.batch * 0.05), options.batch), step, seed: 1 },
    );
    tf.dispose([batch.reals, batch.f, batch.start, h]);
    if (step % 50 === 0) process.stderr.write(`segment: step ${step}, L_D ${last.dLoss.toFixed(3)}, L_G ${last.gLoss.toFixed(3)}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await heldoutAccuracy(parts.gEma, heldout, options.prompts, options.perPrompt);
  process.stderr.write(`segment: ${step} steps in ${seconds.toFixed(0)} s; held-out after ${JSON.stringify(after)}\n`);

  const result: SegmentResult = {
    recipe: RECIPE,
    preset: 'shapes',
    initialisedFrom,
    images: options.images,
    batch: options.batch,
    steps: step,
    seconds: Math.round(seconds),
    imagesPerSecond: Number(((step * options.batch) / seconds).toFixed(2)),
    lastLosses: { ...(last ?? {}) },
    heldout: { prompts: Math.min(options.prompts, heldout.prompts.length), perPrompt: options.perPrompt, before, after },
    files: [],
  };
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true });
    // The shipped layout (scripts/train-shapes-pretrained.ts exportNetworks): G, D and G_ema, no optimizer state.
    await writeCheckpoint(join(options.outDir, 'networks.bin'), { networks, optimizers: {}, state: { step: 0 } });
    result.files = [join(options.outDir, 'networks.bin'), join(options.outDir, 'segment.json')];
    await writeFile(join(options.outDir, 'segment.json'), `${JSON.stringify({ ...result, backend: tf.getBackend(), date: new Date().toISOString() }, null, 2)}\n`);
  }
  for (const part of [parts.g, parts.d, parts.gEma]) part.dispose();
  parts.gOptimizer.dispose();
  parts.dOptimizer.dispose();
  towers.dispose();
  tf.dispose([data.reals, data.features, parts.plMean]);
  return result;
}
