/**
 * Helpers for the kernel tests (and the kernel checks of `npm run bench:gpu`): how far a
 * kernel's output is from the reference kernel's, and random conv2d filter-gradient cases.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../random.ts';
import type { Shape4D } from './conv-kernel-support.ts';

/** ‖a − b‖ / ‖b‖, with b the reference. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** A conv2d whose filter gradient is checked: NHWC input, [kh, kw, Ci, Co] filter. */
export interface ConvCase {
  x: Shape4D;
  filter: Shape4D;
  stride: number;
  pad: 'same' | 'valid';
}

/** Strides 1 and 2 (the discriminator's `Conv` takes a stride), same and valid padding, 3×3, 4×4 and 1×1 filters, odd sides. */
export const FILTER_GRADIENT_CASES: readonly ConvCase[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [1, 9, 7, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'same' },
  { x: [2, 10, 10, 4], filter: [3, 3, 4, 2], stride: 1, pad: 'valid' },
  { x: [1, 11, 11, 2], filter: [4, 4, 2, 3], stride: 2, pad: 'valid' },
  { x: [3, 6, 6, 8], filter: [1, 1, 8, 4], stride: 1, pad: 'same' },
  { x: [4, 16, 16, 16], filter: [3, 3, 16, 24], stride: 1, pad: 'same' },
];

/** The attributes of Conv2DBackpropFilter for a case. */
export const filterGradientAttrs = (c: ConvCase) => ({ strides: c.stride, pad: c.pad, dataFormat: 'NHWC' as const, filterShape: c.filter });

/** Random x and dy of a case in [−1, 1), as plain arrays, so that each backend makes its own tensors (moving data off webgpu would need a synchronous read). */
export function randomFilterGradientInputs(c: ConvCase, seed: number): { x: Float32Array; dy: Float32Array; dyShape: Shape4D } {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
  const dyShape: Shape4D = [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
  const rng = mulberry32(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
  return { x: fill(c.x.reduce((a, b) => a * b)), dy: fill(dyShape.reduce((a, b) => a * b)), dyShape };
}

/** dW of a case by the Conv2DBackpropFilter kernel registered on the current backend, read asynchronously. */
export async function runFilterGradientKernel(c: ConvCase, seed: number): Promise<Float32Array> {
  const { x, dy, dyShape } = randomFilterGradientInputs(c, seed);
  const [xt, dyt] = [tf.tensor4d(x, c.x), tf.tensor4d(dy, dyShape)];
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, filterGradientAttrs(c)) as tf.Tensor;
  const out = (await dw.data()) as Float32Array;
  tf.dispose([xt, dyt, dw]);
  return out;
}
