/**
 * A faster `Conv2DBackpropFilter` for the webgpu backend, built from its own fast ops.
 *
 * Why: tfjs-backend-webgpu's own filter gradient runs at 110–830 GFLOP/s on an H200 while its
 * matMul runs at 2,500–12,000 (ENVIRONMENT.md, "On the GPU machine"), so it dominated a
 * training step. Written as im2col, dW = patchesᵀ · dy: pad x, take one strided slice per
 * filter tap (i, j), concatenate them on the channel axis into the patch matrix [M, kh·kw·Ci]
 * (M = N·oh·ow), and multiply with dy [M, Co] by `matMul(patches, dy, transposeA)`. Measured
 * there 10–13× faster (3,800 / 1,400 / 8,800 GFLOP/s on the three shapes of ENVIRONMENT.md),
 * relative error 9e-7 against the cpu kernel. A dedicated WGSL kernel might do better.
 *
 * The patch matrix is kh·kw times the size of x: the batch is split into chunks whose patch
 * matrix stays under `maxPatchBytes`, the chunks' products summed, so a 256 px layer of the
 * `paper` preset fits a desktop GPU (and WebGPU's storage-buffer binding limit).
 *
 * Only tf ops: the same code runs on any backend, which is how the tests check it on cpu.
 * NHWC, dilation 1; other cases fail with an error naming them.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelOutput, checkSupported, geometry, replaceKernel, tensorOf, type ConvAttrs, type Shape4D } from './conv-kernel-support.ts';

/** Largest patch matrix built at once: 256 MiB of float32. */
export const DEFAULT_MAX_PATCH_BYTES = 256 * 2 ** 20;

/** The patch matrix of images [start, start + count): [count·oh·ow, kh·kw·Ci], columns in (i, j, ci) order like W's rows. */
function patchMatrix(padded: tf.Tensor4D, start: number, count: number, info: tf.backend_util.Conv2DInfo): tf.Tensor2D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const ci = padded.shape[3];
  const unitStride = sh === 1 && sw === 1; // the networks' case: a plain slice
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // x at the positions that filter tap (i, j) reads for every output pixel: [count, oh, ow, Ci].
      taps.push(
        unitStride
          ? tf.slice(padded, [start, i, j, 0], [count, oh, ow, ci])
          : (tf.stridedSlice(padded, [start, i, j, 0], [start + count, i + sh * (oh - 1) + 1, j + sw * (ow - 1) + 1, ci], [1, sh, sw, 1]) as tf.Tensor4D),
      );
    }
  }
  const patches = taps.length === 1 ? taps[0]! : tf.concat(taps, 3); // [count, oh, ow, kh·kw·Ci]
  if (taps.length > 1) tf.dispose(taps);
  return tf.reshape(patches, [count * oh * ow, kh * kw * ci]);
}

/** dW [kh, kw, Ci, Co] from x [N, H, W, Ci] and dy [N, oh, ow, Co], as Σ over batch chunks of patchesᵀ · dy. */
export function conv2dFilterGradientIm2col(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4D, attrs: ConvAttrs, maxPatchBytes = DEFAULT_MAX_PATCH_BYTES): tf.Tensor4D {
  const info = geometry(x.shape, filterShape, attrs);
  const [kh, kw, ci, co] = filterShape;
  const [n, oh, ow] = [x.shape[0], info.outHeight, info.outWidth];
  const { top, bottom, left, right } = info.padInfo;
  const padded = tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]); // [N, H + pads, W + pads, Ci]
  const perImageBytes = oh * ow * kh * kw * ci * 4;
  const chunk = Math.max(1, Math.min(n, Math.floor(maxPatchBytes / perImageBytes)));
  let sum: tf.Tensor2D | undefined; // [kh·kw·Ci, Co]
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const part = tf.tidy(() => {
      const dyRows = tf.reshape(count === n ? dy : tf.slice(dy, [start, 0, 0, 0], [count, oh, ow, co]), [count * oh * ow, co]); // [m, Co]
      return tf.matMul(patchMatrix(padded, start, count, info), dyRows, true, false); // [kh·kw·Ci, Co] = patchesᵀ · dy
    });
    const next = sum ? tf.add(sum, part) : part;
    if (sum) tf.dispose([sum, part]);
    sum = next as tf.Tensor2D;
  }
  padded.dispose();
  const dw = tf.reshape(sum!, filterShape) as tf.Tensor4D;
  sum!.dispose();
  return dw;
}

/** The webgpu backend's own kernels that ours replaced (for `npm run bench:gpu` to compare against). */
export const replacedWebGpuKernels = new Map<string, tf.KernelConfig>();

/** The kernel as registered on webgpu; its function runs on any backend (the tests call it on cpu). */
export const webGpuConv2dBackpropFilter: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'webgpu',
  kernelFunc(args) {
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4D };
    checkSupported('Conv2DBackpropFilter', 'webgpu', attrs);
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    return asKernelOutput(args, () => conv2dFilterGradientIm2col(tensorOf(args, x) as tf.Tensor4D, tensorOf(args, dy) as tf.Tensor4D, attrs.filterShape, attrs));
  },
};

/** Registers the kernel on webgpu once, in place of the backend's own; calling it again does nothing. */
export function registerWebGpuConv2dBackpropFilter(): void {
  replaceKernel(webGpuConv2dBackpropFilter, replacedWebGpuKernels);
}
