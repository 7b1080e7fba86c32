/**
 * Cosine similarity between many L2-normalised rows, as batched matrix products in chunks
 * (one `tf.matMul` per chunk of queries) rather than a loop per pair: CLIP Interrogator
 * ranks its lists the same way (LAFITE_REFERENCE.md). Memory stays at one chunk × keys.
 *
 * @example
 *   for await (const { start, rows, sims } of cosineChunks(queries, keys, dim)) ...  // sims: [rows, keys]
 */
import * as tf from '@tensorflow/tfjs';

/** Rows of queries per matrix product: 256 × 10,000 keys is 10 MB of float32. */
export const DEFAULT_CHUNK_ROWS = 256;

export interface SimilarityChunk {
  /** Index of the chunk's first query. */
  start: number;
  rows: number;
  /** Row-major [rows, keys.length] cosines. */
  sims: Float32Array;
}

/** Packs vectors of one dimension into a [n, dim] tensor's data. */
export function packRows(vectors: readonly Float32Array[], dim: number): Float32Array {
  const packed = new Float32Array(vectors.length * dim);
  vectors.forEach((vector, i) => {
    if (vector.length !== dim) throw new Error(`vector ${i} has ${vector.length} dimensions, expected ${dim}`);
    packed.set(vector, i * dim);
  });
  return packed;
}

/** Cosines of every query against every key, a chunk of queries at a time (both sets L2-normalised), read asynchronously (`dataSync` fails on webgpu in Node). */
export async function* cosineChunks(queries: readonly Float32Array[], keys: readonly Float32Array[], dim: number, chunkRows = DEFAULT_CHUNK_ROWS): AsyncGenerator<SimilarityChunk> {
  if (keys.length === 0 || queries.length === 0) return;
  const keysT = tf.tensor2d(packRows(keys, dim), [keys.length, dim]); // [K, D]
  try {
    for (let start = 0; start < queries.length; start += chunkRows) {
      const rows = Math.min(chunkRows, queries.length - start);
      const sims = tf.tidy(() => {
        const q = tf.tensor2d(packRows(queries.slice(start, start + rows), dim), [rows, dim]); // [R, D]
        return tf.matMul(q, keysT, false, true); // [R, K] = q · keysᵀ
      });
      const data = (await sims.data()) as Float32Array;
      sims.dispose();
      yield { start, rows, sims: data };
    }
  } finally {
    keysT.dispose();
  }
}

/**
 * Near-duplicates in order: item i is a duplicate of the most similar earlier item that is
 * itself kept, when their cosine is at least `threshold` (so a chain a≈b≈c keeps a, not b).
 * Returns, per item, the index it duplicates and the cosine, or undefined.
 */
export async function nearDuplicates(
  vectors: readonly Float32Array[],
  dim: number,
  threshold: number,
  chunkRows = DEFAULT_CHUNK_ROWS,
): Promise<({ of: number; cosine: number } | undefined)[]> {
  const found: ({ of: number; cosine: number } | undefined)[] = new Array(vectors.length).fill(undefined);
  for await (const { start, rows, sims } of cosineChunks(vectors, vectors, dim, chunkRows)) {
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      let best = -1;
      let bestCosine = threshold;
      for (let j = 0; j < i; j++) {
        const cosine = sims[r * vectors.length + j]!;
        if (cosine >= bestCosine && found[j] === undefined) {
          best = j;
          bestCosine = cosine;
        }
      }
      if (best >= 0) found[i] = { of: best, cosine: bestCosine };
    }
  }
  return found;
}
