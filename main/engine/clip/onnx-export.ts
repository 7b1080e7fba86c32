/**
 * Writes a CLIP (Radford et al. 2021) as the common Hugging Face ONNX layout:
 * `onnx/text_model.onnx` (input_ids int64 [batch, seq], attention_mask → text_embeds) and
 * `onnx/vision_model.onnx` (pixel_values float32 [batch, 3, H, W] → image_embeds), plus an
 * HF-like `config.json`. Embeddings are unnormalised, as HF's. Initializers carry the HF
 * state-dict names; the patch embedding is a real Conv, as in the HF export.
 *
 * @example
 *   await writeClipOnnx('/models/shapes-clip', config, weights);
 */
import { writeExportChecksums } from './export-checksums.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-file.ts';
import { clipConfigToJson } from './config-json.ts';
import { textWeightSpecs, validateClipConfig, visionWeightSpecs, type ClipConfig, type ClipTextConfig, type ClipVisionConfig } from './config.ts';
import { OnnxGraphBuilder } from './onnx-builder.ts';
import { MASKED } from './tfjs-model.ts';
import { checkWeights, type ClipWeights } from './weights.ts';

/** Adds every weight of `specs` as an initializer. */
function addWeights(g: OnnxGraphBuilder, weights: ClipWeights, specs: ReturnType<typeof visionWeightSpecs>): void {
  for (const spec of specs) g.initializer(spec.name, spec.shape, weights.get(spec.name)!.data);
}

/** nn.Linear on [..., in]: MatMul by Wᵀ (+ b). */
function linear(g: OnnxGraphBuilder, x: string, prefix: string, bias = true): string {
  const y = g.node('MatMul', [x, g.node('Transpose', [`${prefix}.weight`], { perm: { ints: [1, 0] } })]);
  return bias ? g.node('Add', [y, `${prefix}.bias`]) : y;
}

function layerNorm(g: OnnxGraphBuilder, x: string, prefix: string, eps: number): string {
  return g.node('LayerNormalization', [x, `${prefix}.weight`, `${prefix}.bias`], { axis: { i: -1 }, epsilon: { f: eps } });
}

/** HF CLIPAttention on x [N, S, D]; `mask` is an additive [S, S] tensor or undefined. */
function selfAttention(g: OnnxGraphBuilder, x: string, prefix: string, d: number, heads: number, mask?: string): string {
  const dh = d / heads;
  const headsShape = g.int64([0, 0, heads, dh]);
  const split = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, headsShape])], { perm: { ints: perm } });
  const q = split(g.node('Mul', [linear(g, x, `${prefix}.q_proj`), g.float([dh ** -0.5], [])]), [0, 2, 1, 3]); // [N, H, S, dh]
  const kT = split(linear(g, x, `${prefix}.k_proj`), [0, 2, 3, 1]); // [N, H, dh, S]
  const v = split(linear(g, x, `${prefix}.v_proj`), [0, 2, 1, 3]); // [N, H, S, dh]
  let scores = g.node('MatMul', [q, kT]); // [N, H, S, S]
  if (mask) scores = g.node('Add', [scores, mask]);
  const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: { i: -1 } }), v]); // [N, H, S, dh]
  const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: { ints: [0, 2, 1, 3] } }), g.int64([0, 0, d])]); // [N, S, D]
  return linear(g, merged, `${prefix}.out_proj`);
}

/** HF CLIPEncoderLayer (pre-LN residual block with quick_gelu MLP). */
function encoderLayer(g: OnnxGraphBuilder, x: string, prefix: string, d: number, heads: number, eps: number, mask?: string): string {
  const h = g.node('Add', [x, selfAttention(g, layerNorm(g, x, `${prefix}.layer_norm1`, eps), `${prefix}.self_attn`, d, heads, mask)]);
  const fc1 = linear(g, layerNorm(g, h, `${prefix}.layer_norm2`, eps), `${prefix}.mlp.fc1`);
  const act = g.node('Mul', [fc1, g.node('Sigmoid', [g.node('Mul', [fc1, g.float([1.702], [])])])]); // x·σ(1.702x)
  return g.node('Add', [h, linear(g, act, `${prefix}.mlp.fc2`)]);
}

/** The vision tower graph: pixel_values [batch, 3, H, W] → image_embeds [batch, proj]. */
export function buildVisionOnnx(config: ClipVisionConfig, weights: ClipWeights): Uint8Array {
  const specs = visionWeightSpecs(config);
  checkWeights(weights, specs, 'buildVisionOnnx');
  const g = new OnnxGraphBuilder();
  addWeights(g, weights, specs);
  const d = config.hiddenSize;
  const p = config.patchSize;
  const conv = g.node('Conv', ['pixel_values', 'vision_model.embeddings.patch_embedding.weight'], { kernel_shape: { ints: [p, p] }, strides: { ints: [p, p] } }); // [N, D, gy, gx]
  const patches = g.node('Transpose', [g.node('Reshape', [conv, g.int64([0, d, -1])])], { perm: { ints: [0, 2, 1] } }); // [N, P, D]
  const batch = g.node('Shape', ['pixel_values'], { start: { i: 0 }, end: { i: 1 } }); // [1] = N
  const clsShape = g.node('Concat', [batch, g.int64([1, d])], { axis: { i: 0 } }); // [3] = (N, 1, D)
  const cls = g.node('Expand', [g.node('Reshape', ['vision_model.embeddings.class_embedding', g.int64([1, 1, d])]), clsShape]); // [N, 1, D]
  const tokens = g.node('Add', [g.node('Concat', [cls, patches], { axis: { i: 1 } }), 'vision_model.embeddings.position_embedding.weight']); // [N, S, D]
  let x = layerNorm(g, tokens, 'vision_model.pre_layrnorm', config.layerNormEps);
  for (let i = 0; i < config.layers; i++) x = encoderLayer(g, x, `vision_model.encoder.layers.${i}`, d, config.heads, config.layerNormEps);
  const classToken = g.node('Gather', [x, g.int64([0], [])], { axis: { i: 1 } }); // [N, D]
  const pooled = layerNorm(g, classToken, 'vision_model.post_layernorm', config.layerNormEps);
  g.node('MatMul', [pooled, g.node('Transpose', ['visual_projection.weight'], { perm: { ints: [1, 0] } })], {}, 'image_embeds');
  return g.toModel(
    'clip_vision_model',
    [{ name: 'pixel_values', elemType: 'float32', shape: ['batch_size', 3, config.imageSize, config.imageSize] }],
    [{ name: 'image_embeds', elemType: 'float32', shape: ['batch_size', config.projectionDim] }],
  );
}

/** The [S, S] additive causal mask from the dynamic sequence length, and the positions 0..S-1. */
function causalMask(g: OnnxGraphBuilder): { mask: string; positions: string } {
  const seq = g.node('Squeeze', [g.node('Shape', ['input_ids'], { start: { i: 1 }, end: { i: 2 } }), g.int64([0])]); // scalar S
  const positions = g.node('Range', [g.int64([0], []), seq, g.int64([1], [])]); // [S]
  const rows = g.node('Unsqueeze', [positions, g.int64([1])]); // [S, 1]
  const cols = g.node('Unsqueeze', [positions, g.int64([0])]); // [1, S]
  const mask = g.node('Where', [g.node('Greater', [cols, rows]), g.float([MASKED], []), g.float([0], [])]); // [S, S]
  return { mask, positions };
}

/** Pools hidden [N, S, D] at the first EOS of each row, as a one-hot MatMul (as tfjs-model.ts). */
function eosPool(g: OnnxGraphBuilder, hidden: string, positions: string, eosTokenId: number): string {
  const isEos = g.node('Cast', [g.node('Equal', ['input_ids', g.int64([eosTokenId], [])])], { to: { i: 1 } }); // [N, S] float
  const first = g.node('ArgMax', [isEos], { axis: { i: 1 }, keepdims: { i: 1 } }); // [N, 1] first maximum
  const select = g.node('Cast', [g.node('Equal', [g.node('Unsqueeze', [positions, g.int64([0])]), first])], { to: { i: 1 } }); // [N, S]
  const picked = g.node('MatMul', [g.node('Unsqueeze', [select, g.int64([1])]), hidden]); // [N, 1, D]
  return g.node('Squeeze', [picked, g.int64([1])]); // [N, D]
}

/** The text tower graph: input_ids int64 [batch, seq] (+ attention_mask, unused) → text_embeds. */
export function buildTextOnnx(config: ClipTextConfig, weights: ClipWeights): Uint8Array {
  const specs = textWeightSpecs(config);
  checkWeights(weights, specs, 'buildTextOnnx');
  const g = new OnnxGraphBuilder();
  addWeights(g, weights, specs);
  const d = config.hiddenSize;
  const { mask, positions } = causalMask(g);
  const tokens = g.node('Gather', ['text_model.embeddings.token_embedding.weight', 'input_ids'], { axis: { i: 0 } }); // [N, S, D]
  const posEmb = g.node('Gather', ['text_model.embeddings.position_embedding.weight', positions], { axis: { i: 0 } }); // [S, D]
  let x = g.node('Add', [tokens, posEmb]);
  for (let i = 0; i < config.layers; i++) x = encoderLayer(g, x, `text_model.encoder.layers.${i}`, d, config.heads, config.layerNormEps, mask);
  const hidden = layerNorm(g, x, 'text_model.final_layer_norm', config.layerNormEps);
  const pooled = eosPool(g, hidden, positions, config.eosTokenId);
  g.node('MatMul', [pooled, g.node('Transpose', ['text_projection.weight'], { perm: { ints: [1, 0] } })], {}, 'text_embeds');
  return g.toModel(
    'clip_text_model',
    [
      { name: 'input_ids', elemType: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', elemType: 'int64', shape: ['batch_size', 'sequence_length'] },
    ],
    [{ name: 'text_embeds', elemType: 'float32', shape: ['batch_size', config.projectionDim] }],
  );
}

/** Writes `dir/onnx/vision_model.onnx`, `dir/onnx/text_model.onnx` and `dir/config.json`, each whole and fsynced (a crash leaves the old file or the new one), then their checksums. */
export async function writeClipOnnx(dir: string, config: ClipConfig, weights: ClipWeights): Promise<void> {
  validateClipConfig(config);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFileDurably(join(dir, 'onnx', 'vision_model.onnx'), buildVisionOnnx(config.vision, weights));
  await writeFileDurably(join(dir, 'onnx', 'text_model.onnx'), buildTextOnnx(config.text, weights));
  await writeFileDurably(join(dir, 'config.json'), `${JSON.stringify(clipConfigToJson(config), null, 2)}\n`);
  await writeExportChecksums(dir, ['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'config.json']); // verified on every load
}
