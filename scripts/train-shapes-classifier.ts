/**
 * Trains the ShapesWorld attribute classifier (main/engine/shapes/classifier/index.ts), the
 * judge of attribute accuracy, on the wasm backend; measures it on held-out renders of another
 * seed and writes its weights to resources/models/shapes-classifier/classifier.bin.
 *
 *   npx tsx scripts/train-shapes-classifier.ts [--minutes 15] [--steps 100000] [--train 30000] [--heldout 2000]
 *                                              [--batch 8] [--lr 2e-3] [--seed 1] [--heldout-seed 2] [--out FILE]
 *
 * Half the pictures of each set are rendered straight at 32 px; the other half go the way a
 * generator's training images go: rendered at 64 px (`shapes-generate`'s default size),
 * cropped to 256 px on import (`dataset import`'s default, sharp `cover`), then resized to
 * 32 px for training (sharp `fill`, main/jobs/training-data.ts). Prints JSON on stdout:
 * per-head accuracy (a head is right when its predicted set equals the true set), overall and
 * for each of the two ways, with the steps and seconds trained.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { initBackend } from '../main/engine/backend.ts';
import { classifierAccuracy, type ClassifierAccuracy } from '../main/engine/shapes/attribute-accuracy.ts';
import {
  CLASSIFIER_FILE,
  CLASSIFIER_SIZE,
  SHAPES_CLASSIFIER_ID,
  createClassifier,
  loadClassifier,
  pixelsToTensor,
  renderLabelled,
  saveClassifier,
  trainClassifier,
  truthOf,
  type ImageAttributes,
  type LabelledImages,
  type ShapesClassifier,
} from '../main/engine/shapes/classifier/index.ts';
import { renderScene, shapesSceneAt } from '../main/engine/shapes/index.ts';
import { builtinModelDir } from '../main/store/paths.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string' }, // wall-clock budget of training (default 15 unless --steps is given)
    steps: { type: 'string' }, // optimiser steps (the cosine schedule's length; default 100000)
    train: { type: 'string', default: '30000' }, // training pictures
    heldout: { type: 'string', default: '2000' }, // held-out pictures
    batch: { type: 'string', default: '8' }, // pictures per step
    lr: { type: 'string', default: '2e-3' },
    seed: { type: 'string', default: '1' }, // scene seed of the training pictures (and of weights and batches)
    'heldout-seed': { type: 'string', default: '2' }, // scene seed of the held-out pictures
    out: { type: 'string', default: join(builtinModelDir(SHAPES_CLASSIFIER_ID), CLASSIFIER_FILE) },
  },
});

/** Generator training images' path: rendered at this side, cropped to the import side, then resized to 32 px. */
const GENERATE_SIZE = 64;
const IMPORT_SIZE = 256;

const log = (message: string): void => void process.stderr.write(`${message}\n`);

/** A positive integer option, or an error naming it. */
function positiveInteger(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

/** Scenes start … start + n − 1 of run `seed`, through the dataset path (64 px render → 256 px crop → 32 px). */
async function renderThroughDataset(seed: number, n: number, start: number): Promise<LabelledImages> {
  const side = CLASSIFIER_SIZE * CLASSIFIER_SIZE * 3;
  const pixels = new Uint8Array(n * side);
  const truths: ImageAttributes[] = [];
  for (let i = 0; i < n; i++) {
    const { scene } = shapesSceneAt(seed, start + i, 0);
    const raw = { raw: { width: GENERATE_SIZE, height: GENERATE_SIZE, channels: 3 as const } };
    const crop = await sharp(renderScene(scene, GENERATE_SIZE), raw).resize(IMPORT_SIZE, IMPORT_SIZE, { fit: 'cover', position: 'centre' }).raw().toBuffer();
    const small = await sharp(crop, { raw: { width: IMPORT_SIZE, height: IMPORT_SIZE, channels: 3 } })
      .resize(CLASSIFIER_SIZE, CLASSIFIER_SIZE, { fit: 'fill' })
      .raw()
      .toBuffer();
    pixels.set(small, i * side);
    truths.push(truthOf(scene));
  }
  return { pixels, truths };
}

/** Half direct renders (scenes 0 … n/2 − 1), half through the dataset path (the next n/2 scenes). */
async function mixedSet(seed: number, n: number): Promise<{ direct: LabelledImages; dataset: LabelledImages }> {
  const half = Math.floor(n / 2);
  return { direct: renderLabelled(seed, half), dataset: await renderThroughDataset(seed, n - half, half) };
}

const join2 = (a: LabelledImages, b: LabelledImages): LabelledImages => {
  const pixels = new Uint8Array(a.pixels.length + b.pixels.length);
  pixels.set(a.pixels);
  pixels.set(b.pixels, a.pixels.length);
  return { pixels, truths: [...a.truths, ...b.truths] };
};

async function accuracyOn(classifier: ShapesClassifier, data: LabelledImages): Promise<ClassifierAccuracy> {
  const images = pixelsToTensor(data.pixels);
  const predicted = await classifier.classify(images);
  images.dispose();
  return classifierAccuracy(predicted, data.truths);
}

async function main(): Promise<void> {
  const steps = positiveInteger('steps', args.steps ?? '100000');
  const minutes = args.minutes !== undefined ? Number(args.minutes) : args.steps !== undefined ? undefined : 15;
  const seed = positiveInteger('seed', args.seed);
  const heldoutSeed = positiveInteger('heldout-seed', args['heldout-seed']);
  if (seed === heldoutSeed) throw new Error('--heldout-seed must differ from --seed');
  await initBackend('wasm');

  let started = performance.now();
  const train = await mixedSet(seed, positiveInteger('train', args.train));
  const heldout = await mixedSet(heldoutSeed, positiveInteger('heldout', args.heldout));
  log(
    `rendered ${train.direct.truths.length + train.dataset.truths.length} training and ${heldout.direct.truths.length + heldout.dataset.truths.length} held-out pictures in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const classifier = createClassifier(seed);
  log(`classifier: ${classifier.parameterCount()} parameters; training ${minutes !== undefined ? `for ${minutes} min` : `${steps} steps`}`);
  started = performance.now();
  const last = await trainClassifier(classifier, join2(train.direct, train.dataset), {
    steps,
    ...(minutes !== undefined ? { maxSeconds: minutes * 60 } : {}),
    batchSize: positiveInteger('batch', args.batch),
    learningRate: Number(args.lr),
    seed,
    progressEvery: 500,
    onProgress: (p) => log(`step ${p.step}  loss ${p.loss.toFixed(4)}  lr ${p.learningRate.toExponential(2)}  ${p.seconds.toFixed(0)} s`),
  });

  const direct = await accuracyOn(classifier, heldout.direct);
  const dataset = await accuracyOn(classifier, heldout.dataset);
  const overall = await accuracyOn(classifier, join2(heldout.direct, heldout.dataset));
  const report = { ...overall, direct, dataset, steps: last.step, trainingSeconds: Math.round(last.seconds), parameters: classifier.parameterCount(), seed, heldoutSeed };
  await saveClassifier(classifier, args.out!, {
    trainSeed: seed,
    heldoutSeed,
    steps: last.step,
    trainingSeconds: Math.round(last.seconds),
    trainPictures: train.direct.truths.length + train.dataset.truths.length,
    heldoutShapeAccuracy: overall.shapeAccuracy,
    heldoutColorAccuracy: overall.colorAccuracy,
    heldoutCountAccuracy: overall.countAccuracy,
    heldoutExact: overall.exact,
  });
  await checkRoundTrip(classifier, heldout.direct);
  classifier.dispose();
  log(`wrote ${args.out} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** Loads the written file back and checks that it classifies a few pictures the same way. */
async function checkRoundTrip(classifier: ShapesClassifier, data: LabelledImages): Promise<void> {
  const few: LabelledImages = { pixels: data.pixels.subarray(0, 64 * CLASSIFIER_SIZE * CLASSIFIER_SIZE * 3), truths: data.truths.slice(0, 64) };
  const reloaded = await loadClassifier(args.out!);
  const [a, b] = [await accuracyOn(classifier, few), await accuracyOn(reloaded, few)];
  reloaded.dispose();
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`the written file classifies differently: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

await main();
