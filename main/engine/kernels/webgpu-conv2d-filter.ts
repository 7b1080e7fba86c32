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
 * The patch matrix is kh·kw times the size of x: the batch is split into chunks of images, or
 * one image into bands of rows, whose patch matrix stays under `maxPatchBytes` (and under the
 * device's storage-buffer binding limit), the blocks' products summed, so a 256 px layer of
 * the `paper` preset fits a desktop GPU and compatibility mode's 128 MiB bindings.
 *
 * Only tf ops: the same code runs on any backend, which is how the tests check it on cpu.
 * NHWC, dilation 1; other cases fail with an error naming them.
 */
import * as tf from '@tensorflow/tfjs';
import { asKernelOutput, checkSupported, geometry, replaceKernel, tensorOf, type ConvAttrs, type Shape4D } from './conv-kernel-support.ts';

/** Largest patch matrix built at once: 256 MiB of float32. */
export const DEFAULT_MAX_PATCH_BYTES = 256 * 2 ** 20;

/** A block of the patch matrix: images [image, image + images), output rows [row, row + rows) of each. */
interface Block {
  image: number;
  images: number;
  row: number;
  rows: number;
}

/** The patch matrix of a block: [images·rows·ow, kh·kw·Ci], columns in (i, j, ci) order like W's rows. */
function patchMatrix(padded: tf.Tensor4D, block: Block, info: tf.backend_util.Conv2DInfo): tf.Tensor2D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outWidth: ow } = info;
  const { image, images, row, rows } = block;
  const ci = padded.shape[3];
  const unitStride = sh === 1 && sw === 1; // the networks' case: a plain slice
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // x at the positions that filter tap (i, j) reads for the block's output pixels: [images, rows, ow, Ci].
      const top = i + sh * row;
      taps.push(
        unitStride
          ? tf.slice(padded, [image, top, j, 0], [images, rows, ow, ci])
          : (tf.stridedSlice(padded, [image, top, j, 0], [image + images, top + sh * (rows - 1) + 1, j + sw * (ow - 1) + 1, ci], [1, sh, sw, 1]) as tf.Tensor4D),
      );
    }
  }
  const patches = taps.length === 1 ? taps[0]! : tf.concat(taps, 3); // [images, rows, ow, kh·kw·Ci]
  if (taps.length > 1) tf.dispose(taps);
  return tf.reshape(patches, [images * rows * ow, kh * kw * ci]);
}

/**
 * The blocks whose patch matrices stay under `maxPatchBytes`: whole images while one fits, else
 * bands of output rows of one image (a 256 px layer of `paper` is a 288 MiB patch matrix per
 * image, over compatibility mode's 128 MiB storage-buffer binding).
 */
export function patchBlocks(n: number, oh: number, rowBytes: number, maxPatchBytes: number): Block[] {
  const blocks: Block[] = [];
  if (oh * rowBytes <= maxPatchBytes) {
    const chunk = Math.max(1, Math.min(n, Math.floor(maxPatchBytes / (oh * rowBytes))));
    for (let image = 0; image < n; image += chunk) blocks.push({ image, images: Math.min(chunk, n - image), row: 0, rows: oh });
    return blocks;
  }
  const band = Math.max(1, Math.floor(maxPatchBytes / rowBytes));
  for (let image = 0; image < n; image++) for (let row = 0; row < oh; row += band) blocks.push({ image, images: 1, row, rows: Math.min(band, oh - row) });
  return blocks;
}

/** dW [kh, kw, Ci, Co] from x [N, H, W, Ci] and dy [N, oh, ow, Co], as Σ over blocks of patchesᵀ · dy. */
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
  let sum: tf.Tensor2D | undefined; // [kh·kw·Ci, Co]
  for (const block of patchBlocks(n, oh, ow * kh * kw * ci * 4, maxPatchBytes)) {
    const { image, images, row, rows } = block;
    const part = tf.tidy(() => {
      const whole = images === n && rows === oh;
      const dyBlock = whole ? dy : tf.slice(dy, [image, row, 0, 0], [images, rows, ow, co]);
      const dyRows = tf.reshape(dyBlock, [images * rows * ow, co]); // [m, Co]
      return tf.matMul(patchMatrix(padded, block, info), dyRows, true, false); // [kh·kw·Ci, Co] = patchesᵀ · dy
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

/** The largest patch matrix for the active backend: the default, or less where the device binds less (WebGPU's storage-buffer limit). */
function maxPatchBytesOf(backend: tf.KernelBackend): number {
  const limit = (backend as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device?.limits?.maxStorageBufferBindingSize;
  return limit ? Math.min(DEFAULT_MAX_PATCH_BYTES, limit) : DEFAULT_MAX_PATCH_BYTES;
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
    return asKernelOutput(args, () =>
      conv2dFilterGradientIm2col(tensorOf(args, x) as tf.Tensor4D, tensorOf(args, dy) as tf.Tensor4D, attrs.filterShape, attrs, maxPatchBytesOf(args.backend as tf.KernelBackend)),
    );
  },
};

/** Registers the kernel on webgpu once, in place of the backend's own; calling it again does nothing. */
export function registerWebGpuConv2dBackpropFilter(): void {
  replaceKernel(webGpuConv2dBackpropFilter, replacedWebGpuKernels);
}
