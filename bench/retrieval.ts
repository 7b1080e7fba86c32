/**
 * Retrieval at real CLIP size (Lafite2 §3.1): 512-d features, 49,408 vocabulary entries in
 * four vocabularies, 10,000 images, k = 5. Images of one domain resemble each other: they are
 * drawn around 100 random scene centres (cosine about 0.97 to their centre), so neighbours
 * share top words as real photos of a domain do. Measures wall time per stage; the similarity
 * stage's GFLOP/s against a bare ONNX Runtime matrix product of the same shape (the best
 * float32 product rate of this machine); and the prompt encodings needed against the naive
 * per-image count. Features are random unit vectors and the "encoder" hashes each prompt to a
 * vector (no CLIP weights can be downloaded here): it counts encodings, it does not judge them.
 * Sizes: LAFITE_BENCH_RETRIEVAL_IMAGES, LAFITE_BENCH_RETRIEVAL_WORDS.
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../main/engine/clip/onnx-builder.ts';
import { mulberry32 } from '../main/engine/random.ts';
import { retrievePrompts, type VocabularyFeatures } from '../main/engine/pseudo/retrieval.ts';
import { parseTemplate } from '../main/engine/pseudo/templates.ts';
import { TOP_K_CHUNK_ROWS, TopKSearch } from '../main/engine/top-k.ts';
import { loadClipOnnx } from '../main/engine/encoders/clip-onnx.ts';
import { SHAPES_CLIP_ID } from '../main/engine/shapes/clip.ts';
import { vocabularyNames } from '../main/engine/pseudo/vocabulary.ts';
import { loadDefaultTemplateSet, loadDefaultVocabularySet } from '../main/jobs/vocabulary-sets.ts';
import { generateShapes, sceneAttributes, SHAPES } from '../main/engine/shapes/index.ts';
import { builtinModelDir } from '../main/store/paths.ts';

const DIM = 512;
const K = 5;
/** Shares of CLIP's whole words per category (roughly what the categoriser makes of them). */
const SHARES = { Noun: 0.55, Adjective: 0.25, Verb: 0.15, Numeral: 0.05 } as const;

function unitRows(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += (out[i * DIM + d] = rng() * 2 - 1) ** 2;
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < DIM; d++) out[i * DIM + d]! *= scale;
  }
  return out;
}

/** A deterministic stand-in text encoder: each prompt's sha256 seeds its vector. */
async function hashEncoder(prompts: readonly string[]): Promise<Float32Array> {
  const out = new Float32Array(prompts.length * DIM);
  prompts.forEach((prompt, i) => out.set(unitRows(1, createHash('sha256').update(prompt).digest().readUInt32LE(0)), i * DIM));
  return out;
}

/** GFLOP/s of bare ONNX Runtime MatMuls of the same chunks (TOP_K_CHUNK_ROWS images × each vocabulary): the reference rate. */
async function bareMatMulRate(images: Float32Array, vocabularies: readonly VocabularyFeatures[]): Promise<number> {
  const g = new OnnxGraphBuilder();
  g.node('MatMul', ['a', 'b'], {}, 'c');
  const session = await ort.InferenceSession.create(
    g.toModel(
      'matmul',
      [
        { name: 'a', elemType: 'float32', shape: ['rows', DIM] },
        { name: 'b', elemType: 'float32', shape: [DIM, 'words'] },
      ],
      [{ name: 'c', elemType: 'float32', shape: ['rows', 'words'] }],
    ),
  );
  const n = images.length / DIM;
  let flops = 0;
  let ms = 0;
  for (const vocabulary of vocabularies) {
    const count = vocabulary.entries.length;
    const b = new ort.Tensor('float32', new Float32Array(vocabulary.features.length), [DIM, count]); // the values do not change the time
    for (let start = 0; start < n; start += TOP_K_CHUNK_ROWS) {
      const rows = Math.min(TOP_K_CHUNK_ROWS, n - start);
      const a = new ort.Tensor('float32', images.subarray(start * DIM, (start + rows) * DIM), [rows, DIM]);
      const started = performance.now();
      await session.run({ a, b });
      ms += performance.now() - started;
      flops += 2 * rows * DIM * count;
    }
  }
  await session.release();
  return flops / (ms * 1e6);
}

/** Images around `scenes` centres: centre + noise of a quarter of its norm, normalised (cosine ≈ 0.97 to the centre). */
function clusteredImages(images: number, scenes: number): Float32Array {
  const centres = unitRows(scenes, 4);
  const noise = unitRows(images, 5);
  const out = new Float32Array(images * DIM);
  for (let i = 0; i < images; i++) {
    const c = i % scenes;
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += (out[i * DIM + d] = centres[c * DIM + d]! + 0.25 * noise[i * DIM + d]!) ** 2;
    for (let d = 0; d < DIM; d++) out[i * DIM + d]! /= Math.sqrt(norm);
  }
  return out;
}

export async function retrievalFigures(images = Number(process.env.LAFITE_BENCH_RETRIEVAL_IMAGES ?? 10_000), words = Number(process.env.LAFITE_BENCH_RETRIEVAL_WORDS ?? 49_408)) {
  const imageFeatures = clusteredImages(images, 100);
  let offset = 0;
  const vocabularies: VocabularyFeatures[] = Object.entries(SHARES).map(([slot, share], v) => {
    const count = v === 3 ? words - offset : Math.round(words * share);
    offset += count;
    return { slot, entries: Array.from({ length: count }, (_, i) => `${slot.toLowerCase()}${i}`), features: unitRows(count, 10 + v) };
  });

  // Stage 2 alone (top-k words of every image in every vocabulary), against a bare ONNX Runtime
  // product over the same chunks just before it; the better of two rounds of each.
  let similaritySeconds = Infinity;
  let referenceGflops = 0;
  for (let round = 0; round < 2; round++) {
    referenceGflops = Math.max(referenceGflops, await bareMatMulRate(imageFeatures, vocabularies));
    const started = performance.now();
    for (const vocabulary of vocabularies) {
      const search = await TopKSearch.create(vocabulary.features, DIM);
      await search.query(imageFeatures, K);
      await search.dispose();
    }
    similaritySeconds = Math.min(similaritySeconds, (performance.now() - started) / 1000);
  }
  const similarityGflops = (2 * images * DIM * words) / (similaritySeconds * 1e9);
  process.stderr.write(
    `retrieval: top-${K} of ${words} words for ${images} images in ${similaritySeconds.toFixed(1)} s (${similarityGflops.toFixed(1)} GFLOP/s; bare ONNX Runtime product ${referenceGflops.toFixed(1)})\n`,
  );

  // Stages 2 to 4 with the paper's COCO template, iterative mode.
  const known = new Set(Object.keys(SHARES));
  const templates = [parseTemplate('{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}', known)];
  const pipelineStarted = performance.now();
  const result = await retrievePrompts({ images: imageFeatures, dim: DIM, templates, vocabularies, encode: hashEncoder, options: { k: K, m: 5, mode: 'iterative', keepCore: 3 } });
  const pipelineSeconds = (performance.now() - pipelineStarted) / 1000;
  return {
    images,
    words,
    dim: DIM,
    k: K,
    similarity: { seconds: similaritySeconds, gflops: similarityGflops, bareOnnxMatMulGflops: referenceGflops, fractionOfBareRate: similarityGflops / referenceGflops },
    pipeline: {
      seconds: pipelineSeconds,
      distinctPrompts: result.distinctPrompts,
      naivePrompts: result.naivePrompts,
      fewerEncodings: result.naivePrompts / result.distinctPrompts,
    },
  };
}

/** Words that state a count in ShapesWorld's captions (and its vocabulary's numerals). */
const COUNT_SAYS: Record<number, readonly string[]> = { 1: ['one', 'a', 'an', 'single'], 2: ['two', 'pair', 'couple'], 3: ['three'] };

/**
 * Retrieval with a real encoder: N ShapesWorld renders through the built-in shapes-clip and the
 * shapes vocabulary set (iterative mode, k = 5): distinct prompt encodings against the naive
 * per-image count, and how often the best prompt names the drawn color, shape and count.
 */
export async function shapesRetrievalFigures(n = Number(process.env.LAFITE_BENCH_SHAPES_IMAGES ?? 2000)) {
  const encoder = await loadClipOnnx(builtinModelDir(SHAPES_CLIP_ID), { id: SHAPES_CLIP_ID });
  try {
    const samples = [...generateShapes({ n, size: 64, seed: 4242 })];
    const images = await encoder.encodeImages(samples.map((s) => ({ kind: 'raw', data: s.pixels, width: 64, height: 64, channels: 3 })));
    const set = await loadDefaultVocabularySet('shapes');
    const known = vocabularyNames(set);
    const templates = (await loadDefaultTemplateSet('shapes', known)).templates.map((t) => parseTemplate(t, known));
    const cache = new Map<string, Float32Array>();
    const encode = async (texts: readonly string[]): Promise<Float32Array> => {
      const missing = texts.filter((t) => !cache.has(t));
      if (missing.length > 0) {
        const features = await encoder.encodeTexts(missing, { batchSize: 256 });
        missing.forEach((t, i) => cache.set(t, features.data.slice(i * features.dim, (i + 1) * features.dim)));
      }
      const out = new Float32Array(texts.length * images.dim);
      texts.forEach((t, i) => out.set(cache.get(t)!, i * images.dim));
      return out;
    };
    const vocabularies: VocabularyFeatures[] = [];
    for (const v of set.vocabularies) vocabularies.push({ slot: v.name, entries: v.entries, features: await encode(v.entries) });
    const started = performance.now();
    const result = await retrievePrompts({ images: images.data, dim: images.dim, templates, vocabularies, encode, options: { k: 5, m: 5, mode: 'iterative', keepCore: 3 } });
    const seconds = (performance.now() - started) / 1000;
    const right = { color: 0, shape: 0, count: 0 };
    samples.forEach((sample, i) => {
      const words = new Set((result.perImage[i]![0]?.prompt ?? '').split(/[\s,]+/));
      const truth = sceneAttributes(sample.scene);
      if (truth.color.split(' ').every((w) => words.has(w))) right.color += 1;
      if (words.has(SHAPES[truth.shape].word) || words.has(SHAPES[truth.shape].plural)) right.shape += 1;
      if (COUNT_SAYS[truth.count]!.some((w) => words.has(w))) right.count += 1;
    });
    return {
      images: n,
      encoder: SHAPES_CLIP_ID,
      seconds,
      distinctPrompts: result.distinctPrompts,
      naivePrompts: result.naivePrompts,
      fewerEncodings: result.naivePrompts / result.distinctPrompts,
      bestPromptNames: { color: right.color / n, shape: right.shape / n, count: right.count / n },
    };
  } finally {
    await encoder.dispose();
  }
}
