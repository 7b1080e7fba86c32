/**
 * CLIP's two towers (Radford et al. 2021, §2.4) as differentiable TensorFlow.js functions,
 * numerically the same as the Hugging Face `CLIPModel` and its ONNX export. Lafite's ConG loss
 * needs gradients through the image tower; shapes-clip trains both towers.
 *
 * Layout: `pixelValues` is NCHW [N, 3, H, W], already CLIP-normalised, exactly what the ONNX
 * vision model takes (`nhwcToClipPixels` converts a generator's NHWC images).
 *
 * Training-safe on the wasm backend, which lacks Conv2DBackpropFilter and UnsortedSegmentSum:
 * the patch embedding (stride = kernel = patch) is reshape → transpose → matMul, never conv2d;
 * the token embedding is a gather whose gradient is a one-hot matMul (`embeddingLookup`).
 *
 * @example
 *   const towers = ClipTowers.fromWeights(config, weights);          // tf.Variables
 *   const grads = tf.variableGrads(() => tf.sum(towers.vision(pixels)), towers.visionVariables());
 *   towers.dispose();
 */
import * as tf from '@tensorflow/tfjs';
import { textWeightSpecs, visionGrid, visionWeightSpecs, type ClipConfig, type ClipTextConfig, type ClipVisionConfig } from './config.ts';
import { checkWeights, type ClipWeights } from './weights.ts';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD } from './preprocessor-config.ts';

/** Weight name → tensor (tf.Variables when training). */
export type ClipParams = ReadonlyMap<string, tf.Tensor>;

/** Additive attention-mask value for masked positions (HF uses the float32 minimum; any huge negative is the same after softmax). */
export const MASKED = -1e9;

/** CLIP's image normalisation (OpenAI `clip.py`, `_transform`). */
export { CLIP_IMAGE_MEAN as CLIP_MEAN, CLIP_IMAGE_STD as CLIP_STD } from './preprocessor-config.ts';

function param(params: ClipParams, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`CLIP weight '${name}' is not loaded`);
  return t;
}

/** HF `nn.Linear` on rows: x Wᵀ + b, W stored [out, in]. */
function linear(x: tf.Tensor2D, params: ClipParams, prefix: string, bias = true): tf.Tensor2D {
  const y = tf.matMul(x, param(params, `${prefix}.weight`), false, true) as tf.Tensor2D; // [M, out]
  return bias ? (tf.add(y, param(params, `${prefix}.bias`)) as tf.Tensor2D) : y;
}

/** LayerNorm over the last axis (Ba et al. 2016), written in differentiable primitives. */
function layerNorm<T extends tf.Tensor>(x: T, params: ClipParams, prefix: string, eps: number): T {
  const mean = tf.mean(x, -1, true); // [..., 1]
  const centred = tf.sub(x, mean); // [..., D]
  const variance = tf.mean(tf.square(centred), -1, true); // [..., 1]  biased, as torch
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps))); // [..., D]
  return tf.add(tf.mul(normed, param(params, `${prefix}.weight`)), param(params, `${prefix}.bias`)) as T;
}

/** quick_gelu(x) = x · σ(1.702 x), OpenAI CLIP's GELU approximation. */
function quickGelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))) as T;
}

/** Multi-head self-attention (HF `CLIPAttention`): softmax(q kᵀ/√dh + mask) v. */
function selfAttention(x: tf.Tensor2D, n: number, s: number, heads: number, params: ClipParams, prefix: string, mask?: tf.Tensor2D): tf.Tensor2D {
  const d = x.shape[1];
  const dh = d / heads;
  const split = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [n, s, heads, dh]), [0, 2, 1, 3]); // [N, H, S, dh]
  const q = split(tf.mul(linear(x, params, `${prefix}.q_proj`), dh ** -0.5)); // [N, H, S, dh]  scaled as HF
  const k = split(linear(x, params, `${prefix}.k_proj`)); // [N, H, S, dh]
  const v = split(linear(x, params, `${prefix}.v_proj`)); // [N, H, S, dh]
  let scores = tf.matMul(q, k, false, true); // [N, H, S, S]
  if (mask) scores = tf.add(scores, mask); // [N, H, S, S]  causal mask broadcast
  const context = tf.matMul(tf.softmax(scores), v); // [N, H, S, dh]
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [n * s, d]) as tf.Tensor2D; // [N·S, D]
  return linear(merged, params, `${prefix}.out_proj`); // [N·S, D]
}

/** One pre-LN residual block (HF `CLIPEncoderLayer`); x is [N·S, D] rows of N sequences of S. */
function encoderLayer(x: tf.Tensor2D, n: number, s: number, heads: number, eps: number, params: ClipParams, prefix: string, mask?: tf.Tensor2D): tf.Tensor2D {
  const attn = selfAttention(layerNorm(x, params, `${prefix}.layer_norm1`, eps), n, s, heads, params, `${prefix}.self_attn`, mask);
  const h = tf.add(x, attn) as tf.Tensor2D; // [N·S, D]
  const inner = quickGelu(linear(layerNorm(h, params, `${prefix}.layer_norm2`, eps), params, `${prefix}.mlp.fc1`)); // [N·S, I]
  return tf.add(h, linear(inner, params, `${prefix}.mlp.fc2`)) as tf.Tensor2D; // [N·S, D]
}

/**
 * The patch embedding, a conv with stride = kernel = p and no bias, as reshape → transpose →
 * matMul (all rank ≤ 4): each patch flattened in (c, y, x) order, the conv filter's order.
 */
export function patchEmbed(pixels: tf.Tensor4D, filter: tf.Tensor, patchSize: number): tf.Tensor3D {
  const [n, c, h, w] = pixels.shape;
  const p = patchSize;
  const gy = h / p;
  const gx = w / p;
  const rows = tf.reshape(pixels, [n * c * gy, p, gx, p]); // [N·C·gy, py, gx, px]
  const tiles = tf.transpose(rows, [0, 2, 1, 3]); // [N·C·gy, gx, py, px]
  const perChannel = tf.reshape(tiles, [n, c, gy * gx, p * p]); // [N, C, P, p·p]
  const patches = tf.reshape(tf.transpose(perChannel, [0, 2, 1, 3]), [n * gy * gx, c * p * p]); // [N·P, C·p·p]
  const kernel = tf.reshape(filter, [filter.shape[0]!, c * p * p]); // [D, C·p·p]
  return tf.reshape(tf.matMul(patches, kernel, false, true), [n, gy * gx, filter.shape[0]!]); // [N, P, D]
}

/** Image tower: pixels NCHW [N, 3, H, W] (CLIP-normalised) → image_embeds [N, proj], unnormalised. */
export function visionForward(params: ClipParams, config: ClipVisionConfig, pixelValues: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, c, h, w] = pixelValues.shape;
    if (c !== 3 || h !== config.imageSize || w !== config.imageSize) {
      throw new Error(`visionForward: pixelValues must be NCHW [N, 3, ${config.imageSize}, ${config.imageSize}], got [${pixelValues.shape.join(', ')}]`);
    }
    const d = config.hiddenSize;
    const s = visionGrid(config).tokens;
    const patches = patchEmbed(pixelValues, param(params, 'vision_model.embeddings.patch_embedding.weight'), config.patchSize); // [N, P, D]
    const cls = tf.tile(tf.reshape(param(params, 'vision_model.embeddings.class_embedding'), [1, 1, d]), [n, 1, 1]); // [N, 1, D]
    const tokens = tf.add(tf.concat([cls, patches], 1), param(params, 'vision_model.embeddings.position_embedding.weight')); // [N, S, D]
    let x = layerNorm(tf.reshape(tokens, [n * s, d]) as tf.Tensor2D, params, 'vision_model.pre_layrnorm', config.layerNormEps); // [N·S, D]
    for (let i = 0; i < config.layers; i++) {
      x = encoderLayer(x, n, s, config.heads, config.layerNormEps, params, `vision_model.encoder.layers.${i}`);
    }
    const classToken = tf.reshape(tf.slice(tf.reshape(x, [n, s, d]), [0, 0, 0], [n, 1, d]), [n, d]) as tf.Tensor2D; // [N, D]
    const pooled = layerNorm(classToken, params, 'vision_model.post_layernorm', config.layerNormEps); // [N, D]
    return linear(pooled, params, 'visual_projection', false); // [N, proj]
  });
}

/**
 * Embedding lookup: a cheap gather forward; the table gradient as a one-hot matMul
 * (oneHot(ids)ᵀ dy), because the wasm backend lacks UnsortedSegmentSum, gather's gradient.
 * The one-hot costs N·S·V floats only when gradients are taken (fine for shapes-clip).
 */
function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [tableIn, idsIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([idsIn]);
    const [n, s] = idsIn.shape as [number, number];
    const value = tf.reshape(tf.gather(tableIn, tf.reshape(idsIn, [-1])), [n, s, tableIn.shape[1]!]); // [N, S, D]
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const flatIds = tf.reshape(saved[0]!, [-1]); // [N·S]
      const oneHot = tf.oneHot(flatIds, tableIn.shape[0]!); // [N·S, V]
      const dTable = tf.matMul(tf.cast(oneHot, 'float32'), tf.reshape(dy, [-1, tableIn.shape[1]!]), true, false); // [V, D]
      return [dTable, tf.zerosLike(saved[0]!).asType('float32')];
    };
    return { value, gradFunc };
  });
  return lookup(table, ids) as tf.Tensor3D;
}

/** Causal mask (text tower): position i attends to j ≤ i. */
function causalMask(s: number): tf.Tensor2D {
  const data = new Float32Array(s * s);
  for (let i = 0; i < s; i++) for (let j = i + 1; j < s; j++) data[i * s + j] = MASKED;
  return tf.tensor2d(data, [s, s]); // [S, S]
}

/** Pools each sequence at its first EOS token (argmax returns the first maximum) as a one-hot matMul. */
function eosPool(hidden: tf.Tensor3D, ids: tf.Tensor2D, eosTokenId: number): tf.Tensor2D {
  const [n, s, d] = hidden.shape;
  const isEos = tf.cast(tf.equal(ids, eosTokenId), 'float32'); // [N, S]
  const position = tf.argMax(isEos, 1); // [N]  0 where a row has no EOS, as HF
  const select = tf.reshape(tf.oneHot(position, s), [n, 1, s]); // [N, 1, S]
  return tf.reshape(tf.matMul(tf.cast(select, 'float32'), hidden), [n, d]) as tf.Tensor2D; // [N, D]
}

/**
 * Text tower: token ids int32 [N, S] (S ≤ contextLength, padded after EOS) → text_embeds
 * [N, proj], unnormalised. Padding after the EOS cannot change the pooled feature under the
 * causal mask, so no attention mask is taken (the ONNX input is declared and unused).
 */
export function textForward(params: ClipParams, config: ClipTextConfig, inputIds: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, s] = inputIds.shape;
    if (s > config.contextLength) throw new Error(`textForward: ${s} tokens exceed contextLength ${config.contextLength}`);
    const d = config.hiddenSize;
    const ids = tf.cast(inputIds, 'int32'); // [N, S]
    const tokens = embeddingLookup(param(params, 'text_model.embeddings.token_embedding.weight') as tf.Tensor2D, ids); // [N, S, D]
    const positions = tf.slice(param(params, 'text_model.embeddings.position_embedding.weight'), [0, 0], [s, d]); // [S, D]
    let x = tf.reshape(tf.add(tokens, positions), [n * s, d]) as tf.Tensor2D; // [N·S, D]
    const mask = causalMask(s); // [S, S]
    for (let i = 0; i < config.layers; i++) {
      x = encoderLayer(x, n, s, config.heads, config.layerNormEps, params, `text_model.encoder.layers.${i}`, mask);
    }
    const hidden = layerNorm(tf.reshape(x, [n, s, d]) as tf.Tensor3D, params, 'text_model.final_layer_norm', config.layerNormEps); // [N, S, D]
    return linear(eosPool(hidden, ids, config.eosTokenId), params, 'text_projection', false); // [N, proj]
  });
}

/** NHWC images in [0, 1] at the tower's size → CLIP-normalised NCHW pixel values. */
export function nhwcToClipPixels(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const normed = tf.div(tf.sub(images, tf.tensor1d([...CLIP_IMAGE_MEAN])), tf.tensor1d([...CLIP_IMAGE_STD])); // [N, H, W, 3]
    return tf.transpose(normed, [0, 3, 1, 2]) as tf.Tensor4D; // [N, 3, H, W]
  });
}

/** Which towers to hold. */
export type ClipTowerName = 'vision' | 'text';

let nextTowersId = 0;

/** Both (or one) CLIP towers as tf.Variables, keyed by HF name (tfjs name `clipK/<HF name>`). */
export class ClipTowers {
  private constructor(
    readonly config: ClipConfig,
    readonly variables: Map<string, tf.Variable>,
    readonly towers: readonly ClipTowerName[],
  ) {}

  /** Makes variables from plain weights (checked for presence and shape first). */
  static fromWeights(config: ClipConfig, weights: ClipWeights, options: { towers?: ClipTowerName[]; trainable?: boolean } = {}): ClipTowers {
    const towers = options.towers ?? ['vision', 'text'];
    const specs = [...(towers.includes('vision') ? visionWeightSpecs(config.vision) : []), ...(towers.includes('text') ? textWeightSpecs(config.text) : [])];
    checkWeights(weights, specs, 'ClipTowers.fromWeights');
    const variables = new Map<string, tf.Variable>();
    // tfjs variable names are global: a per-instance prefix lets several towers coexist.
    const scope = `clip${nextTowersId++}`;
    for (const spec of specs) {
      const w = weights.get(spec.name)!;
      const variable = tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape, 'float32'), options.trainable ?? true, `${scope}/${spec.name}`));
      variables.set(spec.name, variable);
    }
    return new ClipTowers(config, variables, towers);
  }

  /** image_embeds [N, proj] from NCHW pixel values [N, 3, H, W]. */
  vision(pixelValues: tf.Tensor4D): tf.Tensor2D {
    this.require('vision');
    return visionForward(this.variables, this.config.vision, pixelValues);
  }

  /** text_embeds [N, proj] from token ids [N, S]. */
  text(inputIds: tf.Tensor2D): tf.Tensor2D {
    this.require('text');
    return textForward(this.variables, this.config.text, inputIds);
  }

  visionVariables(): tf.Variable[] {
    return visionWeightSpecs(this.config.vision).flatMap((s) => this.variables.get(s.name) ?? []);
  }

  textVariables(): tf.Variable[] {
    return textWeightSpecs(this.config.text).flatMap((s) => this.variables.get(s.name) ?? []);
  }

  /** Current values as plain weights (async: `dataSync` fails on webgpu in Node). */
  async toWeights(): Promise<ClipWeights> {
    const out: ClipWeights = new Map();
    for (const [name, v] of this.variables) out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    return out;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }

  private require(tower: ClipTowerName): void {
    if (!this.towers.includes(tower)) throw new Error(`ClipTowers: the ${tower} tower was not loaded`);
  }
}
