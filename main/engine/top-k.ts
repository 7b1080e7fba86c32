/**
 * Top-k cosine search: for every query row, the k most similar key rows, as one ONNX Runtime
 * graph (MatMul then TopK) run a chunk of queries at a time. ONNX Runtime's matrix product
 * is the fastest float32 product on a CPU here, and fusing TopK keeps the [chunk, keys] score
 * matrix inside the session. This is how CLIP Interrogator ranks its word lists
 * (LAFITE_REFERENCE.md), and how Lafite2 retrieval ranks words and prompts.
 *
 * @example
 *   const search = await TopKSearch.create(wordFeatures, dim);      // keys: [M, D], unit rows
 *   const { indices, scores } = await search.query(imageFeatures, 5); // [N, 5] each
 *   await search.dispose();
 */
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from './clip/onnx-builder.ts';

/** Query rows per session run: 256 × 49,408 keys is 50 MB of scores. */
export const TOP_K_CHUNK_ROWS = 256;

export interface TopKResult {
  /** Row-major [queries, k]: key indices, best first. */
  indices: Int32Array;
  /** Row-major [queries, k]: their cosines. */
  scores: Float32Array;
  k: number;
}

/** scores = queries · keysT; (values, indices) = TopK(scores, k) along the keys. */
function topKGraph(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const scores = g.node('MatMul', ['queries', 'keys_t']);
  g.nodeWithOutputs('TopK', [scores, 'k'], ['values', 'indices'], { axis: { i: 1 }, largest: { i: 1 }, sorted: { i: 1 } });
  return g.toModel(
    'top_k_cosine',
    [
      { name: 'queries', elemType: 'float32', shape: ['rows', 'dim'] },
      { name: 'keys_t', elemType: 'float32', shape: ['dim', 'keys'] },
      { name: 'k', elemType: 'int64', shape: [1] },
    ],
    [
      { name: 'values', elemType: 'float32', shape: ['rows', 'top'] },
      { name: 'indices', elemType: 'int64', shape: ['rows', 'top'] },
    ],
  );
}

let graph: Uint8Array | undefined;

export class TopKSearch {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly keysT: ort.Tensor,
    readonly keys: number,
    readonly dim: number,
  ) {}

  /** Keys: row-major [M, D] (e.g. word features). */
  static async create(keys: Float32Array, dim: number): Promise<TopKSearch> {
    const count = keys.length / dim;
    if (!Number.isInteger(count) || count === 0) throw new Error(`top-k keys: ${keys.length} values are not rows of ${dim}`);
    const transposed = new Float32Array(keys.length); // [D, M]
    for (let m = 0; m < count; m++) for (let d = 0; d < dim; d++) transposed[d * count + m] = keys[m * dim + d]!;
    const session = await ort.InferenceSession.create((graph ??= topKGraph()));
    return new TopKSearch(session, new ort.Tensor('float32', transposed, [dim, count]), count, dim);
  }

  /** The k best keys of every query (row-major [N, D]); `onChunk` reports rows done. */
  async query(queries: Float32Array, k: number, options: { chunkRows?: number; onChunk?: (done: number) => void } = {}): Promise<TopKResult> {
    const n = queries.length / this.dim;
    const top = Math.min(k, this.keys);
    const indices = new Int32Array(n * top);
    const scores = new Float32Array(n * top);
    const chunkRows = options.chunkRows ?? TOP_K_CHUNK_ROWS;
    const kTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(top)]), [1]);
    for (let start = 0; start < n; start += chunkRows) {
      const rows = Math.min(chunkRows, n - start);
      const chunk = new ort.Tensor('float32', queries.subarray(start * this.dim, (start + rows) * this.dim), [rows, this.dim]);
      const out = await this.session.run({ queries: chunk, keys_t: this.keysT, k: kTensor });
      scores.set(out.values!.data as Float32Array, start * top);
      const found = out.indices!.data as BigInt64Array;
      for (let i = 0; i < found.length; i++) indices[start * top + i] = Number(found[i]);
      options.onChunk?.(start + rows);
    }
    return { indices, scores, k: top };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
