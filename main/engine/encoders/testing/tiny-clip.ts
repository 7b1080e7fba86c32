/**
 * Test fixtures: a tiny CLIP folder in the Hugging Face ONNX layout, with graphs small
 * enough to compute by hand, so loaders can be checked against a direct computation.
 *
 *   text:   input_ids [N, S] ─Gather(E [V, D])→ [N, S, D] ─masked mean over S→ [N, D] ─MatMul(Wt [D, P])→ text_embeds [N, P]
 *   vision: pixel_values [N, 3, H, W] ─Reshape→ [N, 3HW] ─MatMul(Wv [3HW, P])→ image_embeds [N, P]
 *
 * Embeddings are unnormalised, as HF exports are. Options make broken variants (wrong input
 * names, dtypes, dims) for the loader's validation tests.
 *
 * @example
 *   const clip = await writeTinyClipFolder(dir, { words: ['red', 'circle'] });
 *   const expected = tinyTextReference(clip, ids, mask, 2, clip.contextLength);
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnnxGraphBuilder, type OnnxValue } from '../../clip/onnx-builder.ts';
import { writeClipTokenizerFiles, type ClipTokenizerInfo } from '../clip-tokenizer.ts';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, clipPreprocessorConfig } from '../../clip/preprocessor-config.ts';

/** CLIP's normalisation constants (OpenAI's preprocessing). */
export { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, clipPreprocessorConfig };

export interface TinyClipOptions {
  /** Words that become single tokens. */
  words?: readonly string[];
  /** Tokens per text (CLIP: 77). */
  contextLength?: number;
  /** Image side after resize and crop. */
  imageSize?: number;
  /** Token embedding width D. */
  hiddenSize?: number;
  /** Text feature dimension P. */
  projectionDim?: number;
  /** Image feature dimension (default: projectionDim; another value makes a broken folder). */
  visionProjectionDim?: number;
  /** Seed of the weights. */
  seed?: number;
  /** Whether the text graph takes `attention_mask` (a masked mean) or not (a plain mean). */
  attentionMask?: boolean;
  /** Tensor names and types, overridable to make broken variants. */
  textInputName?: string;
  textInputType?: 'int64' | 'float32';
  textOutputName?: string;
  visionInputName?: string;
  visionOutputName?: string;
}

/** What the fixture wrote, with its weights for reference computations. */
export interface TinyClip {
  dir: string;
  tokenizer: ClipTokenizerInfo;
  contextLength: number;
  imageSize: number;
  hiddenSize: number;
  projectionDim: number;
  visionProjectionDim: number;
  attentionMask: boolean;
  tokenEmbedding: Float32Array; // [V, D]
  textProjection: Float32Array; // [D, P]
  visionProjection: Float32Array; // [3·H·W, Pv]
}

/** Uniform values in [-1, 1) from a seeded linear congruential generator. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = (seed * 2654435761 + 12345) >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** The tiny text graph; `inputType` float32 casts to int64 first (a model with a wrong input dtype that still loads). */
export function buildTinyTextOnnx(clip: Omit<TinyClip, 'dir' | 'tokenizer'>, names: { input: string; output: string; inputType: 'int64' | 'float32' }): Uint8Array {
  const g = new OnnxGraphBuilder();
  const { hiddenSize: d, projectionDim: p } = clip;
  const vocab = clip.tokenEmbedding.length / d;
  g.initializer('token_embedding', [vocab, d], clip.tokenEmbedding);
  g.initializer('text_projection', [d, p], clip.textProjection);
  const ids = names.inputType === 'int64' ? names.input : g.node('Cast', [names.input], { to: { i: 7 } }); // 7 = INT64
  const tokens = g.node('Gather', ['token_embedding', ids], { axis: { i: 0 } }); // [N, S, D]
  let pooled: string;
  if (clip.attentionMask) {
    const mask = g.node('Unsqueeze', [g.node('Cast', ['attention_mask'], { to: { i: 1 } }), g.int64([2])]); // [N, S, 1] float
    const sum = g.node('ReduceSum', [g.node('Mul', [tokens, mask]), g.int64([1])], { keepdims: { i: 0 } }); // [N, D]
    const count = g.node('ReduceSum', [mask, g.int64([1])], { keepdims: { i: 0 } }); // [N, 1]
    pooled = g.node('Div', [sum, count]); // Σ_s m_s e_s / Σ_s m_s
  } else {
    pooled = g.node('ReduceMean', [tokens], { axes: { ints: [1] }, keepdims: { i: 0 } }); // [N, D]
  }
  g.node('MatMul', [pooled, 'text_projection'], {}, names.output); // [N, P]
  const inputs: OnnxValue[] = [{ name: names.input, elemType: names.inputType, shape: ['batch_size', 'sequence_length'] }];
  const maskInput: OnnxValue = { name: 'attention_mask', elemType: 'int64', shape: ['batch_size', 'sequence_length'] };
  return g.toModel('tiny_text', clip.attentionMask ? [...inputs, maskInput] : inputs, [{ name: names.output, elemType: 'float32', shape: ['batch_size', p] }]);
}

/** The tiny vision graph: a linear map of the flattened pixels. */
export function buildTinyVisionOnnx(clip: Omit<TinyClip, 'dir' | 'tokenizer'>, names: { input: string; output: string }): Uint8Array {
  const g = new OnnxGraphBuilder();
  const s = clip.imageSize;
  g.initializer('visual_projection', [3 * s * s, clip.visionProjectionDim], clip.visionProjection);
  const flat = g.node('Reshape', [names.input, g.int64([0, -1])]); // [N, 3·H·W]
  g.node('MatMul', [flat, 'visual_projection'], {}, names.output); // [N, Pv]
  return g.toModel(
    'tiny_vision',
    [{ name: names.input, elemType: 'float32', shape: ['batch_size', 3, s, s] }],
    [{ name: names.output, elemType: 'float32', shape: ['batch_size', clip.visionProjectionDim] }],
  );
}

/** Writes a complete tiny CLIP folder (onnx/, tokenizer files, preprocessor_config.json, config.json). */
export async function writeTinyClipFolder(dir: string, options: TinyClipOptions = {}): Promise<TinyClip> {
  const words = options.words ?? ['a', 'red', 'green', 'blue', 'circle', 'square', 'photo', 'of'];
  const contextLength = options.contextLength ?? 8;
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const tokenizer = await writeClipTokenizerFiles(dir, words, { contextLength });
  const hiddenSize = options.hiddenSize ?? 4;
  const projectionDim = options.projectionDim ?? 6;
  const visionProjectionDim = options.visionProjectionDim ?? projectionDim;
  const imageSize = options.imageSize ?? 8;
  const seed = options.seed ?? 1;
  const clip: TinyClip = {
    dir,
    tokenizer,
    contextLength,
    imageSize,
    hiddenSize,
    projectionDim,
    visionProjectionDim,
    attentionMask: options.attentionMask ?? true,
    tokenEmbedding: seededValues(tokenizer.vocabSize * hiddenSize, seed),
    textProjection: seededValues(hiddenSize * projectionDim, seed + 1),
    visionProjection: seededValues(3 * imageSize * imageSize * visionProjectionDim, seed + 2),
  };
  const text = { input: options.textInputName ?? 'input_ids', output: options.textOutputName ?? 'text_embeds', inputType: options.textInputType ?? 'int64' };
  const vision = { input: options.visionInputName ?? 'pixel_values', output: options.visionOutputName ?? 'image_embeds' };
  await writeFile(join(dir, 'onnx', 'text_model.onnx'), buildTinyTextOnnx(clip, text));
  await writeFile(join(dir, 'onnx', 'vision_model.onnx'), buildTinyVisionOnnx(clip, vision));
  await writeFile(join(dir, 'preprocessor_config.json'), `${JSON.stringify(clipPreprocessorConfig(imageSize), null, 2)}\n`);
  const config = {
    model_type: 'clip',
    projection_dim: projectionDim,
    text_config: { vocab_size: tokenizer.vocabSize, max_position_embeddings: contextLength, eos_token_id: tokenizer.eosTokenId },
    vision_config: { image_size: imageSize },
  };
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return clip;
}

/** text_embeds of the tiny text graph computed directly: (Σ_s m_s E[ids_s] / Σ_s m_s) · Wt. */
export function tinyTextReference(clip: TinyClip, ids: ArrayLike<number>, mask: ArrayLike<number>, n: number, seq: number): Float32Array {
  const { hiddenSize: d, projectionDim: p } = clip;
  const out = new Float32Array(n * p);
  for (let row = 0; row < n; row++) {
    const pooled = new Float64Array(d);
    let weight = 0;
    for (let s = 0; s < seq; s++) {
      const m = clip.attentionMask ? mask[row * seq + s]! : 1;
      const id = ids[row * seq + s]!;
      for (let k = 0; k < d; k++) pooled[k]! += m * clip.tokenEmbedding[id * d + k]!;
      weight += m;
    }
    for (let j = 0; j < p; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += (pooled[k]! / weight) * clip.textProjection[k * p + j]!;
      out[row * p + j] = sum;
    }
  }
  return out;
}

/** image_embeds of the tiny vision graph computed directly: flatten(pixels) · Wv. */
export function tinyVisionReference(clip: TinyClip, pixels: Float32Array, n: number): Float32Array {
  const inner = 3 * clip.imageSize * clip.imageSize;
  const p = clip.visionProjectionDim;
  const out = new Float32Array(n * p);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < p; j++) {
      let sum = 0;
      for (let k = 0; k < inner; k++) sum += pixels[row * inner + k]! * clip.visionProjection[k * p + j]!;
      out[row * p + j] = sum;
    }
  }
  return out;
}

/** CLIP's normalisation of RGB bytes at the model's size: NCHW, (v/255 − mean_c)/std_c. */
export function clipNormalise(rgb: Uint8Array, size: number): Float32Array {
  const out = new Float32Array(3 * size * size); // [3, H, W]
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < size * size; i++) out[c * size * size + i] = (rgb[i * 3 + c]! / 255 - CLIP_IMAGE_MEAN[c]!) / CLIP_IMAGE_STD[c]!;
  }
  return out;
}

/** Rows scaled to unit L2 norm (a copy). */
export function l2NormaliseRows(data: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let row = 0; row * dim < data.length; row++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += data[row * dim + k]! ** 2;
    const scale = 1 / Math.sqrt(norm);
    for (let k = 0; k < dim; k++) out[row * dim + k] = data[row * dim + k]! * scale;
  }
  return out;
}
