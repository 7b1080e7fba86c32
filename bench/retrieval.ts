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
import { TopKSearch } from '../main/engine/top-k.ts';

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

/** GFLOP/s of a bare ONNX Runtime MatMul [rows, D] × [D, words]: the machine's reference rate. */
async function bareMatMulRate(rows: number, words: number): Promise<number> {
  const g = new OnnxGraphBuilder();
  g.node('MatMul', ['a', 'b'], {}, 'c');
  const session = await ort.InferenceSession.create(
    g.toModel('matmul', [{ name: 'a', elemType: 'float32', shape: [rows, DIM] }, { name: 'b', elemType: 'float32', shape: [DIM, words] }], [{ name: 'c', elemType: 'float32', shape: [rows, words] }]),
  );
  const a = new ort.Tensor('float32', unitRows(rows, 1), [rows, DIM]);
  const b = new ort.Tensor('float32', unitRows(words, 2), [DIM, words]);
  await session.run({ a, b }); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await session.run({ a, b });
    times.push(performance.now() - started);
  }
  await session.release();
  const medianMs = times.sort((x, y) => x - y)[2]!;
  return (2 * rows * DIM * words) / (medianMs * 1e6);
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

  // Stage 2 alone: top-k words of every image in every vocabulary.
  const started = performance.now();
  for (const vocabulary of vocabularies) {
    const search = await TopKSearch.create(vocabulary.features, DIM);
    await search.query(imageFeatures, K);
    await search.dispose();
  }
  const similaritySeconds = (performance.now() - started) / 1000;
  const similarityGflops = (2 * images * DIM * words) / (similaritySeconds * 1e9);
  process.stderr.write(`retrieval: top-${K} of ${words} words for ${images} images in ${similaritySeconds.toFixed(1)} s (${similarityGflops.toFixed(1)} GFLOP/s)\n`);
  const referenceGflops = await bareMatMulRate(256, words);

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
    pipeline: { seconds: pipelineSeconds, distinctPrompts: result.distinctPrompts, naivePrompts: result.naivePrompts, fewerEncodings: result.naivePrompts / result.distinctPrompts },
  };
}
