/**
 * Training the ShapesWorld attribute classifier: labelled renders of ShapesWorld scenes, random
 * mirrored batches, the three heads' losses, and Adam on a warm-up-then-cosine schedule. Apart
 * from the network (network.ts) because only scripts/train-shapes-classifier.ts and the tests
 * train it; evaluation loads the shipped weights (file.ts) and never needs this module.
 *
 * @example
 *   const classifier = createClassifier(0);
 *   await trainClassifier(classifier, renderLabelled(1, 20_000), { steps: 4000, onProgress: console.log });
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, type Rng } from '../../random.ts';
import { COLOR_NAMES, MIN_COUNT, SHAPE_NAMES } from '../attributes.ts';
import { shapesSceneAt } from '../index.ts';
import { renderScene } from '../render.ts';
import type { Scene } from '../sample.ts';
import { CLASSIFIER_HEADS as HEADS, CLASSIFIER_SIZE, type ClassifierLogits, type ImageAttributes, type ShapesClassifier } from './network.ts';

/** Labelled pictures at 32 px: the classifier's training and held-out sets. */
export interface LabelledImages {
  /** RGB [N, 32, 32, 3], row-major. */
  pixels: Uint8Array;
  /** What each picture truly shows. */
  truths: ImageAttributes[];
}

/** What a scene truly shows: its objects' shapes and colors (table order, no repeats) and their number. */
export function truthOf(scene: Scene): ImageAttributes {
  return {
    shapes: SHAPE_NAMES.filter((shape) => scene.objects.some((o) => o.shape === shape)),
    colors: COLOR_NAMES.filter((color) => scene.objects.some((o) => o.color === color)),
    count: scene.objects.length,
  };
}

/** Scenes start … start + n − 1 of the ShapesWorld run `seed` (the scenes `shapes-generate` draws), rendered at 32 px. */
export function renderLabelled(seed: number, n: number, start = 0): LabelledImages {
  const side = CLASSIFIER_SIZE * CLASSIFIER_SIZE * 3;
  const pixels = new Uint8Array(n * side);
  const truths: ImageAttributes[] = [];
  for (let i = 0; i < n; i++) {
    const { scene } = shapesSceneAt(seed, start + i, 0);
    pixels.set(renderScene(scene, CLASSIFIER_SIZE), i * side);
    truths.push(truthOf(scene));
  }
  return { pixels, truths };
}

/** RGB bytes [N, 32, 32, 3] → a tensor in [−1, 1], as the generator draws. */
export function pixelsToTensor(pixels: Uint8Array, n = pixels.length / (CLASSIFIER_SIZE * CLASSIFIER_SIZE * 3)): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from(pixels, (v) => v / 127.5 - 1),
    [n, CLASSIFIER_SIZE, CLASSIFIER_SIZE, 3],
  );
}

/** Training options. */
export interface TrainOptions {
  /** Optimiser steps; the learning rate follows a cosine from `learningRate` down to 0 over them. */
  steps: number;
  /** Stops sooner when this many seconds have passed; the cosine then follows elapsed time. */
  maxSeconds?: number;
  /** Pictures per step (small batches, many steps: 8 reached a higher accuracy in the same time than 4, 16 or 32). */
  batchSize?: number;
  /** Adam's step size after warm-up. */
  learningRate?: number;
  /** Seed of the batch draws and flips. */
  seed?: number;
  /** Called every `progressEvery` steps and after the last. */
  onProgress?: (progress: TrainProgress) => void;
  progressEvery?: number;
}

/** Where training stands. */
export interface TrainProgress {
  step: number;
  steps: number;
  /** The latest batch's loss (sum of the three heads' losses). */
  loss: number;
  learningRate: number;
  seconds: number;
}

const TRAIN_DEFAULTS = { batchSize: 8, learningRate: 2e-3, seed: 0, progressEvery: 50 } as const;
/** Steps of linear learning-rate warm-up, at most (a tenth of the steps in short runs); no normalisation layers make the first steps fragile. */
const WARMUP_STEPS = 100;

/** Adam whose step size can change between steps (the cosine schedule). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/** Targets of one batch. */
interface Batch {
  x: tf.Tensor4D; // [B, 32, 32, 3] in [−1, 1]
  shapes: tf.Tensor2D; // [B, 6] multi-hot
  colors: tf.Tensor2D; // [B, 8] multi-hot
  count: tf.Tensor2D; // [B, 3] one-hot
}

/** A random batch; each picture mirrored left–right with probability ½ (every shape's label survives a mirror). */
function sampleBatch(data: LabelledImages, batchSize: number, rng: Rng): Batch {
  const s = CLASSIFIER_SIZE;
  const x = new Float32Array(batchSize * s * s * 3);
  const [shapes, colors, count] = [new Float32Array(batchSize * HEADS.shapes), new Float32Array(batchSize * HEADS.colors), new Float32Array(batchSize * HEADS.count)];
  for (let b = 0; b < batchSize; b++) {
    const i = Math.floor(rng() * data.truths.length);
    const mirror = rng() < 0.5;
    for (let p = 0; p < s * s; p++) {
      const source = mirror ? p - (p % s) + (s - 1 - (p % s)) : p;
      for (let c = 0; c < 3; c++) x[(b * s * s + p) * 3 + c] = data.pixels[(i * s * s + source) * 3 + c]! / 127.5 - 1;
    }
    const truth = data.truths[i]!;
    for (const shape of truth.shapes) shapes[b * HEADS.shapes + SHAPE_NAMES.indexOf(shape)] = 1;
    for (const color of truth.colors) colors[b * HEADS.colors + COLOR_NAMES.indexOf(color)] = 1;
    count[b * HEADS.count + truth.count - MIN_COUNT] = 1;
  }
  return {
    x: tf.tensor4d(x, [batchSize, s, s, 3]),
    shapes: tf.tensor2d(shapes, [batchSize, HEADS.shapes]),
    colors: tf.tensor2d(colors, [batchSize, HEADS.colors]),
    count: tf.tensor2d(count, [batchSize, HEADS.count]),
  };
}

/** Logistic loss summed over classes, mean over the batch: relu(x) − x·z + log(1 + e^−|x|)  (= softplus(x) − x·z). */
function sigmoidCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const perClass = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(perClass), logits.shape[0]);
}

/** Softmax cross-entropy, mean over the batch: logsumexp(x) − x·z  (= −log softmax(x)_target). */
function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, targets), 1)));
}

/** The training loss: the three heads' losses added. */
export function classifierLoss(out: ClassifierLogits, batch: Omit<Batch, 'x'>): tf.Scalar {
  return tf.addN([sigmoidCrossEntropy(out.shapes, batch.shapes), sigmoidCrossEntropy(out.colors, batch.colors), softmaxCrossEntropy(out.count, batch.count)]);
}

/** The step size at `step` (1-based) and training fraction t ∈ [0, 1): linear warm-up, then ½(1 + cos πt). */
const scheduledRate = (base: number, step: number, warmup: number, t: number): number => base * Math.min(1, step / warmup) * 0.5 * (1 + Math.cos(Math.PI * t));

/** Trains the classifier in place with Adam on `data`; resolves with the last progress. */
export async function trainClassifier(classifier: ShapesClassifier, data: LabelledImages, options: TrainOptions): Promise<TrainProgress> {
  const o = { ...TRAIN_DEFAULTS, ...options };
  if (data.truths.length === 0) throw new RangeError('trainClassifier: no training pictures');
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new RangeError(`trainClassifier: steps must be a positive integer, got ${o.steps}`);
  const rng = mulberry32(o.seed);
  const warmup = Math.min(WARMUP_STEPS, Math.ceil(o.steps / 10));
  const optimizer = new ScheduledAdam(o.learningRate, 0.9, 0.999, 1e-8);
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const fraction = (step: number): number => Math.max(step / o.steps, o.maxSeconds ? elapsed() / o.maxSeconds : 0);
  let progress: TrainProgress = { step: 0, steps: o.steps, loss: Number.NaN, learningRate: 0, seconds: 0 };
  for (let step = 1; ; step++) {
    const learningRate = scheduledRate(o.learningRate, step, warmup, fraction(step - 1));
    optimizer.setLearningRate(learningRate);
    const batch = sampleBatch(data, o.batchSize, rng);
    const loss = optimizer.minimize(() => classifierLoss(classifier.logits(batch.x), batch), true, classifier.variables())!;
    tf.dispose([batch.x, batch.shapes, batch.colors, batch.count]);
    const done = fraction(step) >= 1;
    if (step % o.progressEvery === 0 || done) {
      progress = { step, steps: o.steps, loss: (await loss.data())[0]!, learningRate, seconds: elapsed() };
      o.onProgress?.(progress);
    }
    loss.dispose();
    if (done) break;
  }
  optimizer.dispose();
  return progress;
}
