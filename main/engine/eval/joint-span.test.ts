import { describe, expect, it } from 'vitest';
import { normalSampler } from '../clip/weights.ts';
import { frechetDistanceOfRows } from './frechet.ts';
import { projectOntoJointSpan } from './joint-span.ts';

function rows(n: number, dim: number, seed: number, shift: number, rank = dim): Float32Array {
  const normal = normalSampler(seed);
  const mix = Array.from({ length: rank * dim }, () => normal()); // rows = latent [n, rank] · mix [rank, dim] + shift
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const latent = Array.from({ length: rank }, () => normal());
    for (let d = 0; d < dim; d++) out[i * dim + d] = shift + latent.reduce((sum, z, k) => sum + z * mix[k * dim + d]!, 0);
  }
  return out;
}

describe('projectOntoJointSpan', () => {
  it('keeps the Fréchet distance (ε = 0) in at most N1 + N2 − 1 dimensions', () => {
    const dim = 64;
    const a = rows(9, dim, 1, 0);
    const b = rows(13, dim, 2, 0.3);
    const projected = projectOntoJointSpan(a, b, dim);
    expect(projected.dim).toBe(9 + 13 - 1);
    expect(projected.a).toHaveLength(9 * projected.dim);
    const full = frechetDistanceOfRows(a, b, dim, { epsilon: 0 });
    const reduced = frechetDistanceOfRows(projected.a, projected.b, projected.dim, { epsilon: 0 });
    expect(Math.abs(reduced.distance - full.distance)).toBeLessThan(1e-5 * full.distance);
    expect(Math.abs(reduced.meanTerm - full.meanTerm)).toBeLessThan(1e-5 * full.meanTerm);
  });

  it('stays exact on rank-deficient features (rank 3 in 64 dimensions, singular covariances)', () => {
    const a = rows(10, 64, 3, 0, 3);
    const b = rows(12, 64, 4, 1, 3);
    const projected = projectOntoJointSpan(a, b, 64);
    expect(projected.dim).toBeLessThanOrEqual(21);
    const full = frechetDistanceOfRows(a, b, 64, { epsilon: 0 }).distance;
    expect(frechetDistanceOfRows(projected.a, projected.b, projected.dim, { epsilon: 0 }).distance).toBeCloseTo(full, 3);
  });

  it('leaves rows as they are when they would span every dimension, and gives 0 for equal sets', () => {
    const a = rows(10, 8, 5, 0);
    const same = projectOntoJointSpan(a, rows(10, 8, 6, 0), 8);
    expect(same.dim).toBe(8);
    expect(same.a).toBe(a);
    const twin = projectOntoJointSpan(rows(6, 32, 7, 0), rows(6, 32, 7, 0), 32);
    expect(frechetDistanceOfRows(twin.a, twin.b, twin.dim, { epsilon: 0 }).distance).toBeCloseTo(0, 6);
    expect(() => projectOntoJointSpan(new Float32Array(5), a, 8)).toThrow(/not rows of 8/);
  });
});
