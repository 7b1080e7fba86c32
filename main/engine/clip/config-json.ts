/**
 * The Hugging Face `config.json` of a CLIPModel (model_type 'clip') ↔ ClipConfig. Fields a
 * real export leaves out take HF's `CLIPTextConfig` / `CLIPVisionConfig` defaults.
 *
 * @example
 *   const config = clipConfigFromJson(JSON.parse(await readFile('config.json', 'utf8')));
 */
import { validateClipConfig, type ClipConfig } from './config.ts';

/** The subset of HF's CLIPConfig that we read and write. */
export interface HfClipConfigJson {
  model_type?: string;
  architectures?: string[];
  projection_dim?: number;
  logit_scale_init_value?: number;
  text_config?: Record<string, unknown>;
  vision_config?: Record<string, unknown>;
}

/** HF defaults (transformers `CLIPTextConfig`, `CLIPVisionConfig`): the ViT-B/32 numbers. */
const TEXT_DEFAULTS = {
  vocab_size: 49408,
  hidden_size: 512,
  intermediate_size: 2048,
  num_hidden_layers: 12,
  num_attention_heads: 8,
  max_position_embeddings: 77,
  layer_norm_eps: 1e-5,
  eos_token_id: 49407,
};
const VISION_DEFAULTS = { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, image_size: 224, patch_size: 32, layer_norm_eps: 1e-5 };

/** ClipConfig → the HF config.json object. */
export function clipConfigToJson(config: ClipConfig): HfClipConfigJson {
  const { text, vision } = config;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: vision.projectionDim,
    logit_scale_init_value: 2.6592, // ln(1/0.07), CLIP's initial temperature
    text_config: {
      model_type: 'clip_text_model',
      vocab_size: text.vocabSize,
      max_position_embeddings: text.contextLength,
      hidden_size: text.hiddenSize,
      intermediate_size: text.intermediateSize,
      num_hidden_layers: text.layers,
      num_attention_heads: text.heads,
      projection_dim: text.projectionDim,
      hidden_act: 'quick_gelu',
      layer_norm_eps: text.layerNormEps,
      eos_token_id: text.eosTokenId,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      image_size: vision.imageSize,
      patch_size: vision.patchSize,
      num_channels: 3,
      hidden_size: vision.hiddenSize,
      intermediate_size: vision.intermediateSize,
      num_hidden_layers: vision.layers,
      num_attention_heads: vision.heads,
      projection_dim: vision.projectionDim,
      hidden_act: 'quick_gelu',
      layer_norm_eps: vision.layerNormEps,
    },
  };
}

function numberField(section: Record<string, unknown>, defaults: Record<string, number>, key: string, where: string): number {
  const value = section[key] ?? defaults[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`config.json: ${where}.${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The HF config.json object → ClipConfig. Legacy configs say eos_token_id 2 and HF then pools
 * at argmax(input_ids); CLIP's EOS is the largest id (vocab_size − 1), so the first position
 * of that id is the same token.
 */
export function clipConfigFromJson(json: HfClipConfigJson): ClipConfig {
  if (json.model_type !== undefined && json.model_type !== 'clip') throw new Error(`config.json: model_type is '${json.model_type}', expected 'clip'`);
  const t = json.text_config ?? {};
  const v = json.vision_config ?? {};
  const projectionDim = json.projection_dim ?? 512;
  const text = (key: string) => numberField(t, TEXT_DEFAULTS, key, 'text_config');
  const vision = (key: string) => numberField(v, VISION_DEFAULTS, key, 'vision_config');
  const hiddenAct = [t.hidden_act, v.hidden_act].find((a) => a !== undefined && a !== 'quick_gelu');
  if (hiddenAct !== undefined) throw new Error(`config.json: hidden_act '${String(hiddenAct)}' is not supported (only quick_gelu, as OpenAI CLIP)`);
  const vocabSize = text('vocab_size');
  const eos = text('eos_token_id');
  const config: ClipConfig = {
    text: {
      vocabSize,
      contextLength: text('max_position_embeddings'),
      hiddenSize: text('hidden_size'),
      layers: text('num_hidden_layers'),
      heads: text('num_attention_heads'),
      intermediateSize: text('intermediate_size'),
      projectionDim,
      eosTokenId: eos === 2 ? vocabSize - 1 : eos,
      layerNormEps: text('layer_norm_eps'),
    },
    vision: {
      imageSize: vision('image_size'),
      patchSize: vision('patch_size'),
      hiddenSize: vision('hidden_size'),
      layers: vision('num_hidden_layers'),
      heads: vision('num_attention_heads'),
      intermediateSize: vision('intermediate_size'),
      projectionDim,
      layerNormEps: vision('layer_norm_eps'),
    },
  };
  validateClipConfig(config);
  return config;
}
