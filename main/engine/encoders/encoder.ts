/**
 * The encoder interface: a CLIP-like joint image–text feature space. Every encoder (a real
 * CLIP exported to ONNX, the ShapesWorld demo model `shapes-clip`) returns L2-normalised
 * float32 rows, batched, with progress and cancel for large inputs.
 *
 * @example
 *   const encoder = await loadClipOnnx('/models/clip-vit-b32');
 *   const texts = await encoder.encodeTexts(['a photo of a dog']);   // texts.dim === 512
 *   const images = await encoder.encodeImages([{ kind: 'encoded', bytes }], { onProgress });
 *   await encoder.dispose();
 */

/** A row-major matrix of features: `count` rows of `dim` float32 values, each of unit L2 norm. */
export interface Features {
  count: number;
  dim: number;
  data: Float32Array; // [count, dim]
}

/** An image as the engine receives it: encoded file bytes (PNG, JPEG, …) or decoded pixels. */
export type ImageSource = { kind: 'encoded'; bytes: Uint8Array } | { kind: 'raw'; data: Uint8Array; width: number; height: number; channels: 3 | 4 };

export interface EncodeOptions {
  /** Items per model call. */
  batchSize?: number;
  /** Checked between batches; an aborted signal rejects with a `cancelled` LafiteError. */
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export interface Encoder {
  /** Stable id, used as the embedding cache key together with the content hash. */
  readonly id: string;
  /** Feature dimension (512 for CLIP ViT-B/32 and B/16). */
  readonly dim: number;
  encodeImages(images: readonly ImageSource[], options?: EncodeOptions): Promise<Features>;
  encodeTexts(texts: readonly string[], options?: EncodeOptions): Promise<Features>;
  /** Frees the ONNX Runtime sessions. */
  dispose(): Promise<void>;
}
