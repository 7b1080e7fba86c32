/**
 * The ShapesWorld attribute classifier: a small CNN that reads which shapes and which object
 * colors a 32 px picture holds and how many objects it has. It is the judge of ShapesWorld
 * attribute accuracy (attribute-accuracy.ts), our analogue of SOA (Hinz et al. 2020), which
 * runs an object detector on generated images and checks the objects their captions name.
 * scripts/train-shapes-classifier.ts trains it on rendered scenes and ships the weights.
 *
 * Network (plain tf ops on tf.variable weights, 127,361 parameters):
 *   x [N, 32, 32, 3] in [−1, 1]
 *   → space-to-depth (each 2×2 pixel block becomes 12 channels)               → [N, 16, 16, 12]
 *   → 3×3 conv + ReLU: 32 ch, 48 ch, 64 ch, then a 2×2 mean                    → [N, 8, 8, 64]
 *   → 3×3 conv + ReLU: 96 ch                                                    → [N, 8, 8, 96]
 *   → [mean ‖ max] over the 8×8 positions                                       → [N, 192]
 *   → dense 128 + ReLU → three linear heads: shapes 6 (sigmoid, multi-label),
 *     colors 8 (sigmoid, multi-label), count 3 (softmax over 1, 2, 3)
 * Only stride-1 convolutions, reshape-and-mean pooling and global pooling, with the
 * convolution's gradients written here as forward convolutions (see `conv3x3`): on the wasm
 * backend that made a training step about 2.5× faster than tfjs's gradient kernels.
 *
 * @example
 *   const classifier = await loadClassifier(SHIPPED_CLASSIFIER_PATH);
 *   const [first] = await classifier.classify(images);  // images [N, H, W, 3] in [−1, 1]
 *   first;  // { shapes: ['star'], colors: ['red'], count: 2 }
 *   classifier.dispose();
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { invalidInput } from '../../contract/errors.ts';
import { writeFileDurably } from '../durable-file.ts';
import { COLOR_NAMES, MIN_COUNT, MAX_COUNT, SHAPE_NAMES, type ColorName, type ShapeName } from '../shapes/attributes.ts';
import { mulberry32, tfSeed, type Rng } from '../random.ts';
import { shapesSceneAt } from '../shapes/index.ts';
import { renderScene } from '../shapes/render.ts';
import type { Scene } from '../shapes/sample.ts';

/** Side of the classifier's input in pixels (the `shapes` generator preset's resolution). */
export const CLASSIFIER_SIZE = 32;
/** Number of count classes: MIN_COUNT … MAX_COUNT. */
export const COUNT_CLASSES = MAX_COUNT - MIN_COUNT + 1;

/** What the classifier reads off one picture. */
export interface ImageAttributes {
  /** Shapes present (probability > 0.5, else the most likely one), in table order. */
  shapes: ShapeName[];
  /** Object colors present (not the background), as for shapes. */
  colors: ColorName[];
  /** Number of objects, MIN_COUNT … MAX_COUNT. */
  count: number;
}

/** The heads' raw outputs. */
export interface ClassifierLogits {
  shapes: tf.Tensor2D; // [N, 6]
  colors: tf.Tensor2D; // [N, 8]
  count: tf.Tensor2D; // [N, 3]
}

/** One convolution of the trunk. */
interface ConvSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  /** Halve the side after it (2×2 mean). */
  poolAfter: boolean;
}

const CONVS: readonly ConvSpec[] = [
  { name: 'conv1', inChannels: 12, outChannels: 32, poolAfter: false }, // [N, 16, 16, 12] → [N, 16, 16, 32]
  { name: 'conv2', inChannels: 32, outChannels: 48, poolAfter: false }, // → [N, 16, 16, 48]
  { name: 'conv3', inChannels: 48, outChannels: 64, poolAfter: true }, // → [N, 16, 16, 64] → [N, 8, 8, 64]
  { name: 'conv4', inChannels: 64, outChannels: 96, poolAfter: false }, // → [N, 8, 8, 96]
];
const KERNEL = 3;
const PAD = (KERNEL - 1) / 2;
const POOLED = 2 * CONVS[CONVS.length - 1]!.outChannels; // mean ‖ max
const HIDDEN = 128; // → [N, 128]
const HEADS = { shapes: SHAPE_NAMES.length, colors: COLOR_NAMES.length, count: COUNT_CLASSES } as const;
/** Pictures per forward pass in `classify` (bounds memory for large inputs). */
const CLASSIFY_BATCH = 256;

/** A variable holding `initial`, which is then released (tf.variable shares its data). */
function variableOf(initial: tf.Tensor): tf.Variable {
  const variable = tf.variable(initial, true);
  initial.dispose();
  return variable;
}

/** Every weight's name and shape, in a fixed order (the file format lists them the same way). */
export function weightShapes(): Array<[name: string, shape: number[]]> {
  const shapes: Array<[string, number[]]> = [];
  for (const c of CONVS) shapes.push([`${c.name}.weight`, [KERNEL, KERNEL, c.inChannels, c.outChannels]], [`${c.name}.bias`, [c.outChannels]]);
  shapes.push(['hidden.weight', [POOLED, HIDDEN]], ['hidden.bias', [HIDDEN]]);
  for (const [head, size] of Object.entries(HEADS)) shapes.push([`${head}.weight`, [HIDDEN, size]], [`${head}.bias`, [size]]);
  return shapes;
}

/**
 * Images of any square side → [N, 32, 32, 3]: a mean over k×k blocks when the side is k·32
 * (area resampling, no aliasing), bilinear otherwise.
 */
export function toClassifierSize(images: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  if (h === CLASSIFIER_SIZE && w === CLASSIFIER_SIZE) return images.clone();
  if (h === w && h % CLASSIFIER_SIZE === 0) {
    const k = h / CLASSIFIER_SIZE;
    return tf.tidy(() => tf.mean(tf.reshape(images, [n, CLASSIFIER_SIZE, k, CLASSIFIER_SIZE, k, c]), [2, 4]) as tf.Tensor4D);
  }
  return tf.image.resizeBilinear(images, [CLASSIFIER_SIZE, CLASSIFIER_SIZE], false, true);
}

/**
 * [N, 32, 32, 3] → [N, 16, 16, 12]: each 2×2 block of pixels becomes one position's channels
 * (lossless; the first 3×3 convolution then sees 6×6 pixels, at a quarter of the positions).
 */
function spaceToDepth(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const blocks = tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]);
  return tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [n, h / 2, w / 2, 4 * c]);
}

/**
 * dW of a 3×3 'same' convolution, as one forward convolution with batch and channels swapped:
 * dW[i, j, ci, co] = Σ_{n,y,x} xpad[n, y + i, x + j, ci] · dy[n, y, x, co]
 *                  = conv2d(xpadᵀ [Ci, H + 2, W + 2, N], dyᵀ [H, W, N, Co])   → [Ci, 3, 3, Co].
 * On the wasm backend this ran 3–9× faster than the registered Conv2DBackpropFilter (same
 * result to 3e-6 relative), whose per-tap slices took most of a training step.
 */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const padded = tf.pad(x, [[0, 0], [PAD, PAD], [PAD, PAD], [0, 0]]);
  const xT = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H + 2, W + 2, N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, Co]
  return tf.transpose(tf.conv2d(xT, dyT, 1, 'valid'), [1, 2, 0, 3]); // [3, 3, Ci, Co]
}

/** dx of a stride-1 'same' convolution: dy convolved with the filter flipped in space, its channels swapped. */
const inputGradient = (dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D =>
  tf.conv2d(dy, tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same');

/** A 3×3 stride-1 'same' convolution with the gradients above. */
export const conv3x3 = tf.customGrad((x, filter, save) => {
  const [xs, ws] = [x as tf.Tensor4D, filter as tf.Tensor4D];
  (save as tf.GradSaveFunc)([xs, ws]);
  return {
    value: tf.conv2d(xs, ws, 1, 'same'),
    gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => [inputGradient(dy, saved[1] as tf.Tensor4D), filterGradient(saved[0] as tf.Tensor4D, dy)],
  };
}) as (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D;

/** ×2 downsampling by the mean of 2×2 blocks (a reshape and a mean: its gradient is a broadcast). */
function meanPool2x(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.mean(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D;
}

/** Indices whose probability exceeds 0.5, or the most likely one when none does. */
function present(probabilities: Float32Array, offset: number, size: number): number[] {
  const row = probabilities.subarray(offset, offset + size);
  const chosen = [...row.keys()].filter((k) => row[k]! > 0.5);
  return chosen.length > 0 ? chosen : [row.indexOf(Math.max(...row))];
}

/** The classifier: its named weights and forward pass. Holds tensors: call dispose(). */
export class ShapesClassifier {
  constructor(readonly weights: ReadonlyMap<string, tf.Variable>) {
    for (const [name, shape] of weightShapes()) {
      const weight = weights.get(name);
      if (!weight || weight.shape.join() !== shape.join()) throw new Error(`ShapesClassifier: weight ${name} must have shape [${shape}], got ${weight ? `[${weight.shape}]` : 'none'}`);
    }
  }

  private w(name: string): tf.Tensor {
    return this.weights.get(name)!;
  }

  /** x [N, 32, 32, 3] in [−1, 1] → the heads' logits. */
  logits(x: tf.Tensor4D): ClassifierLogits {
    return tf.tidy(() => {
      let h = spaceToDepth(x); // [N, 16, 16, 12]
      for (const c of CONVS) {
        h = tf.relu(tf.add(conv3x3(h, this.w(`${c.name}.weight`) as tf.Tensor4D), this.w(`${c.name}.bias`))) as tf.Tensor4D;
        if (c.poolAfter) h = meanPool2x(h);
      }
      const pooled = tf.concat([tf.mean(h, [1, 2]), tf.max(h, [1, 2])], 1); // [N, 192]
      const hidden = tf.relu(tf.add(tf.matMul(pooled, this.w('hidden.weight') as tf.Tensor2D), this.w('hidden.bias'))); // [N, 128]
      const head = (name: keyof typeof HEADS): tf.Tensor2D => tf.add(tf.matMul(hidden, this.w(`${name}.weight`) as tf.Tensor2D), this.w(`${name}.bias`));
      return { shapes: head('shapes'), colors: head('colors'), count: head('count') };
    });
  }

  /** Probabilities of every head, one row per image: [shapes 6 ‖ colors 8 ‖ count 3]. */
  private probabilities(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.logits(toClassifierSize(images));
      return tf.concat([tf.sigmoid(out.shapes), tf.sigmoid(out.colors), tf.softmax(out.count)], 1);
    });
  }

  /** images [N, H, W, 3] in [−1, 1] (any square side; 32 is native) → what each shows. */
  async classify(images: tf.Tensor4D): Promise<ImageAttributes[]> {
    const results: ImageAttributes[] = [];
    const [shapes, colors, counts] = [HEADS.shapes, HEADS.colors, HEADS.count];
    const width = shapes + colors + counts;
    for (let start = 0; start < images.shape[0]; start += CLASSIFY_BATCH) {
      const size = Math.min(CLASSIFY_BATCH, images.shape[0] - start);
      const p = tf.tidy(() => this.probabilities(tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1])));
      const data = (await p.data()) as Float32Array;
      p.dispose();
      for (let row = 0; row < size * width; row += width) {
        const countRow = data.subarray(row + shapes + colors, row + width);
        results.push({
          shapes: present(data, row, shapes).map((k) => SHAPE_NAMES[k]!),
          colors: present(data, row + shapes, colors).map((k) => COLOR_NAMES[k]!),
          count: MIN_COUNT + countRow.indexOf(Math.max(...countRow)),
        });
      }
    }
    return results;
  }

  /** Trainable weights, in file order. */
  variables(): tf.Variable[] {
    return weightShapes().map(([name]) => this.weights.get(name)!);
  }

  /** Number of weights (scalars). */
  parameterCount(): number {
    return this.variables().reduce((sum, v) => sum + v.size, 0);
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}

/** A classifier with He-initialised weights (N(0, 2/fanIn)) and zero biases, fixed by `seed`. */
export function createClassifier(seed: number): ShapesClassifier {
  const weights = new Map<string, tf.Variable>();
  weightShapes().forEach(([name, shape], i) => {
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const initial = shape.length === 1 ? tf.zeros(shape) : tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', tfSeed(seed * 100 + i));
    weights.set(name, variableOf(initial));
  });
  return new ShapesClassifier(weights);
}

/** A classifier holding the given weights (copied into new variables). */
export function classifierFromWeights(values: ReadonlyMap<string, Float32Array>): ShapesClassifier {
  const weights = new Map<string, tf.Variable>();
  for (const [name, shape] of weightShapes()) {
    const data = values.get(name);
    if (!data) throw new Error(`classifierFromWeights: no weight ${name}`);
    weights.set(name, variableOf(tf.tensor(data, shape)));
  }
  return new ShapesClassifier(weights);
}

// ───────────────────────────── Labelled renders ─────────────────────────────

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
  return tf.tensor4d(Float32Array.from(pixels, (v) => v / 127.5 - 1), [n, CLASSIFIER_SIZE, CLASSIFIER_SIZE, 3]);
}

// ───────────────────────────── Training ─────────────────────────────

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

// ───────────────────────────── Weights file ─────────────────────────────

/** The shipped classifier: resources/models/<id>/<file>. */
export const SHAPES_CLASSIFIER_ID = 'shapes-classifier';
export const CLASSIFIER_FILE = 'classifier.bin';

/**
 * File layout: "LSC1", header length L (uint32 LE), L bytes of JSON header, zero padding to a
 * multiple of 4, then every weight as float32 LE in header order.
 */
const MAGIC = 'LSC1';
const FORMAT = 'lafite-shapes-classifier';

/** What a weights file says about itself and its training. */
export type ClassifierMeta = Record<string, string | number>;

interface FileHeader {
  format: typeof FORMAT;
  version: 1;
  inputSize: number;
  shapes: readonly string[];
  colors: readonly string[];
  weights: Array<{ name: string; shape: number[] }>;
  meta: ClassifierMeta;
  /** Hex sha256 of the weight bytes (files written before it have none, and are checked for sizes only). */
  sha256?: string;
}

/** Writes the weights (and `meta`, and their checksum) to `path` atomically: a fsynced temporary file, then a rename. */
export async function saveClassifier(classifier: ShapesClassifier, path: string, meta: ClassifierMeta = {}): Promise<void> {
  const names = weightShapes();
  const data: Buffer<ArrayBufferLike>[] = [];
  for (const v of classifier.variables()) {
    const values = (await v.data()) as Float32Array;
    data.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  const sha256 = createHash('sha256').update(Buffer.concat(data)).digest('hex');
  const header: FileHeader = { format: FORMAT, version: 1, inputSize: CLASSIFIER_SIZE, shapes: SHAPE_NAMES, colors: COLOR_NAMES, weights: names.map(([name, shape]) => ({ name, shape })), meta, sha256 };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8 + json.length + ((4 - (json.length % 4)) % 4));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 4);
  json.copy(prefix, 8);
  await writeFileDurably(path, Buffer.concat([prefix, ...data]));
}

/** A weights file's header, checked against this build's architecture and label tables. */
function parseHeader(bytes: Buffer<ArrayBufferLike>, path: string): { header: FileHeader; dataOffset: number } {
  const bad = (why: string) => invalidInput(`${path} is not a shapes classifier weights file of this version: ${why}`, 'path');
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) throw bad('wrong magic bytes');
  const length = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + length)) as FileHeader;
  if (header.format !== FORMAT || header.version !== 1 || header.inputSize !== CLASSIFIER_SIZE) throw bad('format, version or input size differ');
  if (header.shapes.join() !== SHAPE_NAMES.join() || header.colors.join() !== COLOR_NAMES.join()) throw bad('shape or color tables differ');
  const expected = weightShapes().map(([name, shape]) => `${name}:${shape}`).join();
  if (header.weights.map((w) => `${w.name}:${w.shape}`).join() !== expected) throw bad('the architecture differs');
  return { header, dataOffset: 8 + length + ((4 - (length % 4)) % 4) };
}

/** The weights and meta of a file written by saveClassifier. */
export async function readClassifierFile(path: string): Promise<{ weights: Map<string, Float32Array>; meta: ClassifierMeta }> {
  const bytes = await readFile(path);
  const { header, dataOffset } = parseHeader(bytes, path);
  const weights = new Map<string, Float32Array>();
  let offset = dataOffset;
  for (const { name, shape } of header.weights) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * size > bytes.length) throw invalidInput(`${path} is truncated (at weight ${name})`, 'path');
    weights.set(name, new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * size)));
    offset += 4 * size;
  }
  if (offset !== bytes.length) throw invalidInput(`${path} has ${bytes.length - offset} bytes past its last weight`, 'path');
  if (header.sha256 !== undefined && createHash('sha256').update(bytes.subarray(dataOffset)).digest('hex') !== header.sha256) {
    throw invalidInput(`${path} is damaged: its weights do not match the checksum written with them`, 'path');
  }
  return { weights, meta: header.meta };
}

/** A classifier from a file written by saveClassifier. */
export async function loadClassifier(path: string): Promise<ShapesClassifier> {
  return classifierFromWeights((await readClassifierFile(path)).weights);
}
