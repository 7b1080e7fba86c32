/**
 * The ShapesWorld attribute classifier: a small CNN that reads which shapes and which object
 * colors a 32 px picture holds and how many objects it has. It is the judge of ShapesWorld
 * attribute accuracy (../attribute-accuracy.ts), our analogue of SOA (Hinz et al. 2020), which
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
 * convolution's gradients written as forward convolutions (conv3x3.ts). This file is the
 * network alone: training is train.ts, the weights file file.ts.
 *
 * @example
 *   const classifier = await loadClassifier(SHIPPED_CLASSIFIER_PATH);
 *   const [first] = await classifier.classify(images);  // images [N, H, W, 3] in [−1, 1]
 *   first;  // { shapes: ['star'], colors: ['red'], count: 2 }
 *   classifier.dispose();
 */
import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../../random.ts';
import { COLOR_NAMES, MIN_COUNT, MAX_COUNT, SHAPE_NAMES, type ColorName, type ShapeName } from '../attributes.ts';
import { conv3x3 } from './conv3x3.ts';

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
const POOLED = 2 * CONVS[CONVS.length - 1]!.outChannels; // mean ‖ max
const HIDDEN = 128; // → [N, 128]
/** Classes per head. */
export const CLASSIFIER_HEADS = { shapes: SHAPE_NAMES.length, colors: COLOR_NAMES.length, count: COUNT_CLASSES } as const;
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
  for (const [head, size] of Object.entries(CLASSIFIER_HEADS)) shapes.push([`${head}.weight`, [HIDDEN, size]], [`${head}.bias`, [size]]);
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
      if (!weight || weight.shape.join() !== shape.join())
        throw new Error(`ShapesClassifier: weight ${name} must have shape [${shape}], got ${weight ? `[${weight.shape}]` : 'none'}`);
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
      const head = (name: keyof typeof CLASSIFIER_HEADS): tf.Tensor2D => tf.add(tf.matMul(hidden, this.w(`${name}.weight`) as tf.Tensor2D), this.w(`${name}.bias`));
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
    const [shapes, colors, counts] = [CLASSIFIER_HEADS.shapes, CLASSIFIER_HEADS.colors, CLASSIFIER_HEADS.count];
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
