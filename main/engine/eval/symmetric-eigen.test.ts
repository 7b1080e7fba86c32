import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

/** A random symmetric n×n matrix with entries in [−1, 1]. */
function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = 2 * rng() - 1;
  return a;
}

/** max |Vᵀ diag(λ) V − A| and max |V Vᵀ − I|. */
function residuals(a: Float64Array, values: Float64Array, vectors: Float64Array, n: number): { reconstruction: number; orthogonality: number } {
  let reconstruction = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let gram = 0;
      for (let k = 0; k < n; k++) {
        sum += vectors[k * n + i]! * values[k]! * vectors[k * n + j]!;
        gram += vectors[i * n + k]! * vectors[j * n + k]!;
      }
      reconstruction = Math.max(reconstruction, Math.abs(sum - a[i * n + j]!));
      orthogonality = Math.max(orthogonality, Math.abs(gram - (i === j ? 1 : 0)));
    }
  }
  return { reconstruction, orthogonality };
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 7, 40])('decomposes a random symmetric %i×%i matrix: A = Vᵀ Λ V, V orthonormal, λ ascending', (n) => {
    const a = randomSymmetric(n, n);
    const { values, vectors } = symmetricEigen(a, n);
    expect(values).toHaveLength(n);
    expect(vectors).toHaveLength(n * n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const { reconstruction, orthogonality } = residuals(a, values, vectors!, n);
    expect(reconstruction).toBeLessThan(1e-12 * n);
    expect(orthogonality).toBeLessThan(1e-12 * n);
  });

  it('gives the same eigenvalues without vectors', () => {
    const a = randomSymmetric(30, 5);
    const withVectors = symmetricEigen(a, 30).values;
    const valuesOnly = symmetricEigen(a, 30, { vectors: false });
    expect(valuesOnly.vectors).toBeUndefined();
    valuesOnly.values.forEach((value, i) => expect(value).toBeCloseTo(withVectors[i]!, 12));
  });

  it('finds known spectra: 2×2, diagonal, repeated, zero and rank one', () => {
    expect([...symmetricEigen([2, 1, 1, 2], 2).values]).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)]);
    expect([...symmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 2], 3).values]).toEqual([-1, 2, 3]);
    const identity = Float64Array.from({ length: 25 }, (_, k) => (k % 6 === 0 ? 4 : 0));
    const repeated = symmetricEigen(identity, 5);
    expect([...repeated.values]).toEqual([4, 4, 4, 4, 4]);
    expect(residuals(identity, repeated.values, repeated.vectors!, 5).orthogonality).toBeLessThan(1e-14);
    expect([...symmetricEigen(new Float64Array(9), 3).values]).toEqual([0, 0, 0]);
    const u = [1, 2, -2, 4];
    const rankOne = Float64Array.from({ length: 16 }, (_, k) => u[Math.floor(k / 4)]! * u[k % 4]!); // u uᵀ: eigenvalues 0, 0, 0, |u|² = 25
    const values = symmetricEigen(rankOne, 4).values;
    values.slice(0, 3).forEach((value) => expect(Math.abs(value)).toBeLessThan(1e-13));
    expect(values[3]).toBeCloseTo(25, 12);
  });

  it('returns empty results for a 0×0 matrix and refuses bad input', () => {
    expect(symmetricEigen([], 0).values).toHaveLength(0);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/3 values for a 2×2 matrix/);
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/entry 1 is NaN/);
  });
});
