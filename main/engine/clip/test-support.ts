/**
 * Helpers for the CLIP tests: error measures, ONNX Runtime sessions, reduced configs with the
 * real ViT-B/32 and B/16 structure, and token ids shaped like CLIP's (EOS then padding).
 */
import * as ort from 'onnxruntime-node';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIP_PRESETS, type ClipConfig } from './config.ts';
import { normalSampler } from './weights.ts';

/** ‖a − b‖ / ‖b‖ and max|a − b| / max|b|. */
export function relativeErrors(a: ArrayLike<number>, b: ArrayLike<number>): { rel: number; maxRel: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let norm = 0;
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    diff += d * d;
    norm += b[i]! * b[i]!;
    maxDiff = Math.max(maxDiff, Math.abs(d));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { rel: Math.sqrt(diff / norm), maxRel: maxDiff / scale };
}

/** A reduced CLIP with ViT-B/`patch` structure (224 px, patch 32 or 16, 77 tokens, 49408 vocab). */
export function reducedBaseConfig(patchSize: 32 | 16): ClipConfig {
  const base = CLIP_PRESETS[patchSize === 32 ? 'vit-b32' : 'vit-b16'];
  return {
    vision: { ...base.vision, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 256, projectionDim: 32 },
    text: { ...base.text, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 256, projectionDim: 32 },
  };
}

export function randomPixels(n: number, size: number, seed: number): Float32Array {
  const normal = normalSampler(seed);
  return Float32Array.from({ length: n * 3 * size * size }, () => normal());
}

/** Token rows like CLIP's tokenizer output: BOS-ish tokens, an EOS at `eosAt[i]`, then `pad`. */
export function tokenRows(eosAt: readonly number[], seq: number, vocab: number, eos: number, pad: number, seed: number): number[] {
  const normal = normalSampler(seed);
  const ids: number[] = [];
  for (const at of eosAt) {
    for (let j = 0; j < seq; j++) {
      if (j < at) ids.push(1 + (Math.floor(Math.abs(normal()) * 7919) % (vocab - 2)));
      else ids.push(j === at ? eos : pad);
    }
  }
  return ids;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lafite-clip-'));
}

/** Runs the vision ONNX model on NCHW pixels. */
export async function runVisionOnnx(file: string, pixels: Float32Array, n: number, size: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [n, 3, size, size]) });
    return out.image_embeds!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Runs the text ONNX model on int64 ids with an all-ones attention mask. */
export async function runTextOnnx(file: string, ids: readonly number[], n: number, seq: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [n, seq]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n * seq).fill(1n), [n, seq]),
    };
    const out = await session.run(feeds);
    return out.text_embeds!.data as Float32Array;
  } finally {
    await session.release();
  }
}
