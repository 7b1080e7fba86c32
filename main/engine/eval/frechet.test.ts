import { describe, expect, it } from 'vitest';
import { LafiteError } from '../../contract/errors.ts';
import { mulberry32, type Rng } from '../random.ts';
import { featureStats, frechetDistance, frechetDistanceOfRows, traceSqrtProduct, type FeatureStats } from './frechet.ts';

const gaussian = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/** G Gᵀ/m + 0.1·I for a random n×m G: symmetric positive definite, moderately conditioned. */
function randomSpd(n: number, rng: Rng, m = n + 3): Float64Array {
  const g = Float64Array.from({ length: n * m }, () => gaussian(rng));
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += g[i * m + k]! * g[j * m + k]!;
      s[i * n + j] = sum / m + (i === j ? 0.1 : 0);
    }
  }
  return s;
}

function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + a[i * n + k]! * b[k * n + j]!;
  return c;
}

/** A⁻¹ by Gauss–Jordan elimination with partial pivoting. */
function inverse(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[pivot * n + col]!)) pivot = r;
    for (const x of [m, inv]) for (let j = 0; j < n; j++) [x[col * n + j], x[pivot * n + j]] = [x[pivot * n + j]!, x[col * n + j]!];
    const scale = 1 / m[col * n + col]!;
    for (const x of [m, inv]) for (let j = 0; j < n; j++) x[col * n + j] = x[col * n + j]! * scale;
    for (let r = 0; r < n; r++) {
      const f = m[r * n + col]!;
      if (r === col || f === 0) continue;
      for (const x of [m, inv]) for (let j = 0; j < n; j++) x[r * n + j] = x[r * n + j]! - f * x[col * n + j]!;
    }
  }
  return inv;
}

/** Tr(A^½) by the Denman–Beavers iteration (Y → A^½, Z → A^−½), a route independent of the eigen solver. */
function traceSqrtDenmanBeavers(a: Float64Array, n: number): number {
  let y = Float64Array.from(a);
  let z = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
  for (let iteration = 0; iteration < 100; iteration++) {
    const yInv = inverse(y, n);
    const zInv = inverse(z, n);
    const next = y.map((v, k) => 0.5 * (v + zInv[k]!));
    z = z.map((v, k) => 0.5 * (v + yInv[k]!));
    const change = next.reduce((max, v, k) => Math.max(max, Math.abs(v - y[k]!)), 0);
    y = next;
    if (change < 1e-15 * n) break;
  }
  return Array.from({ length: n }, (_, i) => y[i * n + i]!).reduce((s, v) => s + v, 0);
}

const trace = (a: Float64Array, n: number): number => Array.from({ length: n }, (_, i) => a[i * n + i]!).reduce((s, v) => s + v, 0);
const stats = (mean: number[], covariance: number[]): FeatureStats => ({ count: 100, dim: mean.length, mean: Float64Array.from(mean), covariance: Float64Array.from(covariance) });
const diagonal = (values: number[]): number[] => values.flatMap((v, i) => values.map((_, j) => (i === j ? v : 0)));

/** Q diag(values) Qᵀ for an orthogonal Q. */
function rotated(values: number[], q: Float64Array): Float64Array {
  const n = values.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] = out[i * n + j]! + q[i * n + k]! * values[k]! * q[j * n + k]!;
  return out;
}

function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = Float64Array.from({ length: n * n }, () => gaussian(rng));
  for (let c = 0; c < n; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += q[r * n + c]! * q[r * n + p]!;
      for (let r = 0; r < n; r++) q[r * n + c] = q[r * n + c]! - dot * q[r * n + p]!;
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += q[r * n + c]! ** 2;
    for (let r = 0; r < n; r++) q[r * n + c] = q[r * n + c]! / Math.sqrt(norm);
  }
  return q;
}

function randomRows(count: number, dim: number, rng: Rng, scale = 1, shift = 0): Float32Array {
  return Float32Array.from({ length: count * dim }, (_, k) => gaussian(rng) * scale * (1 + (k % dim) / dim) + shift);
}

function errorOf(fn: () => unknown): LafiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LafiteError) return error;
    throw error;
  }
  throw new Error('expected a LafiteError');
}

describe('featureStats', () => {
  it('gives the mean and the N − 1 covariance of the rows (N with "biased")', () => {
    const rows = Float32Array.from([1, 2, 3, 5, 6, 4, 0, 1]); // 4 rows of 2
    const { count, mean, covariance } = featureStats(rows, 2);
    expect(count).toBe(4);
    expect([...mean]).toEqual([2.5, 3]);
    // deviations: (−1.5, −1), (0.5, 2), (3.5, 1), (−2.5, −2)
    expect([...covariance]).toEqual([expect.closeTo(21 / 3, 12), expect.closeTo(11 / 3, 12), expect.closeTo(11 / 3, 12), expect.closeTo(10 / 3, 12)]);
    expect([...featureStats(rows, 2, 'biased').covariance]).toEqual([
      expect.closeTo(21 / 4, 12),
      expect.closeTo(11 / 4, 12),
      expect.closeTo(11 / 4, 12),
      expect.closeTo(10 / 4, 12),
    ]);
  });

  it('matches a direct computation for a row count that is not a multiple of four', () => {
    const rng = mulberry32(12);
    const [count, dim] = [7, 5];
    const rows = randomRows(count, dim, rng);
    const { mean, covariance } = featureStats(rows, dim);
    for (let i = 0; i < dim; i++) {
      const mi = Array.from({ length: count }, (_, r) => rows[r * dim + i]!).reduce((s, v) => s + v, 0) / count;
      expect(mean[i]).toBeCloseTo(mi, 12);
      for (let j = 0; j < dim; j++) {
        const mj = Array.from({ length: count }, (_, r) => rows[r * dim + j]!).reduce((s, v) => s + v, 0) / count;
        const cij = Array.from({ length: count }, (_, r) => (rows[r * dim + i]! - mi) * (rows[r * dim + j]! - mj)).reduce((s, v) => s + v, 0) / (count - 1);
        expect(covariance[i * dim + j]).toBeCloseTo(cij, 12);
      }
    }
  });

  it('keeps float64 precision for features far from zero (centred accumulation)', () => {
    const rows = Float32Array.from([4096, 4097, 4098, 4099]); // 4 rows of 1: variance 5/3 on a large offset
    expect(featureStats(rows, 1).covariance[0]).toBeCloseTo(5 / 3, 12);
  });

  it('refuses ragged rows and too few rows', () => {
    expect(errorOf(() => featureStats(new Float32Array(5), 2)).message).toMatch(/5 values are not a whole number of 2-dimensional rows/);
    expect(errorOf(() => featureStats(new Float32Array(2), 2)).message).toMatch(/at least 2 feature rows, got 1/);
  });
});

describe('traceSqrtProduct', () => {
  it.each([2, 6, 24])('matches a Denman–Beavers square root of Σ1 Σ2 for random SPD matrices, D = %i', (n) => {
    const rng = mulberry32(n);
    const s1 = randomSpd(n, rng);
    const s2 = randomSpd(n, rng);
    const reference = traceSqrtDenmanBeavers(matMul(s1, s2, n), n);
    const { trace: ours, epsilonAdded } = traceSqrtProduct(s1, s2, n);
    expect(epsilonAdded).toBe(0);
    expect(Math.abs(ours - reference)).toBeLessThan(1e-10 * reference);
  });

  it('equals Σ √(a_i b_i) for commuting covariances (diagonal, or sharing a rotation)', () => {
    const a = [4, 1, 0.25, 9, 2];
    const b = [1, 16, 4, 0.5, 3];
    const expected = a.reduce((sum, ai, i) => sum + Math.sqrt(ai * b[i]!), 0);
    expect(traceSqrtProduct(Float64Array.from(diagonal(a)), Float64Array.from(diagonal(b)), 5).trace).toBeCloseTo(expected, 12);
    const q = randomOrthogonal(5, mulberry32(11));
    expect(traceSqrtProduct(rotated(a, q), rotated(b, q), 5).trace).toBeCloseTo(expected, 11);
  });
});

describe('frechetDistance', () => {
  it('is about 0 for identical sets', () => {
    const rows = randomRows(200, 16, mulberry32(1));
    const result = frechetDistanceOfRows(rows, rows, 16);
    expect(Math.abs(result.distance)).toBeLessThan(1e-10 * result.covarianceTerm + 1e-10);
    expect(result.meanTerm).toBe(0);
    expect(result.note).toBeUndefined();
  });

  it('is |Δμ|² for a pure mean shift', () => {
    const a = featureStats(randomRows(300, 8, mulberry32(2)), 8);
    const shift = [0.5, -1, 2, 0, 0.25, 3, -0.75, 1];
    const b: FeatureStats = { ...a, mean: a.mean.map((m, d) => m + shift[d]!) };
    const expected = shift.reduce((s, x) => s + x * x, 0);
    const result = frechetDistance(a, b);
    expect(result.meanTerm).toBeCloseTo(expected, 12);
    expect(Math.abs(result.covarianceTerm)).toBeLessThan(1e-12 * trace(a.covariance, 8));
    // the same through rows: b's rows are a's moved by the shift (float32 rounding only)
    const rowsA = randomRows(300, 8, mulberry32(3));
    const rowsB = rowsA.map((x, k) => x + shift[k % 8]!);
    expect(frechetDistanceOfRows(rowsA, rowsB, 8).distance).toBeCloseTo(expected, 4);
  });

  it('is symmetric in its arguments', () => {
    const a = featureStats(randomRows(120, 12, mulberry32(4)), 12);
    const b = featureStats(randomRows(150, 12, mulberry32(5), 1.5, 0.3), 12);
    const ab = frechetDistance(a, b).distance;
    expect(ab).toBeGreaterThan(1);
    expect(frechetDistance(b, a).distance).toBeCloseTo(ab, 10);
  });

  it('matches the closed form for two known 2-D Gaussians', () => {
    // N(0, I) and N((1, 2), [[2, 1], [1, 2]]): Σ2^½ has eigenvalues √3 and 1, so d² = 5 + (2 + 4 − 2(√3 + 1)) = 9 − 2√3
    const expected = 9 - 2 * Math.sqrt(3);
    expect(frechetDistance(stats([0, 0], [1, 0, 0, 1]), stats([1, 2], [2, 1, 1, 2])).distance).toBeCloseTo(expected, 12);
    // the same from rows with exactly those moments: z ∈ {(±1, ±1)} has mean 0 and biased covariance I; x = μ + L z, L Lᵀ = Σ2
    const z = [
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ] as const;
    const l = [
      [Math.SQRT2, 0],
      [Math.SQRT1_2, Math.sqrt(1.5)],
    ] as const;
    const rowsA = Float32Array.from(z.flat());
    const rowsB = Float32Array.from(z.flatMap(([z0, z1]) => [1 + l[0][0] * z0, 2 + l[1][0] * z0 + l[1][1] * z1]));
    expect(frechetDistanceOfRows(rowsA, rowsB, 2, { covariance: 'biased' }).distance).toBeCloseTo(expected, 5);
  });

  it('adds ε·I to a singular covariance, says so, and stays close to the exact value', () => {
    // Σ1 = diag(1, 0), Σ2 = diag(4, 0): exactly Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½) = 5 − 4 = 1
    const result = frechetDistance(stats([0, 0], diagonal([1, 0])), stats([0, 0], diagonal([4, 0])));
    expect(result.epsilonAdded).toBe(1e-6);
    expect(result.note).toMatch(/each covariance is singular.*added 0.000001 to both diagonals/);
    expect(result.distance).toBeCloseTo(1, 5);
    // fewer rows than dimensions: rank-deficient sample covariances
    const rows = randomRows(10, 32, mulberry32(6));
    const same = frechetDistanceOfRows(rows, rows, 32);
    expect(same.note).toMatch(/singular/);
    expect(Math.abs(same.distance)).toBeLessThan(1e-8);
    expect(Number.isFinite(frechetDistanceOfRows(rows, randomRows(10, 32, mulberry32(7)), 32).distance)).toBe(true);
  });

  it('agrees with the Denman–Beavers reference on sample statistics, D = 64', () => {
    const a = featureStats(randomRows(400, 64, mulberry32(8)), 64);
    const b = featureStats(randomRows(400, 64, mulberry32(9), 1.2, 0.1), 64);
    const reference = trace(a.covariance, 64) + trace(b.covariance, 64) - 2 * traceSqrtDenmanBeavers(matMul(a.covariance, b.covariance, 64), 64);
    expect(frechetDistance(a, b).covarianceTerm).toBeCloseTo(reference, 8);
  });

  it('refuses statistics of different dimensions', () => {
    const error = errorOf(() => frechetDistance(stats([0, 0], diagonal([1, 1])), stats([0], [1])));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/feature dimensions differ: 2 and 1/);
  });
});
