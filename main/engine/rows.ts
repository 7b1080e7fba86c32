/**
 * Row-major matrices as the engine passes them around ([N, D] Float32Arrays): the dot
 * product of two rows, and a batch of rows gathered into a tensor.
 */
import * as tf from '@tensorflow/tfjs';

/** a_i · b_j for rows i of a and j of b, both of `dim` values. */
export function rowDot(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += a[i * dim + d]! * b[j * dim + d]!;
  return sum;
}

/** The given rows of `data` (each `rowSize` values) as one tensor of shape [rows.length, ...shape]. */
export function gatherRows(data: Float32Array, rowSize: number, rows: readonly number[], shape: readonly number[]): tf.Tensor {
  const out = new Float32Array(rows.length * rowSize);
  rows.forEach((row, i) => out.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
  return tf.tensor(out, [rows.length, ...shape]);
}

/** A vector scaled to unit length (a zero vector stays zero). */
export function unitVector(v: Float32Array): Float32Array {
  const norm = Math.sqrt(rowDot(v, 0, v, 0, v.length));
  return norm > 0 ? v.map((x) => x / norm) : v.slice();
}
