/**
 * Eigendecomposition of a real symmetric matrix in float64: Householder reduction to
 * tridiagonal form, then the QL algorithm with implicit shifts (Numerical Recipes §11.2–11.3
 * `tred2`/`tqli`; the EISPACK routines tred2/tql2 as restated in the public-domain JAMA).
 * About 9n³ flops with vectors and 4n³/3 without; Jacobi rotations would be ~5× slower.
 * The Fréchet distance (frechet.ts) uses it for Tr((Σ1 Σ2)^½).
 *
 *   A = Vᵀ diag(λ) V,   V V ᵀ = I                   (row i of V is the eigenvector of λ_i)
 *
 * Storage is row-major and the transformations are kept transposed (rows, not columns), so
 * every inner loop runs over contiguous memory.
 *
 * @example
 *   const { values, vectors } = symmetricEigen(a, n);  // values ascending; vectors: [n, n], row i ↔ values[i]
 */

/** Eigenvalues (ascending) and, when asked for, the eigenvectors as rows. */
export interface SymmetricEigen {
  /** λ_0 ≤ λ_1 ≤ … ≤ λ_{n−1}. */
  values: Float64Array;
  /** Row-major [n, n]: row i is the unit eigenvector of values[i]. Absent when not asked for. */
  vectors?: Float64Array;
}

/** QL sweeps allowed per eigenvalue before giving up (a handful are needed in practice). */
const MAX_SWEEPS = 60;
const EPS = 2 ** -52;

/** √(a² + b²) without overflow or underflow. */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) return x * Math.sqrt(1 + (y / x) ** 2);
  return y === 0 ? 0 : y * Math.sqrt(1 + (x / y) ** 2);
}

/**
 * Eigenvalues (ascending) and optionally eigenvectors of the symmetric n×n matrix `a`
 * (row-major; only its symmetry is assumed, not checked: pass (A + Aᵀ)/2 when in doubt).
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, options: { vectors?: boolean } = {}): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: ${a.length} values for a ${n}×${n} matrix`);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new Error(`symmetricEigen: entry ${i} is ${a[i]}`);
  const wantVectors = options.vectors ?? true;
  const t = Float64Array.from(a); // Vᵀ, row-major: t[j * n + k] is V[k][j]
  const d = new Float64Array(n); // diagonal, then eigenvalues
  const e = new Float64Array(n); // off-diagonal
  if (n === 0) return wantVectors ? { values: d, vectors: t } : { values: d };
  householderTridiagonal(t, d, e, n, wantVectors);
  implicitQl(d, e, wantVectors ? t : undefined, n);
  return sortAscending(d, wantVectors ? t : undefined, n);
}

/** tred2: reduces the matrix held in `t` to tridiagonal form (d, e); `t` becomes Vᵀ when `accumulate`. */
function householderTridiagonal(t: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean): void {
  for (let j = 0; j < n; j++) d[j] = t[j * n + n - 1]!; // last row of A (symmetric: last column)
  for (let i = n - 1; i > 0; i--) {
    const h = householderStep(t, d, e, n, i);
    d[i] = h;
  }
  if (accumulate) accumulateTransformations(t, d, n);
  else for (let j = 0; j < n; j++) d[j] = t[j * n + j]!;
  e[0] = 0;
}

/** One Householder reflection annihilating row i left of the subdiagonal; returns h = |u|²/2. */
function householderStep(t: Float64Array, d: Float64Array, e: Float64Array, n: number, i: number): number {
  let scale = 0;
  for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
  if (scale === 0) {
    e[i] = d[i - 1]!;
    for (let j = 0; j < i; j++) {
      d[j] = t[j * n + i - 1]!; // V[i−1][j]
      t[j * n + i] = 0; // V[i][j]
      t[i * n + j] = 0; // V[j][i]
    }
    return 0;
  }
  let h = 0;
  for (let k = 0; k < i; k++) {
    d[k] = d[k]! / scale;
    h += d[k]! * d[k]!;
  }
  let f = d[i - 1]!;
  let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
  e[i] = scale * g;
  h -= f * g;
  d[i - 1] = f - g;
  for (let j = 0; j < i; j++) e[j] = 0;
  for (let j = 0; j < i; j++) {
    // e = A u over the leading i×i block (only its lower triangle is read)
    f = d[j]!;
    t[i * n + j] = f; // V[j][i]: keep u for the accumulation
    const row = j * n;
    g = e[j]! + t[row + j]! * f;
    for (let k = j + 1; k < i; k++) {
      g += t[row + k]! * d[k]!;
      e[k] = e[k]! + t[row + k]! * f;
    }
    e[j] = g;
  }
  f = 0;
  for (let j = 0; j < i; j++) {
    e[j] = e[j]! / h;
    f += e[j]! * d[j]!;
  }
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
  for (let j = 0; j < i; j++) {
    // A ← A − u qᵀ − q uᵀ
    f = d[j]!;
    g = e[j]!;
    const row = j * n;
    for (let k = j; k < i; k++) t[row + k] = t[row + k]! - (f * e[k]! + g * d[k]!);
    d[j] = t[row + i - 1]!; // V[i−1][j]
    t[row + i] = 0; // V[i][j]
  }
  return h;
}

/** Builds Vᵀ from the stored Householder vectors; leaves the tridiagonal's diagonal in d. */
function accumulateTransformations(t: Float64Array, d: Float64Array, n: number): void {
  const last = n - 1;
  for (let i = 0; i < last; i++) {
    t[i * n + last] = t[i * n + i]!; // V[n−1][i] ← V[i][i]
    t[i * n + i] = 1;
    const h = d[i + 1]!;
    const u = (i + 1) * n; // row i+1 of t: V[k][i+1], k ≤ i
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = t[u + k]! / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += t[u + k]! * t[row + k]!;
        for (let k = 0; k <= i; k++) t[row + k] = t[row + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) t[u + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = t[j * n + last]!;
    t[j * n + last] = 0;
  }
  t[last * n + last] = 1;
}

/** tql2: eigenvalues of the tridiagonal (d, e) into d; rotations applied to the rows of `t` when given. */
function implicitQl(d: Float64Array, e: Float64Array, t: Float64Array | undefined, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let shift = 0;
  let norm = 0;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > EPS * norm) m++; // first negligible off-diagonal: the block splits there
    if (m > l) {
      let sweeps = 0;
      do {
        if (++sweeps > MAX_SWEEPS) throw new Error(`symmetricEigen: no convergence for eigenvalue ${l} after ${MAX_SWEEPS} sweeps`);
        shift += qlSweep(d, e, t, n, l, m);
      } while (Math.abs(e[l]!) > EPS * norm);
    }
    d[l] = d[l]! + shift;
    e[l] = 0;
  }
}

/** One implicit-shift QL sweep over the unreduced block l..m; returns the shift it took out of d. */
function qlSweep(d: Float64Array, e: Float64Array, t: Float64Array | undefined, n: number, l: number, m: number): number {
  // Wilkinson-style shift from the leading 2×2 block
  let g = d[l]!;
  let p = (d[l + 1]! - g) / (2 * e[l]!);
  let r = hypot(p, 1);
  if (p < 0) r = -r;
  d[l] = e[l]! / (p + r);
  d[l + 1] = e[l]! * (p + r);
  const dl1 = d[l + 1]!;
  let h = g - d[l]!;
  for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
  const shift = h;
  // chase the bulge from m up to l with Givens rotations
  p = d[m]!;
  let c = 1;
  let c2 = c;
  let c3 = c;
  const el1 = e[l + 1]!;
  let s = 0;
  let s2 = 0;
  for (let i = m - 1; i >= l; i--) {
    c3 = c2;
    c2 = c;
    s2 = s;
    g = c * e[i]!;
    h = c * p;
    r = hypot(p, e[i]!);
    e[i + 1] = s * r;
    s = e[i]! / r;
    c = p / r;
    p = c * d[i]! - s * g;
    d[i + 1] = h + s * (c * g + s * d[i]!);
    if (t) rotateRows(t, n, i, c, s);
  }
  p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
  e[l] = s * p;
  d[l] = c * p;
  return shift;
}

/** Rows i and i+1 of t ← the Givens rotation (c, s) of them. */
function rotateRows(t: Float64Array, n: number, i: number, c: number, s: number): void {
  const a = i * n;
  const b = a + n;
  for (let k = 0; k < n; k++) {
    const next = t[b + k]!;
    const cur = t[a + k]!;
    t[b + k] = s * cur + c * next;
    t[a + k] = c * cur - s * next;
  }
}

/** Eigenpairs sorted by ascending eigenvalue. */
function sortAscending(d: Float64Array, t: Float64Array | undefined, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  if (!t) return { values };
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => vectors.set(t.subarray(from * n, (from + 1) * n), to * n));
  return { values, vectors };
}
