/**
 * CLIP architecture description (Radford et al. 2021, "Learning Transferable Visual Models
 * From Natural Language Supervision", §2.4 and Table 20), written once and used three ways:
 * random init (weights.ts), the TensorFlow.js forward passes (tfjs-model.ts) and the ONNX
 * export (onnx-export.ts). Weight names follow the Hugging Face `CLIPModel` state dict.
 *
 * @example
 *   const config = CLIP_PRESETS['vit-b32'];
 *   visionWeightSpecs(config.vision)[0]; // { name: 'vision_model.embeddings.class_embedding', shape: [768] }
 *   validateClipConfig(config);           // throws naming the field at fault
 */

/** The image tower: a ViT (Dosovitskiy et al. 2021) with CLIP's extra pre-LayerNorm. */
export interface ClipVisionConfig {
  /** Side of the square input image in pixels (224 for ViT-B/32 and B/16). */
  imageSize: number;
  /** Side of a square patch; the patch embedding is a conv with stride = kernel = patchSize. */
  patchSize: number;
  /** Transformer width D. */
  hiddenSize: number;
  /** Number of residual attention blocks. */
  layers: number;
  /** Attention heads; hiddenSize must be divisible by it (CLIP: head width 64). */
  heads: number;
  /** MLP hidden width (CLIP: 4 · hiddenSize). */
  intermediateSize: number;
  /** Width of the joint embedding space (the output of `visual_projection`). */
  projectionDim: number;
  /** LayerNorm epsilon (1e-5 in CLIP). */
  layerNormEps: number;
}

/** The text tower: a causal Transformer over byte-pair tokens, pooled at the EOS token. */
export interface ClipTextConfig {
  /** Token vocabulary size (49408 for CLIP's BPE). */
  vocabSize: number;
  /** Maximum sequence length = rows of the position embedding (77 for real CLIP). */
  contextLength: number;
  /** Transformer width D. */
  hiddenSize: number;
  /** Number of residual attention blocks. */
  layers: number;
  /** Attention heads. */
  heads: number;
  /** MLP hidden width. */
  intermediateSize: number;
  /** Width of the joint embedding space (the output of `text_projection`). */
  projectionDim: number;
  /** The pooled feature is read at the first position where input_ids == eosTokenId. */
  eosTokenId: number;
  /** LayerNorm epsilon (1e-5 in CLIP). */
  layerNormEps: number;
}

/** Both towers; `vision.projectionDim` and `text.projectionDim` must be equal. */
export interface ClipConfig {
  vision: ClipVisionConfig;
  text: ClipTextConfig;
}

const B_TEXT: ClipTextConfig = {
  vocabSize: 49408,
  contextLength: 77,
  hiddenSize: 512,
  layers: 12,
  heads: 8,
  intermediateSize: 2048,
  projectionDim: 512,
  eosTokenId: 49407, // <|endoftext|>
  layerNormEps: 1e-5,
};

const B_VISION = { imageSize: 224, hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072, projectionDim: 512, layerNormEps: 1e-5 };

/** Preset names: the two OpenAI CLIP models Lafite uses, and a tiny one for tests. */
export type ClipPresetName = 'vit-b32' | 'vit-b16' | 'tiny';

/** The real ViT-B/32 and B/16 numbers (Radford et al. 2021, Table 20) and a tiny test model. */
export const CLIP_PRESETS = {
  'vit-b32': { vision: { ...B_VISION, patchSize: 32 }, text: B_TEXT },
  'vit-b16': { vision: { ...B_VISION, patchSize: 16 }, text: B_TEXT },
  tiny: {
    vision: { imageSize: 32, patchSize: 8, hiddenSize: 32, layers: 2, heads: 4, intermediateSize: 64, projectionDim: 16, layerNormEps: 1e-5 },
    text: { vocabSize: 100, contextLength: 16, hiddenSize: 32, layers: 2, heads: 4, intermediateSize: 64, projectionDim: 16, eosTokenId: 99, layerNormEps: 1e-5 },
  },
} as const satisfies Record<ClipPresetName, ClipConfig>;

/** Patches per side and tokens (patches + the class token) of the vision tower. */
export function visionGrid(config: ClipVisionConfig): { grid: number; tokens: number } {
  const grid = config.imageSize / config.patchSize;
  return { grid, tokens: grid * grid + 1 };
}

/** Throws with the field at fault if a config cannot describe a CLIP. */
export function validateClipConfig(config: ClipConfig): void {
  const { vision, text } = config;
  const fail = (field: string, why: string): never => {
    throw new Error(`invalid CLIP config: ${field} ${why}`);
  };
  if (!Number.isInteger(vision.imageSize / vision.patchSize)) fail('vision.imageSize', `${vision.imageSize} is not a multiple of patchSize ${vision.patchSize}`);
  if (vision.hiddenSize % vision.heads !== 0) fail('vision.heads', `${vision.heads} does not divide hiddenSize ${vision.hiddenSize}`);
  if (text.hiddenSize % text.heads !== 0) fail('text.heads', `${text.heads} does not divide hiddenSize ${text.hiddenSize}`);
  if (vision.projectionDim !== text.projectionDim) fail('projectionDim', `differs between towers (${vision.projectionDim} vs ${text.projectionDim})`);
  if (text.eosTokenId < 0 || text.eosTokenId >= text.vocabSize) fail('text.eosTokenId', `${text.eosTokenId} is outside the vocabulary`);
}

/** A weight's Hugging Face name and shape. */
export interface WeightSpec {
  name: string;
  shape: number[];
}

/** The weights of one pre-LN residual block (HF `CLIPEncoderLayer`). */
function encoderLayerSpecs(prefix: string, d: number, inner: number): WeightSpec[] {
  const specs: WeightSpec[] = [];
  for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
    specs.push({ name: `${prefix}.self_attn.${proj}.weight`, shape: [d, d] }, { name: `${prefix}.self_attn.${proj}.bias`, shape: [d] });
  }
  specs.push(
    { name: `${prefix}.layer_norm1.weight`, shape: [d] },
    { name: `${prefix}.layer_norm1.bias`, shape: [d] },
    { name: `${prefix}.mlp.fc1.weight`, shape: [inner, d] },
    { name: `${prefix}.mlp.fc1.bias`, shape: [inner] },
    { name: `${prefix}.mlp.fc2.weight`, shape: [d, inner] },
    { name: `${prefix}.mlp.fc2.bias`, shape: [d] },
    { name: `${prefix}.layer_norm2.weight`, shape: [d] },
    { name: `${prefix}.layer_norm2.bias`, shape: [d] },
  );
  return specs;
}

/** Every weight of the image tower with its shape, in HF state-dict order. */
export function visionWeightSpecs(config: ClipVisionConfig): WeightSpec[] {
  const d = config.hiddenSize;
  const p = config.patchSize;
  const specs: WeightSpec[] = [
    { name: 'vision_model.embeddings.class_embedding', shape: [d] },
    { name: 'vision_model.embeddings.patch_embedding.weight', shape: [d, 3, p, p] }, // conv, no bias
    { name: 'vision_model.embeddings.position_embedding.weight', shape: [visionGrid(config).tokens, d] },
    { name: 'vision_model.pre_layrnorm.weight', shape: [d] }, // sic: HF's spelling
    { name: 'vision_model.pre_layrnorm.bias', shape: [d] },
  ];
  for (let i = 0; i < config.layers; i++) specs.push(...encoderLayerSpecs(`vision_model.encoder.layers.${i}`, d, config.intermediateSize));
  specs.push(
    { name: 'vision_model.post_layernorm.weight', shape: [d] },
    { name: 'vision_model.post_layernorm.bias', shape: [d] },
    { name: 'visual_projection.weight', shape: [config.projectionDim, d] }, // no bias
  );
  return specs;
}

/** Every weight of the text tower with its shape, in HF state-dict order. */
export function textWeightSpecs(config: ClipTextConfig): WeightSpec[] {
  const d = config.hiddenSize;
  const specs: WeightSpec[] = [
    { name: 'text_model.embeddings.token_embedding.weight', shape: [config.vocabSize, d] },
    { name: 'text_model.embeddings.position_embedding.weight', shape: [config.contextLength, d] },
  ];
  for (let i = 0; i < config.layers; i++) specs.push(...encoderLayerSpecs(`text_model.encoder.layers.${i}`, d, config.intermediateSize));
  specs.push(
    { name: 'text_model.final_layer_norm.weight', shape: [d] },
    { name: 'text_model.final_layer_norm.bias', shape: [d] },
    { name: 'text_projection.weight', shape: [config.projectionDim, d] }, // no bias
  );
  return specs;
}

/** Both towers' weights. */
export function clipWeightSpecs(config: ClipConfig): WeightSpec[] {
  return [...visionWeightSpecs(config.vision), ...textWeightSpecs(config.text)];
}
