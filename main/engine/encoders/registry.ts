/**
 * Known CLIP exports the model manager can download: the Hugging Face ONNX layout that
 * loadClipOnnx reads, from the Xenova conversions of OpenAI's CLIP ViT-B/32 and ViT-B/16.
 *
 * A file's `sha256` is filled only where it was read from the source; where it is unknown it
 * stays undefined (never invented): the downloader then records the hash it computed, and
 * verifies whenever one is given. `approxBytes` is for progress and disk-space messages only.
 *
 * @example
 *   const entry = registryEntry('clip-vit-b32');
 *   const urls = entry.files.map((f) => fileUrl(entry, f, process.env.LAFITE_MODEL_MIRROR));
 */

/** One file of a model folder. */
export interface RegistryFile {
  /** Path inside the model folder (and inside the repository). */
  path: string;
  /** Hex sha256 of the file, where known. */
  sha256?: string;
  /** Rough size in bytes, for progress before the server tells; not checked. */
  approxBytes?: number;
}

export interface RegistryEntry {
  /** Model id in Lafite Studio (also the folder name under dataDir/models). */
  id: string;
  /** In words, for lists. */
  description: string;
  /** Hugging Face repository, `owner/name`. */
  repo: string;
  /** Git revision (branch, tag or commit) to download. */
  revision: string;
  /** Feature dimension. */
  dim: number;
  files: readonly RegistryFile[];
}

/** Where Hugging Face serves files; `LAFITE_MODEL_MIRROR` or an option replaces it. */
export const HUGGING_FACE_URL = 'https://huggingface.co';

/** The files of a Xenova CLIP export, as loadClipOnnx needs them. */
const clipFiles = (textMb: number, visionMb: number): RegistryFile[] => [
  { path: 'onnx/text_model.onnx', approxBytes: textMb * 1_000_000 },
  { path: 'onnx/vision_model.onnx', approxBytes: visionMb * 1_000_000 },
  { path: 'tokenizer.json', approxBytes: 2_200_000 },
  { path: 'tokenizer_config.json', approxBytes: 1_000 },
  { path: 'special_tokens_map.json', approxBytes: 1_000 },
  { path: 'preprocessor_config.json', approxBytes: 1_000 },
  { path: 'config.json', approxBytes: 5_000 },
];

export const MODEL_REGISTRY = [
  {
    id: 'clip-vit-b32',
    description: 'OpenAI CLIP ViT-B/32 (ONNX export by Xenova), 512-d',
    repo: 'Xenova/clip-vit-base-patch32',
    revision: 'main',
    dim: 512,
    files: clipFiles(254, 352),
  },
  {
    id: 'clip-vit-b16',
    description: 'OpenAI CLIP ViT-B/16 (ONNX export by Xenova), 512-d',
    repo: 'Xenova/clip-vit-base-patch16',
    revision: 'main',
    dim: 512,
    files: clipFiles(254, 345),
  },
] as const satisfies readonly RegistryEntry[];

export type RegistryId = (typeof MODEL_REGISTRY)[number]['id'];

export function registryEntry(id: string): RegistryEntry | undefined {
  return (MODEL_REGISTRY as readonly RegistryEntry[]).find((entry) => entry.id === id);
}

/** `https://huggingface.co/<repo>/resolve/<revision>/<path>`, on `baseUrl` when given (a mirror). */
export function fileUrl(entry: RegistryEntry, file: RegistryFile, baseUrl: string = HUGGING_FACE_URL): string {
  const base = baseUrl.replace(/\/+$/, '');
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  return `${base}/${entry.repo}/resolve/${encodeURIComponent(entry.revision)}/${path}`;
}
