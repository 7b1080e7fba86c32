/**
 * The CLIP exports `model-download` knows by id (main/engine/encoders/registry.ts), as the
 * Models view offers them. Sizes are approximate, for the user's decision only.
 */
export interface DownloadableModel {
  id: string;
  description: string;
  /** Hugging Face repository the files come from. */
  repo: string;
  dim: number;
  approxBytes: number;
}

export const DOWNLOADABLE_MODELS: readonly DownloadableModel[] = [
  { id: 'clip-vit-b32', description: 'OpenAI CLIP ViT-B/32 (ONNX export by Xenova)', repo: 'Xenova/clip-vit-base-patch32', dim: 512, approxBytes: 608_000_000 },
  { id: 'clip-vit-b16', description: 'OpenAI CLIP ViT-B/16 (ONNX export by Xenova)', repo: 'Xenova/clip-vit-base-patch16', dim: 512, approxBytes: 601_000_000 },
];
