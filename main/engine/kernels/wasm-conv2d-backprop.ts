/**
 * The conv2d gradients the wasm backend lacks or runs slowly, built from its own fast ops
 * (ENVIRONMENT.md measured them):
 * - `Conv2DBackpropFilter` is missing: for each filter tap (i, j), dWᵢⱼ = slice_ij(x)ᵀ · dy over
 *   the padded input's strided slice, computed as dyᵀ · slice with dy transposed once for all
 *   taps (XNNPACK's transposed products are slow; one big concatenated patch matrix was slower).
 * - `Conv2DBackpropInput` (≈ 2 GFLOP/s there): dx = conv2d(dilate(dy, stride), flip(W)ᵀ) with
 *   "full" padding, a forward convolution, which XNNPACK runs at ≈ 30 GFLOP/s. It is also
 *   what `conv2dTranspose` (the generator's upsampling) runs forward.
 * NHWC, dilation 1 (what the networks use); other cases fall back to an error naming them.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelOutput, checkSupported, geometry, replaceKernel, tensorOf, type ConvAttrs, type Shape4D } from './conv-kernel-support.ts';

/** dW [kh, kw, Ci, Co] from x [N, H, W, Ci] and dy [N, oh, ow, Co]. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4D, attrs: ConvAttrs): tf.Tensor4D {
  const info = geometry(x.shape, filterShape, attrs);
  const [kh, kw, ci, co] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [n, oh, ow] = [x.shape[0], info.outHeight, info.outWidth];
  const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  // One transpose of dy, shared by every tap: dWᵢⱼᵀ = dyᵀ · slice_ij(x), [Co, M]·[M, Ci].
  const dyT = tf.transpose(tf.reshape(dy, [n * oh * ow, co])); // [Co, M]
  const taps: tf.Tensor2D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const slice = tf.stridedSlice(padded, [0, i, j, 0], [n, i + sh * (oh - 1) + 1, j + sw * (ow - 1) + 1, ci], [1, sh, sw, 1]); // [N, oh, ow, Ci]
      taps.push(tf.matMul(dyT, tf.reshape(slice, [n * oh * ow, ci]))); // [Co, Ci]
    }
  }
  return tf.transpose(tf.reshape(tf.stack(taps), [kh, kw, co, ci]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Ci, Co]
}

/** dx [N, H, W, Ci] from dy [N, oh, ow, Co] and W [kh, kw, Ci, Co]. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4D, attrs: ConvAttrs): tf.Tensor4D {
  const info = geometry(inputShape, filter.shape, attrs);
  const [kh, kw] = [filter.shape[0], filter.shape[1]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [n, oh, ow, co] = dy.shape;
  // Zeros between dy's rows and columns for strides > 1: [N, (oh−1)·s + 1, (ow−1)·s + 1, Co].
  let dilated: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, co]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    dilated = tf.slice(tf.reshape(spread, [n, oh * sh, ow * sw, co]), [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]) as tf.Tensor4D;
  }
  // "Full" padding so that the forward conv lands on every input position.
  const [height, width] = [inputShape[1], inputShape[2]];
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = height - dilated.shape[1] - top + kh - 1;
  const right = width - dilated.shape[2] - left + kw - 1;
  const padded = tf.pad(dilated, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
  const cropped = tf.slice(padded, [0, Math.max(0, -top), Math.max(0, -left), 0], [n, padded.shape[1] - Math.max(0, -top) - Math.max(0, -bottom), padded.shape[2] - Math.max(0, -left) - Math.max(0, -right), co]);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  return tf.conv2d(cropped as tf.Tensor4D, flipped as tf.Tensor4D, 1, 'valid') as tf.Tensor4D;
}

/** The wasm backend's own kernels that ours replaced (for `npm run bench` to compare against). */
export const replacedWasmKernels = new Map<string, tf.KernelConfig>();

function register(kernelName: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', kernelFunc: tf.KernelFunc): void {
  replaceKernel({ kernelName, backendName: 'wasm', kernelFunc }, replacedWasmKernels);
}

/** Registers both kernels on wasm once; calling it again does nothing. */
export function registerWasmConv2dBackprop(): void {
  register('Conv2DBackpropFilter', (args) => {
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4D };
    checkSupported('Conv2DBackpropFilter', 'wasm', attrs);
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return asKernelOutput(args, () => conv2dFilterGradient(tensorOf(args, x) as tf.Tensor4D, tensorOf(args, dy) as tf.Tensor4D, attrs.filterShape, attrs));
  });
  register('Conv2DBackpropInput', (args) => {
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: Shape4D };
    checkSupported('Conv2DBackpropInput', 'wasm', attrs);
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return asKernelOutput(args, () => conv2dInputGradient(tensorOf(args, dy) as tf.Tensor4D, tensorOf(args, filter) as tf.Tensor4D, attrs.inputShape, attrs));
  });
}
