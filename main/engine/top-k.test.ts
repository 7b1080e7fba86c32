import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.ts';
import { TopKSearch } from './top-k.ts';

function unitRows(n: number, dim: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (out[i * dim + d] = rng() - 0.5) ** 2;
    for (let d = 0; d < dim; d++) out[i * dim + d]! /= Math.sqrt(norm);
  }
  return out;
}

describe('TopKSearch', () => {
  it('finds the same k best keys, in order, as a direct search over every pair', async () => {
    const [dim, m, n, k] = [8, 50, 21, 4];
    const keys = unitRows(m, dim, 1);
    const queries = unitRows(n, dim, 2);
    const search = await TopKSearch.create(keys, dim);
    const { indices, scores } = await search.query(queries, k, { chunkRows: 5 });
    for (let i = 0; i < n; i++) {
      const direct = Array.from({ length: m }, (_, j) => ({ j, s: queries.subarray(i * dim, (i + 1) * dim).reduce((sum, x, d) => sum + x * keys[j * dim + d]!, 0) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, k);
      expect(Array.from(indices.subarray(i * k, (i + 1) * k))).toEqual(direct.map((e) => e.j));
      direct.forEach((e, r) => expect(scores[i * k + r]).toBeCloseTo(e.s, 5));
    }
    await search.dispose();
  });

  it('caps k at the number of keys', async () => {
    const search = await TopKSearch.create(unitRows(3, 4, 3), 4);
    const result = await search.query(unitRows(2, 4, 4), 10);
    expect(result.k).toBe(3);
    expect(result.indices).toHaveLength(6);
    await search.dispose();
  });
});
