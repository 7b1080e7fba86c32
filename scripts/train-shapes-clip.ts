/**
 * Trains `shapes-clip`, the demo CLIP of ShapesWorld, on the wasm backend, and writes it in
 * the Hugging Face ONNX layout to resources/models/shapes-clip (ONNX towers, tokenizer
 * files, preprocessor and model config), where `loadClipOnnx` loads it like a real CLIP.
 *
 *   npx tsx scripts/train-shapes-clip.ts [--minutes 16] [--batch 128] [--lr 2e-3] [--pool 20000] [--out DIR] [--seed 1]
 *                                        [--init DIR]   (continue from an earlier export: its config, weights and temperature)
 *                                        [--attribute-weight 1]  (auxiliary shape/color/count heads on the image embedding; 0: off)
 *                                        [--eval-every 0]  (steps between held-out zero-shot checks in the log)
 *
 * Then `lafite model eval shapes-clip --json` measures it on held-out renders.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../main/engine/backend.ts';
import { builtinModelDir } from '../main/store/paths.ts';
import { writeClipOnnx } from '../main/engine/clip/onnx-export.ts';
import { clipPreprocessorConfig } from '../main/engine/clip/preprocessor-config.ts';
import { readClipConfig, readClipWeightsFromOnnx } from '../main/engine/clip/onnx-import.ts';
import { nhwcToClipPixels, ClipTowers } from '../main/engine/clip/tfjs-model.ts';
import { ClipTrainer } from '../main/engine/clip/train.ts';
import { randomClipWeights } from '../main/engine/clip/weights.ts';
import { loadClipTokenizer, writeClipTokenizerFiles, type ClipTokenizer } from '../main/engine/encoders/clip-tokenizer.ts';
import type { Features } from '../main/engine/encoders/encoder.ts';
import { SHAPES_CLIP_CONTEXT, SHAPES_CLIP_ID, SHAPES_CLIP_IMAGE_SIZE, shapesClipConfig, shapesClipWords } from '../main/engine/shapes/clip.ts';
import { AttributeHeads } from '../main/engine/clip/attribute-heads.ts';
import { COLOR_NAMES, MAX_COUNT, SHAPE_NAMES, allCaptions, mulberry32, renderScene, sampleScene, sceneAttributes, type Scene } from '../main/engine/shapes/index.ts';
import { shapesZeroShot } from '../main/engine/shapes/clip-eval.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '16' },
    batch: { type: 'string', default: '128' },
    pool: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    lr: { type: 'string', default: '2e-3' },
    width: { type: 'string' },
    image: { type: 'string' },
    patch: { type: 'string' },
    init: { type: 'string' },
    group: { type: 'string', default: 'color' },
    layers: { type: 'string' },
    'attribute-weight': { type: 'string', default: '1' },
    'eval-every': { type: 'string', default: '0' },
    out: { type: 'string', default: builtinModelDir(SHAPES_CLIP_ID) },
  },
});
const minutes = Number(args.minutes);
const batchSize = Number(args.batch);
const poolSize = Number(args.pool);
const seed = Number(args.seed);
const size = Number(args.image ?? SHAPES_CLIP_IMAGE_SIZE);
/** Colors in a batch (see the batch sampler). */
const COLORS_PER_BATCH = 4;

const log = (message: string): void => void process.stderr.write(`${message}\n`);

/** A fixed pool of rendered scenes (training draws from it; captions vary every step). */
function renderPool(n: number, poolSeed: number): { scenes: Scene[]; pixels: Uint8Array } {
  const rng = mulberry32(poolSeed);
  const scenes: Scene[] = [];
  const pixels = new Uint8Array(n * size * size * 3);
  for (let i = 0; i < n; i++) {
    const scene = sampleScene(rng);
    scenes.push(scene);
    pixels.set(renderScene(scene, size), i * size * size * 3);
  }
  return { scenes, pixels };
}

/** Unit rows from a tower's output, batch by batch. */
async function embed(count: number, batch: number, run: (start: number, end: number) => tf.Tensor2D): Promise<Features> {
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < count; start += batch) {
    const out = tf.tidy(() => {
      const y = run(start, Math.min(count, start + batch));
      return tf.div(y, tf.norm(y, 2, 1, true));
    });
    dim = out.shape[1]!;
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  const data = new Float32Array(count * dim);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return { count, dim, data };
}

function tfjsEmbedders(towers: ClipTowers, tokenizer: ClipTokenizer) {
  return {
    images: (images: Uint8Array[], side: number) =>
      embed(images.length, 256, (start, end) => {
        const floats = new Float32Array((end - start) * side * side * 3);
        images.slice(start, end).forEach((image, i) => image.forEach((v, k) => (floats[i * image.length + k] = v / 255)));
        return towers.vision(nhwcToClipPixels(tf.tensor4d(floats, [end - start, side, side, 3])));
      }),
    texts: async (texts: string[]) => {
      const ids = await tokenizer.encodeBatch(texts);
      return embed(texts.length, 256, (start, end) => towers.text(tf.tensor2d(ids.data.subarray(start * ids.length, end * ids.length), [end - start, ids.length], 'int32')));
    },
  };
}

/** An earlier export to continue training from (the tokenizer written here must be the same). */
async function continueFrom(dir: string) {
  const config = await readClipConfig(dir);
  if (!config) throw new Error(`--init ${dir}: no config.json`);
  const meta = JSON.parse(await readFile(join(dir, 'lafite-model.json'), 'utf8')) as {
    finalLogitScale: number;
    totalSteps: number;
    totalPairsSeen: number;
    totalTrainingSeconds: number;
  };
  return { config, weights: await readClipWeightsFromOnnx(dir, config), logitScale: meta.finalLogitScale, meta };
}

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  log(`backend ${backend.id}; rendering ${poolSize} scenes at ${size} px`);
  const { scenes, pixels } = renderPool(poolSize, seed);
  const captionsOf = scenes.map((scene) => allCaptions(scene));
  // Batches are a few groups of images that share their color (`--group color`) or color,
  // size and count (`--group color-size-count`): within a group the other attributes must
  // tell the pairs apart. With random batches color alone explains most of the loss.
  const byGroup = new Map<string, number[]>();
  scenes.forEach((scene, i) => {
    const { color, size: objectSize, count } = sceneAttributes(scene);
    const key = args.group === 'color' ? color : `${color} ${objectSize} ${count}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), i]);
  });
  const colorGroups = [...byGroup.values()];

  // Read before the output folder is cleared: it may be the same folder.
  const earlier = args.init ? await continueFrom(args.init) : undefined;
  await rm(args.out!, { recursive: true, force: true });
  await mkdir(args.out!, { recursive: true });
  const tokenizerInfo = await writeClipTokenizerFiles(args.out!, shapesClipWords(), { contextLength: SHAPES_CLIP_CONTEXT });
  const tokenizer = await loadClipTokenizer(args.out!);
  const config = shapesClipConfig(tokenizerInfo.vocabSize, tokenizerInfo.eosTokenId);
  config.vision.imageSize = size;
  if (args.patch) config.vision.patchSize = Number(args.patch);
  // Experiments may change the width and depth of both towers.
  for (const tower of [config.vision, config.text]) {
    if (args.width) Object.assign(tower, { hiddenSize: Number(args.width), intermediateSize: 4 * Number(args.width) });
    if (args.layers) tower.layers = Number(args.layers);
  }
  if (earlier) Object.assign(config, earlier.config);
  const towers = ClipTowers.fromWeights(config, earlier?.weights ?? randomClipWeights(config, { seed }));
  const attributeWeight = Number(args['attribute-weight']);
  const heads =
    attributeWeight > 0 ? new AttributeHeads(config.vision.projectionDim, [SHAPE_NAMES.length, COLOR_NAMES.length, MAX_COUNT], { seed, weight: attributeWeight }) : undefined;
  const trainer = new ClipTrainer(towers, {
    learningRate: Number(args.lr),
    ...(earlier ? { initialTemperature: 1 / earlier.logitScale } : {}),
    ...(heads ? { auxiliaryVariables: heads.variables } : {}),
  });
  const labelsOf = scenes.map((scene) => {
    const { shape, color, count } = sceneAttributes(scene);
    return [SHAPE_NAMES.indexOf(shape), COLOR_NAMES.indexOf(color), count - 1];
  });
  const evalEvery = Number(args['eval-every']);

  const rng = mulberry32(seed + 1);
  const started = performance.now();
  const deadline = started + minutes * 60_000;
  const history: { step: number; loss: number; seconds: number }[] = [];
  let step = 0;
  let group: number[] = [];
  while (performance.now() < deadline) {
    const picks = Array.from({ length: batchSize }, (_, k) => {
      if (k % (batchSize / COLORS_PER_BATCH) === 0) group = colorGroups[Math.floor(rng() * colorGroups.length)]!;
      return group[Math.floor(rng() * group.length)]!;
    });
    const texts = picks.map((i) => captionsOf[i]![Math.floor(rng() * captionsOf[i]!.length)]!);
    const batchPixels = new Float32Array(batchSize * size * size * 3);
    picks.forEach((i, row) => {
      const image = pixels.subarray(i * size * size * 3, (i + 1) * size * size * 3);
      for (let k = 0; k < image.length; k++) batchPixels[row * image.length + k] = image[k]! / 255;
    });
    const ids = await tokenizer.encodeBatch(texts); // [B, S] padded to the longest in the batch
    const pixelValues = tf.tidy(() => nhwcToClipPixels(tf.tensor4d(batchPixels, [batchSize, size, size, 3])));
    const inputIds = tf.tensor2d(ids.data, [batchSize, ids.length], 'int32');
    const labels = tf.tensor2d(
      picks.flatMap((i) => labelsOf[i]!),
      [batchSize, 3],
      'int32',
    );
    const loss = await trainer.step(pixelValues, inputIds, heads ? (imageEmbeds) => heads.loss(imageEmbeds, labels) : undefined);
    tf.dispose([pixelValues, inputIds, labels]);
    step++;
    if (evalEvery > 0 && step % evalEvery === 0) {
      const embedders = tfjsEmbedders(towers, tokenizer);
      const check = await shapesZeroShot(embedders.images, embedders.texts, { seed: 999, n: 300, size });
      log(`step ${step}  zero-shot color ${check.colorAccuracy.toFixed(3)}  shape ${check.shapeAccuracy.toFixed(3)}`);
    }
    if (step % 10 === 0) {
      const seconds = (performance.now() - started) / 1000;
      history.push({ step, loss, seconds });
      log(`step ${step}  loss ${loss.toFixed(4)}  scale ${(await trainer.scale()).toFixed(1)}  ${((step * batchSize) / seconds).toFixed(0)} pairs/s`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const embedders = tfjsEmbedders(towers, tokenizer);
  const accuracy = await shapesZeroShot(embedders.images, embedders.texts, { seed: 999, n: 1000, size });
  log(`held-out zero-shot accuracy (TFJS): ${JSON.stringify(accuracy)}`);

  await writeClipOnnx(args.out!, config, await towers.toWeights());
  await writeFile(join(args.out!, 'preprocessor_config.json'), `${JSON.stringify(clipPreprocessorConfig(size), null, 2)}\n`);
  await writeFile(
    join(args.out!, 'lafite-model.json'),
    `${JSON.stringify(
      {
        id: 'shapes-clip',
        description: 'Demo CLIP of the ShapesWorld domain, trained by scripts/train-shapes-clip.ts',
        trainedAt: new Date().toISOString(),
        backend: backend.id,
        steps: step,
        batchSize,
        pairsSeen: step * batchSize,
        trainingSeconds: Math.round(seconds),
        // Over every segment when training continued from an earlier export (--init).
        totalSteps: step + (earlier?.meta.totalSteps ?? 0),
        totalPairsSeen: step * batchSize + (earlier?.meta.totalPairsSeen ?? 0),
        totalTrainingSeconds: Math.round(seconds) + (earlier?.meta.totalTrainingSeconds ?? 0),
        seed,
        batchGroups: `${COLORS_PER_BATCH} groups by ${args.group}`,
        attributeHeads: heads ? { attributes: ['shape', 'color', 'count'], weight: attributeWeight } : null,
        command: `npx tsx scripts/train-shapes-clip.ts ${process.argv.slice(2).join(' ')}`,
        finalLogitScale: await trainer.scale(),
        heldOutZeroShot: accuracy,
        lossHistory: history,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${args.out}: ${step} steps in ${seconds.toFixed(0)} s`);
  trainer.dispose();
  heads?.dispose();
  towers.dispose();
}

await main();
