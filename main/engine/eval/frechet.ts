/**
 * Fréchet distance between two sets of feature rows, each modelled as a Gaussian N(μ, Σ)
 * (Heusel et al. 2017, "GANs trained by a two time-scale update rule…", eq. 6; Dowson &
 * Landau 1982). With Inception features it is FID; with CLIP image features, the FD that
 * Lafite §4 reports beside it. We return d², as FID does:
 *
 *   d² = |μ1 − μ2|² + Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½)
 *
 * The matrix square root is never formed. Σ1 Σ2 is similar to the symmetric PSD matrix
 * M = Σ1^½ Σ2 Σ1^½, so Tr((Σ1 Σ2)^½) = Σ_i √λ_i(M). With Σ1 = Vᵀ Λ V (symmetric-eigen.ts),
 * M is similar to Λ^½ (V Σ2 Vᵀ) Λ^½, which costs one eigendecomposition with vectors, two
 * matrix products and one eigenvalue-only decomposition, all float64; tiny negative
 * eigenvalues (rounding) are clamped to 0. Where pytorch-fid's scipy `sqrtm` returns a
 * complex result for near-singular products, this stays real and exact.
 *
 * Statistics accumulate in float64 from centred rows (two passes). The covariance divides by
 * N − 1 as pytorch-fid and the original TTUR code (`np.cov`) do; Lafite's official code
 * (StyleGAN2-ADA `FeatureStats`) divides by N: `covariance: 'biased'` selects that.
 * A numerically singular covariance (fewer rows than dimensions, or a constant feature) gets
 * ε·I added to both covariances, as pytorch-fid does (ε = 1e-6), and the result says so.
 *
 * @example
 *   const fd = frechetDistanceOfRows(realFeatures, fakeFeatures, 512);  // fd.distance = d²
 */
import { invalidInput } from '../../contract/errors.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

/** N − 1 (pytorch-fid, TTUR: the default) or N (Lafite / StyleGAN2-ADA official code). */
export type CovarianceNormalisation = 'unbiased' | 'biased';

/** Mean and covariance of a set of feature rows. */
export interface FeatureStats {
  /** Rows the statistics were computed from. */
  count: number;
  dim: number;
  /** μ, [D]. */
  mean: Float64Array;
  /** Σ, row-major [D, D], symmetric. */
  covariance: Float64Array;
}

export interface FrechetOptions {
  /** Added to both covariance diagonals when one of them is singular (pytorch-fid's offset). Default 1e-6. */
  epsilon?: number;
}

export interface FrechetResult {
  /** d² = |μ1 − μ2|² + Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½): the number FID reports. */
  distance: number;
  /** |μ1 − μ2|². */
  meanTerm: number;
  /** Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½). */
  covarianceTerm: number;
  /** ε added to the covariance diagonals: 0 unless one was singular. */
  epsilonAdded: number;
  /** Why ε was added, when it was. */
  note?: string;
}

/** pytorch-fid's diagonal offset for singular covariances. */
export const DEFAULT_EPSILON = 1e-6;
const MACHINE_EPS = 2 ** -52;

/** μ and Σ of `rows` (row-major [N, dim]), accumulated in float64 from centred rows. */
export function featureStats(rows: Float32Array, dim: number, covariance: CovarianceNormalisation = 'unbiased'): FeatureStats {
  if (!(Number.isInteger(dim) && dim > 0)) throw invalidInput(`feature dimension must be a positive integer, got ${dim}`, 'dim');
  if (rows.length % dim !== 0) throw invalidInput(`${rows.length} values are not a whole number of ${dim}-dimensional rows`, 'rows');
  const count = rows.length / dim;
  const minRows = covariance === 'unbiased' ? 2 : 1;
  if (count < minRows) throw invalidInput(`a covariance needs at least ${minRows} feature rows, got ${count}`, 'rows');
  const mean = new Float64Array(dim);
  for (let r = 0; r < count; r++) for (let d = 0; d < dim; d++) mean[d] = mean[d]! + rows[r * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d] = mean[d]! / count;
  const cov = scatterMatrix(rows, dim, count, mean);
  const scale = 1 / (covariance === 'unbiased' ? count - 1 : count);
  for (let i = 0; i < cov.length; i++) cov[i] = cov[i]! * scale;
  return { count, dim, mean, covariance: cov };
}

/**
 * Σ_r (x_r − μ)(x_r − μ)ᵀ, [D, D]: the upper triangle accumulated four rows at a time (one
 * pass over it per four rows instead of per row, the cost that dominates at N ≫ D), then mirrored.
 */
function scatterMatrix(rows: Float32Array, dim: number, count: number, mean: Float64Array): Float64Array {
  const scatter = new Float64Array(dim * dim);
  const x = [0, 1, 2, 3].map(() => new Float64Array(dim));
  const [x0, x1, x2, x3] = x as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let r = 0; r < count; r += 4) {
    const block = Math.min(4, count - r);
    for (let b = 0; b < 4; b++) for (let d = 0; d < dim; d++) x[b]![d] = b < block ? rows[(r + b) * dim + d]! - mean[d]! : 0; // centred; zero rows pad the last block
    for (let i = 0; i < dim; i++) {
      const [a0, a1, a2, a3] = [x0[i]!, x1[i]!, x2[i]!, x3[i]!];
      const base = i * dim;
      for (let j = i; j < dim; j++) scatter[base + j] = scatter[base + j]! + a0 * x0[j]! + a1 * x1[j]! + a2 * x2[j]! + a3 * x3[j]!;
    }
  }
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) scatter[i * dim + j] = scatter[j * dim + i]!;
  return scatter;
}

/** d² between N(μ1, Σ1) and N(μ2, Σ2) (see the file header). */
export function frechetDistance(a: FeatureStats, b: FeatureStats, options: FrechetOptions = {}): FrechetResult {
  if (a.dim !== b.dim) throw invalidInput(`feature dimensions differ: ${a.dim} and ${b.dim}`, 'dim');
  const n = a.dim;
  let meanTerm = 0;
  for (let d = 0; d < n; d++) meanTerm += (a.mean[d]! - b.mean[d]!) ** 2; // |μ1 − μ2|²
  const root = traceSqrtProduct(a.covariance, b.covariance, n, options.epsilon ?? DEFAULT_EPSILON);
  const traces = trace(a.covariance, n) + trace(b.covariance, n) + 2 * n * root.epsilonAdded; // Tr(Σ1 + εI) + Tr(Σ2 + εI)
  const covarianceTerm = traces - 2 * root.trace; // Tr(Σ1 + Σ2 − 2 (Σ1 Σ2)^½)
  const result: FrechetResult = { distance: meanTerm + covarianceTerm, meanTerm, covarianceTerm, epsilonAdded: root.epsilonAdded };
  if (root.singular) {
    const what = root.epsilonAdded > 0 ? `added ${root.epsilonAdded} to both diagonals, as pytorch-fid does` : 'no ε added (epsilon: 0): the eigenvalue route needs none';
    result.note = `${root.singular} covariance is singular (rank < ${n}); ${what}`;
  }
  return result;
}

/** d² between the Gaussians fitted to two sets of rows (row-major [N1, dim] and [N2, dim]). */
export function frechetDistanceOfRows(a: Float32Array, b: Float32Array, dim: number, options: FrechetOptions & { covariance?: CovarianceNormalisation } = {}): FrechetResult {
  return frechetDistance(featureStats(a, dim, options.covariance), featureStats(b, dim, options.covariance), options);
}

/** Tr((Σ1 Σ2)^½), and whether ε·I had to be added for a singular covariance. */
export interface TraceSqrt {
  /** Tr(((Σ1 + εI)(Σ2 + εI))^½). */
  trace: number;
  /** ε added to both diagonals: 0 unless one was singular. */
  epsilonAdded: number;
  /** Which covariance was singular, if any. */
  singular?: 'the first' | 'the second' | 'each';
}

/**
 * Tr((Σ1 Σ2)^½) = Σ √λ(D^½ B D^½), with Σ1 = Vᵀ diag(λ1) V, D = max(λ1, 0) and B = V Σ2 Vᵀ
 * (B has Σ2's eigenvalues). When either is singular, Σ1 → Σ1 + εI (D += ε) and Σ2 → Σ2 + εI
 * (B += εI), so the matrix becomes D^½ B D^½ + ε·D.
 */
export function traceSqrtProduct(sigma1: Float64Array, sigma2: Float64Array, n: number, epsilon = DEFAULT_EPSILON): TraceSqrt {
  const first = symmetricEigen(symmetrised(sigma1, n), n, { vectors: true });
  const v = first.vectors!; // rows: eigenvectors of Σ1
  const b = congruence(v, symmetrised(sigma2, n), n); // V Σ2 Vᵀ
  const singular1 = isSingular(first.values);
  const singular2 = isSingular(symmetricEigen(b, n, { vectors: false }).values);
  const singular = singular1 && singular2 ? 'each' : singular1 ? 'the first' : singular2 ? 'the second' : undefined;
  const eps = singular ? epsilon : 0;
  const diag = Float64Array.from(first.values, (lambda) => Math.max(lambda, 0) + eps); // λ(Σ1 + εI), clamped
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const si = Math.sqrt(diag[i]!);
    for (let j = 0; j < n; j++) m[i * n + j] = si * b[i * n + j]! * Math.sqrt(diag[j]!); // D^½ B D^½
    m[i * n + i] = m[i * n + i]! + eps * diag[i]!; // + ε·D
  }
  const values = symmetricEigen(m, n, { vectors: false }).values;
  let sum = 0;
  for (const lambda of values) sum += Math.sqrt(Math.max(lambda, 0)); // clamp rounding negatives
  return singular ? { trace: sum, epsilonAdded: eps, singular } : { trace: sum, epsilonAdded: 0 };
}

/** Smallest eigenvalue at most rounding level (n·eps·λ_max, as numpy's matrix_rank): rank < n. */
function isSingular(ascending: Float64Array): boolean {
  const n = ascending.length;
  const max = Math.max(Math.abs(ascending[0]!), Math.abs(ascending[n - 1]!));
  return ascending[0]! <= n * MACHINE_EPS * max;
}

/** (A + Aᵀ)/2 of a row-major n×n matrix. */
function symmetrised(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw invalidInput(`a ${n}×${n} covariance needs ${n * n} values, got ${a.length}`, 'covariance');
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  return s;
}

/** V S Vᵀ for row-major n×n V and symmetric S: C = V S row by row, then dot products of rows. */
function congruence(v: Float64Array, s: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n); // V S
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const vik = v[ci + k]!;
      if (vik === 0) continue;
      const sk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] = c[ci + j]! + vik * s[sk + j]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += c[i * n + k]! * v[j * n + k]!; // (V S) Vᵀ
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return out;
}

function trace(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i * n + i]!;
  return sum;
}
