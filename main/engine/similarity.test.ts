import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { mulberry32 } from './random.ts';
import { cosineChunks, nearDuplicates } from './similarity.ts';

const normalise = (v: number[]): Float32Array => {
  const norm = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / norm));
};
const randomUnit = (rng: () => number, dim: number): Float32Array => normalise(Array.from({ length: dim }, () => rng() - 0.5));

describe('cosineChunks', () => {
  it('matches a direct dot product for every pair, whatever the chunk size', async () => {
    await initBackend('cpu');
    const rng = mulberry32(3);
    const queries = Array.from({ length: 7 }, () => randomUnit(rng, 5));
    const keys = Array.from({ length: 4 }, () => randomUnit(rng, 5));
    const seen: number[] = [];
    for await (const { start, rows, sims } of cosineChunks(queries, keys, 5, 3)) {
      for (let r = 0; r < rows; r++) {
        seen.push(start + r);
        for (let k = 0; k < keys.length; k++) {
          const direct = queries[start + r]!.reduce((sum, x, d) => sum + x * keys[k]![d]!, 0);
          expect(sims[r * keys.length + k]).toBeCloseTo(direct, 5);
        }
      }
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('nearDuplicates', () => {
  it('marks later near-copies of a kept item, not chains through a duplicate', async () => {
    await initBackend('cpu');
    const a = normalise([1, 0, 0]);
    const b = normalise([0.999, 0.04, 0]); // ≈ a
    const c = normalise([0.995, 0.1, 0]); // ≈ b (0.998), and a (0.995)
    const d = normalise([0, 1, 0]);
    const found = await nearDuplicates([a, b, c, d], 3, 0.996, 2);
    expect(found[0]).toBeUndefined();
    expect(found[1]).toMatchObject({ of: 0 });
    expect(found[1]!.cosine).toBeGreaterThan(0.998);
    expect(found[2]).toBeUndefined(); // near b only, and b is not kept
    expect(found[3]).toBeUndefined();
  });
});
