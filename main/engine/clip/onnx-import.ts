/**
 * Reads CLIP weights back out of ONNX files (HF layout: dir/onnx/{vision,text}_model.onnx,
 * dir/config.json) and builds the TensorFlow.js towers from them, so that the ConG loss
 * differentiates through the very weights ONNX Runtime encodes with.
 *
 * @example
 *   const towers = await loadClipTowersFromOnnx('/models/shapes-clip', undefined, { towers: ['vision'] });
 *   const embeds = towers.vision(pixels); // [N, proj]
 */
import { verifyExportChecksums } from './export-checksums.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clipConfigFromJson, type HfClipConfigJson } from './config-json.ts';
import { textWeightSpecs, validateClipConfig, visionWeightSpecs, type ClipConfig, type ClipTextConfig, type ClipVisionConfig } from './config.ts';
import { onnx } from './onnx-builder.ts';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { ClipTowers, type ClipTowerName } from './tfjs-model.ts';
import { checkWeights, sizeOf, type ClipWeight, type ClipWeights } from './weights.ts';

/** The file names of the HF ONNX layout. */
export const VISION_ONNX = join('onnx', 'vision_model.onnx');
export const TEXT_ONNX = join('onnx', 'text_model.onnx');

/** A decoded ONNX model with its float32 initializers and the LayerNorm epsilon it uses, if any. */
export interface OnnxWeightsFile {
  file: string;
  weights: ClipWeights;
  layerNormEps?: number;
}

/** A float32 initializer's values from `raw_data` (little-endian) or `float_data`. */
function tensorValues(tensor: OnnxTypes.ITensorProto, file: string): ClipWeight {
  const shape = (tensor.dims ?? []).map(Number);
  const count = sizeOf(shape);
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`${file}: initializer '${tensor.name}' keeps its data in an external file, which is not supported`);
  }
  let data: Float32Array;
  if (tensor.rawData && tensor.rawData.length > 0) {
    const bytes = tensor.rawData;
    data = new Float32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  } else {
    data = Float32Array.from(tensor.floatData ?? []);
  }
  if (data.length !== count) throw new Error(`${file}: initializer '${tensor.name}' holds ${data.length} values for shape [${shape.join(', ')}]`);
  return { shape, data };
}

/** Every float32 initializer of an ONNX file, by name; other types are skipped. */
export async function readOnnxWeights(file: string): Promise<OnnxWeightsFile> {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(await readFile(file));
  } catch (error) {
    throw new Error(`${file}: cannot read as an ONNX model: ${(error as Error).message}`, { cause: error });
  }
  const weights: ClipWeights = new Map();
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.dataType === onnx.TensorProto.DataType.FLOAT && tensor.name) weights.set(tensor.name, tensorValues(tensor, file));
  }
  const layerNorm = model.graph?.node?.find((n) => n.opType === 'LayerNormalization');
  const eps = layerNorm?.attribute?.find((a) => a.name === 'epsilon')?.f;
  // The attribute is float32: 1e-5 reads back as 9.99999974e-6; 7 digits restore the written value.
  return eps === undefined || eps === null ? { file, weights } : { file, weights, layerNormEps: Number(eps.toPrecision(7)) };
}

function shapeOf(weights: ClipWeights, name: string, file: string): number[] {
  const w = weights.get(name);
  if (!w) throw new Error(`${file}: missing CLIP weight '${name}', needed to infer the config (no config.json)`);
  return w.shape;
}

function countLayers(weights: ClipWeights, prefix: string): number {
  let layers = 0;
  while (weights.has(`${prefix}.${layers}.self_attn.q_proj.weight`)) layers++;
  return layers;
}

/** The vision config from initializer shapes; heads assume CLIP's head width of 64. */
export function inferVisionConfig({ file, weights, layerNormEps }: OnnxWeightsFile): ClipVisionConfig {
  const [d, , p] = shapeOf(weights, 'vision_model.embeddings.patch_embedding.weight', file) as [number, number, number, number];
  const [tokens] = shapeOf(weights, 'vision_model.embeddings.position_embedding.weight', file) as [number];
  const grid = Math.round(Math.sqrt(tokens - 1));
  return {
    imageSize: grid * p,
    patchSize: p,
    hiddenSize: d,
    layers: countLayers(weights, 'vision_model.encoder.layers'),
    heads: Math.max(1, Math.round(d / 64)),
    intermediateSize: shapeOf(weights, 'vision_model.encoder.layers.0.mlp.fc1.weight', file)[0]!,
    projectionDim: shapeOf(weights, 'visual_projection.weight', file)[0]!,
    layerNormEps: layerNormEps ?? 1e-5,
  };
}

/** The text config from initializer shapes; heads assume head width 64, EOS the last token id. */
export function inferTextConfig({ file, weights, layerNormEps }: OnnxWeightsFile): ClipTextConfig {
  const [vocabSize, d] = shapeOf(weights, 'text_model.embeddings.token_embedding.weight', file) as [number, number];
  return {
    vocabSize,
    contextLength: shapeOf(weights, 'text_model.embeddings.position_embedding.weight', file)[0]!,
    hiddenSize: d,
    layers: countLayers(weights, 'text_model.encoder.layers'),
    heads: Math.max(1, Math.round(d / 64)),
    intermediateSize: shapeOf(weights, 'text_model.encoder.layers.0.mlp.fc1.weight', file)[0]!,
    projectionDim: shapeOf(weights, 'text_projection.weight', file)[0]!,
    eosTokenId: vocabSize - 1,
    layerNormEps: layerNormEps ?? 1e-5,
  };
}

/** dir/config.json as a ClipConfig, or undefined when the file is absent. */
export async function readClipConfig(dir: string): Promise<ClipConfig | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'config.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return clipConfigFromJson(JSON.parse(text) as HfClipConfigJson);
}

/** Both towers' weights of an HF ONNX CLIP folder, checked against `config`. */
export async function readClipWeightsFromOnnx(dir: string, config: ClipConfig, towers: readonly ClipTowerName[] = ['vision', 'text']): Promise<ClipWeights> {
  const weights: ClipWeights = new Map();
  await verifyExportChecksums(dir, [...(towers.includes('vision') ? [VISION_ONNX] : []), ...(towers.includes('text') ? [TEXT_ONNX] : [])]);
  if (towers.includes('vision')) {
    const file = await readOnnxWeights(join(dir, VISION_ONNX));
    checkWeights(file.weights, visionWeightSpecs(config.vision), file.file);
    for (const spec of visionWeightSpecs(config.vision)) weights.set(spec.name, file.weights.get(spec.name)!);
  }
  if (towers.includes('text')) {
    const file = await readOnnxWeights(join(dir, TEXT_ONNX));
    checkWeights(file.weights, textWeightSpecs(config.text), file.file);
    for (const spec of textWeightSpecs(config.text)) weights.set(spec.name, file.weights.get(spec.name)!);
  }
  return weights;
}

/**
 * TensorFlow.js towers from an HF ONNX CLIP folder. The config comes from `config`, else
 * dir/config.json, else is inferred from the initializer shapes (heads = width / 64).
 */
export async function loadClipTowersFromOnnx(dir: string, config?: ClipConfig, options: { towers?: ClipTowerName[]; trainable?: boolean } = {}): Promise<ClipTowers> {
  const towers = options.towers ?? ['vision', 'text'];
  const resolved = config ?? (await readClipConfig(dir)) ?? (await inferClipConfig(dir, towers));
  const weights = await readClipWeightsFromOnnx(dir, resolved, towers);
  return ClipTowers.fromWeights(resolved, weights, { towers, trainable: options.trainable ?? true });
}

/** Infers the config of the loaded towers; an unloaded tower borrows the other's projection width. */
async function inferClipConfig(dir: string, towers: readonly ClipTowerName[]): Promise<ClipConfig> {
  const vision = towers.includes('vision') ? inferVisionConfig(await readOnnxWeights(join(dir, VISION_ONNX))) : undefined;
  const text = towers.includes('text') ? inferTextConfig(await readOnnxWeights(join(dir, TEXT_ONNX))) : undefined;
  const projectionDim = (vision ?? text)!.projectionDim;
  const config: ClipConfig = {
    vision: vision ?? { imageSize: 1, patchSize: 1, hiddenSize: 1, layers: 0, heads: 1, intermediateSize: 1, projectionDim, layerNormEps: 1e-5 },
    text: text ?? { vocabSize: 1, contextLength: 1, hiddenSize: 1, layers: 0, heads: 1, intermediateSize: 1, projectionDim, eosTokenId: 0, layerNormEps: 1e-5 },
  };
  validateClipConfig(config);
  return config;
}
