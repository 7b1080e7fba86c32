/**
 * Encodes through the embedding cache: only what is not cached is encoded, batch by batch,
 * and each batch is stored as soon as it is done, so a cancelled or killed run resumes
 * where it stopped and nothing is encoded twice.
 */
import { LafiteError } from '../contract/errors.ts';
import type { EncodeOptions, Features } from '../engine/encoders/encoder.ts';
import type { EmbeddingKind, EmbeddingStore } from '../store/embeddings.ts';

export interface CacheItem<S> {
  /** Content key: an image's sha256, or the text. */
  key: string;
  /** Loads what the encoder needs, only when the key is not cached. */
  load(): S | Promise<S>;
}

export interface CachedEncodeOptions extends EncodeOptions {
  /** Items encoded (and stored) per step. */
  batchSize?: number;
}

export interface CachedEncodeResult {
  features: Features; // [items.length, dim], in the order of `items`
  encoded: number;
  cached: number;
}

export async function encodeCached<S>(
  modelId: string,
  kind: EmbeddingKind,
  items: readonly CacheItem<S>[],
  encode: (sources: S[], options: EncodeOptions) => Promise<Features>,
  cache: EmbeddingStore,
  options: CachedEncodeOptions = {},
): Promise<CachedEncodeResult> {
  const batchSize = options.batchSize ?? 64;
  const todo = new Set(
    cache.missing(
      modelId,
      kind,
      items.map((item) => item.key),
    ),
  );
  // Each distinct missing key is encoded once, however often it occurs.
  const firstOfKey = new Map<string, CacheItem<S>>();
  const occurrences = new Map<string, number>();
  for (const item of items) {
    if (!todo.has(item.key)) continue;
    if (!firstOfKey.has(item.key)) firstOfKey.set(item.key, item);
    occurrences.set(item.key, (occurrences.get(item.key) ?? 0) + 1);
  }
  const pending = [...firstOfKey.values()];
  const total = items.length;
  const cachedCount = total - [...occurrences.values()].reduce((a, b) => a + b, 0);
  let done = cachedCount;
  options.onProgress?.(done, total);

  for (let start = 0; start < pending.length; start += batchSize) {
    if (options.signal?.aborted) throw new LafiteError('cancelled', 'cancelled by the user');
    const batch = pending.slice(start, start + batchSize);
    const sources = await Promise.all(batch.map((item) => item.load()));
    const features = await encode(sources, { ...(options.signal ? { signal: options.signal } : {}), batchSize });
    cache.putMany(
      modelId,
      kind,
      batch.map((item, row) => [item.key, features.data.slice(row * features.dim, (row + 1) * features.dim)] as const),
    );
    done += batch.reduce((sum, item) => sum + occurrences.get(item.key)!, 0);
    options.onProgress?.(done, total);
  }
  return {
    features: assemble(
      cache.getMany(
        modelId,
        kind,
        items.map((item) => item.key),
      ),
      items,
    ),
    encoded: pending.length,
    cached: cachedCount,
  };
}

function assemble<S>(vectors: Map<string, Float32Array>, items: readonly CacheItem<S>[]): Features {
  const first = vectors.values().next().value;
  const dim = first?.length ?? 0;
  const data = new Float32Array(items.length * dim);
  items.forEach((item, row) => {
    const vector = vectors.get(item.key);
    if (vector) data.set(vector, row * dim);
  });
  return { count: items.length, dim, data };
}
