/**
 * Encoder throughput: images/s and texts/s through the whole pipeline (`loadClipOnnx`:
 * decode, resize, crop, normalise, tokenise, run, L2-normalise) against a bare ONNX Runtime
 * session fed the already-prepared tensors, on the same inputs and batch size.
 */
import * as ort from 'onnxruntime-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIP_PRESETS, type ClipConfig } from '../main/engine/clip/config.ts';
import { writeClipOnnx } from '../main/engine/clip/onnx-export.ts';
import { randomClipWeights } from '../main/engine/clip/weights.ts';
import { loadClipOnnx } from '../main/engine/encoders/clip-onnx.ts';
import { loadClipTokenizer, writeClipTokenizerFiles } from '../main/engine/encoders/clip-tokenizer.ts';
import type { ImageSource } from '../main/engine/encoders/encoder.ts';
import { clipPreprocessorConfig } from '../main/engine/clip/preprocessor-config.ts';
import { canonicalCaption, mulberry32, renderScene, sampleScene } from '../main/engine/shapes/index.ts';

export interface EncoderFigures {
  model: string;
  batchSize: number;
  images: { count: number; pipelinePerSecond: number; barePerSecond: number; ratio: number };
  texts: { count: number; pipelinePerSecond: number; barePerSecond: number; ratio: number };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  await run(); // warm-up
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

/** A CLIP folder with ViT-B/32's architecture and random weights (real weights cannot be fetched here). */
export async function writeRandomVitB32(dir: string): Promise<void> {
  const words = ['a', 'photo', 'of', 'red', 'circle', 'two', 'blue', 'squares', 'on', 'gray', 'background'];
  const tokenizer = await writeClipTokenizerFiles(dir, words, { contextLength: 77 });
  const base = CLIP_PRESETS['vit-b32'];
  const config: ClipConfig = { vision: base.vision, text: { ...base.text, eosTokenId: tokenizer.eosTokenId } };
  await writeClipOnnx(dir, config, randomClipWeights(config, { seed: 1 }));
  await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify(clipPreprocessorConfig(224)));
}

export async function benchEncoder(dir: string, model: string, count = 64, batchSize = 32): Promise<EncoderFigures> {
  const rng = mulberry32(7);
  const scenes = Array.from({ length: count }, () => sampleScene(rng));
  const sources: ImageSource[] = scenes.map((scene) => ({ kind: 'raw', data: renderScene(scene, 64), width: 64, height: 64, channels: 3 }));
  const texts = scenes.map(canonicalCaption);
  const encoder = await loadClipOnnx(dir, { batchSize });
  const vision = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'));
  const text = await ort.InferenceSession.create(join(dir, 'onnx', 'text_model.onnx'));
  try {
    const side = encoder.imageSize;
    const pixels = new Float32Array(batchSize * 3 * side * side).map((_, i) => Math.sin(i)); // prepared tensors: only the run is timed
    const tokenizer = await loadClipTokenizer(dir, { contextLength: encoder.contextLength });
    const ids = await tokenizer.encodeBatch(texts.slice(0, batchSize), { padToContext: true });
    const idTensor = new ort.Tensor('int64', BigInt64Array.from(ids.data, BigInt), [batchSize, ids.length]);
    const feeds: Record<string, ort.Tensor> = { input_ids: idTensor };
    if (text.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(batchSize * ids.length).fill(1n), [batchSize, ids.length]);
    const batches = Math.ceil(count / batchSize);

    const pipelineImages = await timed(() => encoder.encodeImages(sources));
    const bareImages = await timed(async () => {
      for (let b = 0; b < batches; b++) await vision.run({ pixel_values: new ort.Tensor('float32', pixels, [batchSize, 3, side, side]) });
    });
    const pipelineTexts = await timed(() => encoder.encodeTexts(texts));
    const bareTexts = await timed(async () => {
      for (let b = 0; b < batches; b++) await text.run(feeds);
    });
    const figures = (pipeline: number, bare: number) => ({ count, pipelinePerSecond: count / pipeline, barePerSecond: count / bare, ratio: bare / pipeline });
    return { model, batchSize, images: figures(pipelineImages, bareImages), texts: figures(pipelineTexts, bareTexts) };
  } finally {
    await encoder.dispose();
    await vision.release();
    await text.release();
  }
}

/** Figures for the shipped demo model and for a model of ViT-B/32's size. */
export async function encoderFigures(shapesClipDir: string): Promise<EncoderFigures[]> {
  const results = [await benchEncoder(shapesClipDir, 'shapes-clip', 256, 64)];
  const dir = await mkdtemp(join(tmpdir(), 'lafite-bench-b32-'));
  try {
    await writeRandomVitB32(dir);
    results.push(await benchEncoder(dir, 'vit-b32 architecture, random weights', 64, 32));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
