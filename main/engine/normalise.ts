/**
 * n(·), L2 normalisation (Lafite eq. 1 and throughout: every condition h is n(something)): each
 * row divided by its Euclidean norm. One definition for tensors (pseudo features, CLO, the
 * contrastive losses, CLIP training) and one for the float rows the ONNX encoders return.
 *
 * @example
 *   l2Normalise(tf.tensor2d([[3, 4]]))                 // [[0.6, 0.8]]
 *   l2NormaliseRows(new Float32Array([3, 4, 0, 0]), 2)  // [0.6, 0.8, 0, 0] (in place)
 */
import * as tf from '@tensorflow/tfjs';

/** n(x) = x / (‖x‖ + eps) per row: [N, D] → [N, D]; `eps` keeps a zero row finite. */
export const l2Normalise = (x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D => tf.tidy(() => tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), eps)));

/** n(·) of row-major rows of `dim` floats, in place (a zero row stays zero); returns `data`. */
export function l2NormaliseRows(data: Float32Array, dim: number): Float32Array {
  for (let offset = 0; offset < data.length; offset += dim) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += data[offset + k]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0; // h / ‖h‖
    for (let k = 0; k < dim; k++) data[offset + k]! *= scale;
  }
  return data;
}
