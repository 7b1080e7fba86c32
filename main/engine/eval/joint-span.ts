/**
 * Two sets of feature rows re-expressed in an orthonormal basis of the affine span of their
 * union, so that a Fréchet distance (frechet.ts) over few rows of wide features, such as FID on
 * 500 images of Inception's 2048-wide pool3, costs what one in r ≤ N1 + N2 − 1 dimensions
 * does, with the same result: at D = 2048 the eigendecompositions take over a minute here.
 *
 * Why it is exact: with o the mean of all rows, every x − o lies in S = span{x_i − o}; let
 * Q [D, r] hold an orthonormal basis of S and x' = Qᵀ(x − o). Then μ1 − μ2 = Q(μ1' − μ2') and
 * Σ = Q Σ' Qᵀ for each set, so |μ1 − μ2|² = |μ1' − μ2'|², Tr Σ = Tr Σ', and Σ1 Σ2 = Q Σ1' Σ2' Qᵀ
 * has the nonzero eigenvalues of Σ1' Σ2', hence Tr((Σ1 Σ2)^½) = Tr((Σ1' Σ2')^½): d² is
 * unchanged. (Only with ε = 0: pytorch-fid's ε·I on a singular covariance acts in all D
 * dimensions, so that variant is not reproduced in r.)
 *
 * Q comes from modified Gram–Schmidt with one re-orthogonalisation ("twice is enough"), in
 * float64; the coordinates are the projections collected on the way (a thin QR of the centred
 * rows). A row whose remainder is below 1e-9 of its length adds no basis vector.
 *
 * @example
 *   const { a, b, dim } = projectOntoJointSpan(fake, real, 2048);   // dim ≤ N1 + N2 − 1
 *   const fid = frechetDistanceOfRows(a, b, dim, { epsilon: 0 }).distance;
 */
import { invalidInput } from '../../contract/errors.ts';

/** Remainder, relative to the row's length, below which a row is taken as inside the span so far. */
const DEPENDENT = 1e-9;

export interface JointSpanRows {
  /** The first set's rows, [N1, dim]. */
  a: Float32Array;
  /** The second set's rows, [N2, dim]. */
  b: Float32Array;
  dim: number;
}

/** Both sets in coordinates of their joint affine span; as given when the span would not be narrower. */
export function projectOntoJointSpan(a: Float32Array, b: Float32Array, dim: number): JointSpanRows {
  if (!(Number.isInteger(dim) && dim > 0) || a.length % dim !== 0 || b.length % dim !== 0) throw invalidInput(`${a.length} and ${b.length} values are not rows of ${dim}`, 'rows');
  const [n1, n2] = [a.length / dim, b.length / dim];
  const n = n1 + n2;
  if (n - 1 >= dim) return { a, b, dim };
  const row = (i: number): Float32Array => (i < n1 ? a.subarray(i * dim, (i + 1) * dim) : b.subarray((i - n1) * dim, (i - n1 + 1) * dim));
  const origin = new Float64Array(dim); // o, the mean of all rows
  for (let i = 0; i < n; i++) {
    const x = row(i);
    for (let d = 0; d < dim; d++) origin[d] = origin[d]! + x[d]! / n;
  }
  const basis: Float64Array[] = []; // rows of Qᵀ
  const coords: Float64Array[] = []; // per row: its coordinates on basis vectors 0…i
  const v = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const x = row(i);
    let length = 0;
    for (let d = 0; d < dim; d++) length += (v[d] = x[d]! - origin[d]!) ** 2; // v = x − o
    const c = new Float64Array(n);
    for (let pass = 0; pass < 2; pass++) {
      basis.forEach((q, k) => {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += q[d]! * v[d]!;
        for (let d = 0; d < dim; d++) v[d] = v[d]! - dot * q[d]!; // v ← v − (q·v) q
        c[k] = c[k]! + dot;
      });
    }
    let rest = 0;
    for (let d = 0; d < dim; d++) rest += v[d]! ** 2;
    if (rest > DEPENDENT ** 2 * length && rest > 0) {
      const norm = Math.sqrt(rest);
      c[basis.length] = norm;
      basis.push(Float64Array.from(v, (value) => value / norm));
    }
    coords.push(c);
  }
  const r = Math.max(1, basis.length);
  const out = (from: number, count: number): Float32Array => {
    const rows = new Float32Array(count * r);
    for (let i = 0; i < count; i++) for (let k = 0; k < r; k++) rows[i * r + k] = coords[from + i]![k]!;
    return rows;
  };
  return { a: out(0, n1), b: out(n1, n2), dim: r };
}
