/**
 * The conv2d gradients the wasm backend lacks or runs slowly, built from its own fast ops:
 * - `Conv2DBackpropFilter` is missing. dW is one forward convolution with batch and channels
 *   swapped (the shapes classifier's trick, main/engine/shapes/classifier/conv3x3.ts):
 *     dW[i, j, ci, co] = Σ_{n,y,x} xpad[n, s·y + i, s·x + j, ci] · dy[n, y, x, co]
 *                      = conv2d(xpadᵀ [Ci, Hp, Wp, N], dyᵀ [oh, ow, N, Co], dilation s)[ci, i, j, co],
 *   which XNNPACK runs as one indirect GEMM, about as fast as the forward convolution. A 1×1
 *   filter is a plain product xᵀ · dy. Measured on the `shapes` and `shapes64` layers 1.5–4×
 *   faster than the previous kernel (k·k strided slices of the padded input, each multiplied by
 *   dyᵀ: the slices and the long-K products took about half of a training step), 2–7× on the
 *   1×1 layers (`npm run bench -- kernels`).
 * - `Conv2DBackpropInput` (≈ 2 GFLOP/s there): dx = conv2d(dilate(dy, stride), flip(W)ᵀ) with
 *   "full" padding, a forward convolution, which XNNPACK runs at ≈ 30 GFLOP/s. The padding goes
 *   to the convolution as explicit padding (no padded copy of dy), the flip is one reverse of
 *   the k·k taps, and a 1×1 filter needs none: 1.1–1.8× the previous kernel, 5–25× wasm's own.
 *   It is also what `conv2dTranspose` runs forward.
 * The previous kernels stay exported (`PREVIOUS_WASM_CONV2D_BACKPROP`) so that the benchmark
 * measures both in one run. NHWC, dilation 1 (what the networks use); other cases fail with an
 * error naming them.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelOutput, checkSupported, geometry, replaceKernel, tensorOf, type ConvAttrs, type Shape4D } from './conv-kernel-support.ts';

type Padding4D = [[number, number], [number, number], [number, number], [number, number]];

/** dW [kh, kw, Ci, Co] from x [N, H, W, Ci] and dy [N, oh, ow, Co]. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4D, attrs: ConvAttrs): tf.Tensor4D {
  const info = geometry(x.shape, filterShape, attrs);
  const [kh, kw, ci, co] = filterShape;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [n, oh, ow] = [x.shape[0], info.outHeight, info.outWidth];
  const { top, bottom, left, right } = info.padInfo;
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top + bottom + left + right === 0) {
    // dW = xᵀ · dy over all N·H·W positions, the transposed operand made explicitly (XNNPACK's transposed
    // products are slow), and the narrower of Ci and Co as the product's rows: toRGB's [M, 32]ᵀ · [M, 3]
    // took 2.5 ms, (dyᵀ · x)ᵀ 0.2 ms.
    const [x2, dy2] = [tf.reshape(x, [n * oh * ow, ci]), tf.reshape(dy, [n * oh * ow, co])]; // [M, Ci], [M, Co]
    const dw = co < ci ? tf.transpose(tf.matMul(tf.transpose(dy2), x2)) : tf.matMul(tf.transpose(x2), dy2); // [Ci, Co]
    return tf.reshape(dw, filterShape) as tf.Tensor4D; // [1, 1, Ci, Co]
  }
  const padded = tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]); // [N, Hp, Wp, Ci]
  const xT = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, Hp, Wp, N]: batch ↔ channels
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, N, Co]: dy as the filter
  const taps = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [Ci, Hp − s·(oh−1), Wp − s·(ow−1), Co]
  // Rows past kh − 1 exist when padding leaves input rows that no output reads; they are not taps.
  const cropped = taps.shape[1] === kh && taps.shape[2] === kw ? taps : tf.slice(taps, [0, 0, 0, 0], [ci, kh, kw, co]);
  return tf.transpose(cropped, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
}

/** W [kh, kw, Ci, Co] flipped in space, its channels swapped: [kh, kw, Co, Ci]. */
function flippedTransposed(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  // Reversing both spatial axes is reversing the kh·kw taps in row-major order: one reverse on a flat axis.
  const flipped = kh * kw === 1 ? filter : tf.reshape(tf.reverse(tf.reshape(filter, [kh * kw, ci, co]), 0), [kh, kw, ci, co]);
  return tf.transpose(flipped, [0, 1, 3, 2]) as tf.Tensor4D;
}

/** dx [N, H, W, Ci] from dy [N, oh, ow, Co] and W [kh, kw, Ci, Co]. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4D, attrs: ConvAttrs): tf.Tensor4D {
  const info = geometry(inputShape, filter.shape, attrs);
  const [kh, kw] = [filter.shape[0], filter.shape[1]];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [n, , , co] = dy.shape;
  const dilated = sh > 1 || sw > 1 ? dilate(dy, sh, sw) : dy; // [N, (oh−1)·sh + 1, (ow−1)·sw + 1, Co]
  // "Full" padding so that the forward conv lands on every input position.
  const [height, width] = [inputShape[1], inputShape[2]];
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = height - dilated.shape[1] - top + kh - 1;
  const right = width - dilated.shape[2] - left + kw - 1;
  if (Math.min(top, bottom, left, right) < 0) {
    // A pad past the filter's reach (odd geometries, never the networks'): crop dy's unread border.
    const cropped = tf.slice(
      dilated,
      [0, Math.max(0, -top), Math.max(0, -left), 0],
      [n, dilated.shape[1] - Math.max(0, -top) - Math.max(0, -bottom), dilated.shape[2] - Math.max(0, -left) - Math.max(0, -right), co],
    ) as tf.Tensor4D;
    const pads: Padding4D = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ];
    return tf.conv2d(cropped, flippedTransposed(filter), 1, pads);
  }
  const pads: Padding4D = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  return tf.conv2d(dilated, flippedTransposed(filter), 1, pads);
}

/** Zeros between dy's rows and columns for strides > 1: [N, (oh−1)·sh + 1, (ow−1)·sw + 1, Co]. */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [n, oh, ow, co] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, co]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(spread, [n, oh * sh, ow * sw, co]), [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co]) as tf.Tensor4D;
}

/** The previous kernels, kept for `npm run bench -- kernels trainStep` to measure against the current ones. */
export const PREVIOUS_WASM_CONV2D_BACKPROP = {
  /** dW as k·k strided slices of the padded input, each multiplied by dyᵀ. */
  filter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4D, attrs: ConvAttrs): tf.Tensor4D {
    const info = geometry(x.shape, filterShape, attrs);
    const [kh, kw, ci, co] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const [sh, sw] = [info.strideHeight, info.strideWidth];
    const [n, oh, ow] = [x.shape[0], info.outHeight, info.outWidth];
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    const dyT = tf.transpose(tf.reshape(dy, [n * oh * ow, co])); // [Co, M]
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const slice = tf.stridedSlice(padded, [0, i, j, 0], [n, i + sh * (oh - 1) + 1, j + sw * (ow - 1) + 1, ci], [1, sh, sw, 1]); // [N, oh, ow, Ci]
        taps.push(tf.matMul(dyT, tf.reshape(slice, [n * oh * ow, ci]))); // [Co, Ci]
      }
    }
    return tf.transpose(tf.reshape(tf.stack(taps), [kh, kw, co, ci]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Ci, Co]
  },
  /** dx as a 'valid' convolution of an explicitly padded (and cropped) dy with the filter reversed on both spatial axes. */
  input(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: Shape4D, attrs: ConvAttrs): tf.Tensor4D {
    const info = geometry(inputShape, filter.shape, attrs);
    const [kh, kw] = [filter.shape[0], filter.shape[1]];
    const [sh, sw] = [info.strideHeight, info.strideWidth];
    const [n, , , co] = dy.shape;
    const dilated = sh > 1 || sw > 1 ? dilate(dy, sh, sw) : dy;
    const [height, width] = [inputShape[1], inputShape[2]];
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = height - dilated.shape[1] - top + kh - 1;
    const right = width - dilated.shape[2] - left + kw - 1;
    const padded = tf.pad(dilated, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
    const cropped = tf.slice(
      padded,
      [0, Math.max(0, -top), Math.max(0, -left), 0],
      [n, padded.shape[1] - Math.max(0, -top) - Math.max(0, -bottom), padded.shape[2] - Math.max(0, -left) - Math.max(0, -right), co],
    );
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
    return tf.conv2d(cropped as tf.Tensor4D, flipped as tf.Tensor4D, 1, 'valid') as tf.Tensor4D;
  },
} as const;

/** The wasm backend's own kernels that ours replaced (for `npm run bench` to compare against). */
export const replacedWasmKernels = new Map<string, tf.KernelConfig>();

/** The functions behind the two kernels: the current ones, or `PREVIOUS_WASM_CONV2D_BACKPROP`. */
export interface Conv2dBackpropFunctions {
  filter: typeof conv2dFilterGradient;
  input: typeof conv2dInputGradient;
}

/** The two kernels for wasm, computed by `functions` (the benchmark registers the previous ones in their place for a while). */
export function wasmConv2dBackpropKernels(functions: Conv2dBackpropFunctions = { filter: conv2dFilterGradient, input: conv2dInputGradient }): tf.KernelConfig[] {
  const filterKernel: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4D };
    checkSupported('Conv2DBackpropFilter', 'wasm', attrs);
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return asKernelOutput(args, () => functions.filter(tensorOf(args, x) as tf.Tensor4D, tensorOf(args, dy) as tf.Tensor4D, attrs.filterShape, attrs));
  };
  const inputKernel: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: Shape4D };
    checkSupported('Conv2DBackpropInput', 'wasm', attrs);
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    return asKernelOutput(args, () => functions.input(tensorOf(args, dy) as tf.Tensor4D, tensorOf(args, filter) as tf.Tensor4D, attrs.inputShape, attrs));
  };
  return [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: filterKernel },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: inputKernel },
  ];
}

/** Registers both kernels on wasm once; calling it again does nothing. */
export function registerWasmConv2dBackprop(): void {
  for (const config of wasmConv2dBackpropKernels()) replaceKernel(config, replacedWasmKernels);
}
