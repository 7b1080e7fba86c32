/**
 * Tests of the ShapesWorld attribute classifier and of attribute accuracy: head shapes, the
 * resize to 32 px, a few training steps, the weights file's round trip, the prompt parser on
 * every caption wording, the accuracies on constructed inputs, and the shipped classifier's
 * accuracy on held-out renders (seed 3: training used 1, its held-out measurement 2).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.ts';
import { allCaptions, mulberry32, sampleScene, sceneAttributes } from '../index.ts';
import { builtinModelDir } from '../../../store/paths.ts';
import { askedOfScene, attributeAccuracy, classifierAccuracy, parseShapesPrompt, type AskedAttributes } from '../attribute-accuracy.ts';
import {
  CLASSIFIER_FILE,
  SHAPES_CLASSIFIER_ID,
  conv3x3,
  createClassifier,
  loadClassifier,
  pixelsToTensor,
  readClassifierFile,
  renderLabelled,
  saveClassifier,
  toClassifierSize,
  trainClassifier,
  type ImageAttributes,
} from './index.ts';

const SHIPPED = join(builtinModelDir(SHAPES_CLASSIFIER_ID), CLASSIFIER_FILE);
/** Scene seed of the shipped classifier's check: neither its training seed nor its held-out seed. */
const TEST_SEED = 3;
let dir: string;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'shapes-classifier-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ShapesClassifier', () => {
  it('has three heads of 6, 8 and 3 outputs and classifies pictures of any side', async () => {
    const classifier = createClassifier(0);
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1) as tf.Tensor4D;
    const out = classifier.logits(x);
    expect([out.shapes.shape, out.colors.shape, out.count.shape]).toEqual([
      [2, 6],
      [2, 8],
      [2, 3],
    ]);
    const big = tf.randomUniform([3, 64, 64, 3], -1, 1) as tf.Tensor4D;
    for (const result of await classifier.classify(big)) {
      expect(result.shapes.length).toBeGreaterThan(0);
      expect(result.colors.length).toBeGreaterThan(0);
      expect([1, 2, 3]).toContain(result.count);
    }
    tf.dispose([x, big, out.shapes, out.colors, out.count]);
    classifier.dispose();
  });

  it("conv3x3's gradients match tfjs's own conv2d gradients", () => {
    const x = tf.randomNormal([3, 7, 7, 5], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 5, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const r = tf.randomNormal([3, 7, 7, 4], 0, 1, 'float32', 3); // a random linear read-out of the output
    const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), r));
    const ours = tf.grads(loss(conv3x3))([x, w]);
    const theirs = tf.grads(loss((a, b) => tf.conv2d(a, b, 1, 'same')))([x, w]);
    expect(Array.from(conv3x3(x, w).dataSync())).toEqual(Array.from(tf.conv2d(x, w, 1, 'same').dataSync()));
    for (const k of [0, 1]) {
      const relative = tf.norm(tf.sub(ours[k]!, theirs[k]!)).dataSync()[0]! / tf.norm(theirs[k]!).dataSync()[0]!;
      expect(relative).toBeLessThan(1e-5);
    }
    tf.dispose([x, w, r, ...ours, ...theirs]);
  });

  it('resizes 64 px pictures by the mean of 2×2 blocks', () => {
    const x = tf.randomUniform([1, 64, 64, 3]) as tf.Tensor4D;
    const small = toClassifierSize(x);
    expect(small.shape).toEqual([1, 32, 32, 3]);
    const pixels = x.arraySync()[0]!;
    const block = (pixels[10]![20]![1]! + pixels[10]![21]![1]! + pixels[11]![20]![1]! + pixels[11]![21]![1]!) / 4;
    expect(small.arraySync()[0]![5]![10]![1]).toBeCloseTo(block, 5);
    tf.dispose([x, small]);
  });

  it('lowers its loss in a few training steps on a few dozen renders', async () => {
    const classifier = createClassifier(1);
    const losses: number[] = [];
    const last = await trainClassifier(classifier, renderLabelled(5, 48), { steps: 12, batchSize: 8, seed: 1, progressEvery: 1, onProgress: (p) => losses.push(p.loss) });
    expect(last.step).toBe(12);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.slice(-3).reduce((a, b) => a + b)).toBeLessThan(losses.slice(0, 3).reduce((a, b) => a + b));
    classifier.dispose();
  });

  it('writes a weights file that loads back to identical outputs, with its meta', async () => {
    const classifier = createClassifier(2);
    const path = join(dir, 'model', 'classifier.bin');
    await saveClassifier(classifier, path, { trainSeed: 2, note: 'test' });
    const loaded = await loadClassifier(path);
    const x = pixelsToTensor(renderLabelled(6, 4).pixels);
    const [a, b] = [classifier.logits(x), loaded.logits(x)];
    for (const head of ['shapes', 'colors', 'count'] as const) expect(Array.from(b[head].dataSync())).toEqual(Array.from(a[head].dataSync()));
    expect((await readClassifierFile(path)).meta).toEqual({ trainSeed: 2, note: 'test' });
    tf.dispose([x, ...Object.values(a), ...Object.values(b)]);
    classifier.dispose();
    loaded.dispose();
  });

  it('refuses a weights file changed or grown after it was written (sizes and checksum)', async () => {
    const classifier = createClassifier(3);
    const path = join(dir, 'model', 'damaged.bin');
    await saveClassifier(classifier, path);
    classifier.dispose();
    const bytes = await readFile(path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5]! ^= 0xff;
    await writeFile(path, flipped);
    await expect(readClassifierFile(path)).rejects.toThrow(/damaged\.bin is damaged: its weights do not match the checksum/);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(8)]));
    await expect(readClassifierFile(path)).rejects.toThrow(/8 bytes past its last weight/);
  });

  it('refuses a file that is not a classifier weights file, naming it', async () => {
    const path = join(dir, 'not-weights.bin');
    await writeFile(path, 'hello, world');
    await expect(loadClassifier(path)).rejects.toThrow(/not-weights\.bin is not a shapes classifier weights file/);
  });

  it.skipIf(!existsSync(SHIPPED))('ships a classifier that is right on ≥ 98 % of held-out renders, per head', async () => {
    const { meta } = await readClassifierFile(SHIPPED);
    expect([meta.trainSeed, meta.heldoutSeed]).not.toContain(TEST_SEED);
    const classifier = await loadClassifier(SHIPPED);
    const data = renderLabelled(TEST_SEED, 200);
    const images = pixelsToTensor(data.pixels);
    const accuracy = classifierAccuracy(await classifier.classify(images), data.truths);
    images.dispose();
    classifier.dispose();
    expect(accuracy.shapeAccuracy).toBeGreaterThanOrEqual(0.98);
    expect(accuracy.colorAccuracy).toBeGreaterThanOrEqual(0.98);
    expect(accuracy.countAccuracy).toBeGreaterThanOrEqual(0.98);
  });
});

describe('parseShapesPrompt', () => {
  it('reads shape, color, count, size and background from hand-written wordings', () => {
    expect(parseShapesPrompt('a red circle')).toEqual({ shape: 'circle', color: 'red', count: 1 });
    expect(parseShapesPrompt('two blue squares')).toEqual({ shape: 'square', color: 'blue', count: 2 });
    expect(parseShapesPrompt('Three small green stars on a beige background')).toEqual({ shape: 'star', color: 'green', count: 3, size: 'small', background: 'beige' });
    expect(parseShapesPrompt('an orange heart')).toEqual({ shape: 'heart', color: 'orange', count: 1 });
    expect(parseShapesPrompt('3 crosses in white')).toEqual({ shape: 'cross', color: 'white', count: 3 });
    expect(parseShapesPrompt('a light gray background with a single large purple triangle')).toEqual({
      shape: 'triangle',
      color: 'purple',
      count: 1,
      size: 'large',
      background: 'light gray',
    });
  });

  it('reads every caption wording of ShapesWorld back to its scene', () => {
    const rng = mulberry32(11);
    for (let i = 0; i < 40; i++) {
      const scene = sampleScene(rng);
      const truth = sceneAttributes(scene);
      for (const caption of allCaptions(scene)) {
        const asked = parseShapesPrompt(caption);
        expect({ shape: asked.shape, color: asked.color, count: asked.count }, caption).toEqual({ shape: truth.shape, color: truth.color, count: truth.count });
        if (asked.size) expect(asked.size, caption).toBe(truth.size);
        expect(asked.background ?? truth.background, caption).toBe(truth.background);
      }
    }
  });

  it('refuses prompts without a shape or color, with two of either, or plural without a count', () => {
    expect(() => parseShapesPrompt('a red dog')).toThrow(/names no ShapesWorld shape/);
    expect(() => parseShapesPrompt('a circle')).toThrow(/names no object color/);
    expect(() => parseShapesPrompt('a red circle and a blue circle')).toThrow(/more than one color/);
    expect(() => parseShapesPrompt('red circles')).toThrow(/says not how many/);
  });
});

describe('attribute accuracy', () => {
  const asked: AskedAttributes[] = [
    { shape: 'circle', color: 'red', count: 2 },
    { shape: 'star', color: 'blue', count: 1 },
    { shape: 'heart', color: 'green', count: 3 },
    { shape: 'cross', color: 'black', count: 1 },
  ];
  const predicted: ImageAttributes[] = [
    { shapes: ['circle'], colors: ['red'], count: 2 }, // all right
    { shapes: ['circle', 'star'], colors: ['blue'], count: 2 }, // shape present among two, color right, count wrong
    { shapes: ['heart'], colors: ['yellow'], count: 3 }, // color wrong
    { shapes: ['square'], colors: ['black', 'white'], count: 1 }, // shape wrong
  ];

  it('counts an asked attribute as right when it is among the predicted ones, and the count when equal', () => {
    expect(attributeAccuracy(predicted, asked)).toEqual({ images: 4, shapeAccuracy: 0.75, colorAccuracy: 0.75, countAccuracy: 0.75, allAccuracy: 0.25 });
  });

  it('takes what a scene spec asks from the scene', () => {
    const scene = sampleScene(mulberry32(4));
    const truth = sceneAttributes(scene);
    expect(askedOfScene(scene)).toEqual({ shape: truth.shape, color: truth.color, count: truth.count, size: truth.size, background: truth.background });
  });

  it("scores the classifier's heads by set equality against the truth", () => {
    const truths: ImageAttributes[] = asked.map((a) => ({ shapes: [a.shape], colors: [a.color], count: a.count }));
    expect(classifierAccuracy(predicted, truths)).toEqual({ images: 4, shapeAccuracy: 0.5, colorAccuracy: 0.5, countAccuracy: 0.75, exact: 0.25 });
  });

  it('refuses lists of different lengths', () => {
    expect(() => attributeAccuracy(predicted, asked.slice(1))).toThrow(RangeError);
  });
});
