/**
 * `Slice` and `Unpack` for the wasm backend on fewer axes. Its own `Slice` copies rows of rank
 * 2 to 4 with typed-array copies but falls back to tfjs's element-by-element JavaScript slice
 * at rank 5 and above (measured: unstacking [8, 16, 2, 32, 48] on its third axis 250 ms per
 * slice, 100× the same data as rank 4). `tf.stack`/`tf.unstack` on a 4D activation (the FIR
 * resampling of StyleGAN2, split into even and odd rows) make rank 5, and their gradients
 * `Unpack` and `Slice`. The same elements are selected on fewer axes by merging each axis into
 * the one before it when the later one is taken whole (or the earlier one at a single index),
 * which is a reshape (free: the data stay where they are); the backend's own kernel then slices
 * the smaller-rank view, with longer contiguous copies.
 */
import * as tf from '@tensorflow/tfjs';
import { replaceKernel, type KernelArgs } from './conv-kernel-support.ts';

/** A slice on merged axes: the same elements of the same flat data. */
export interface MergedSlice {
  shape: number[];
  begin: number[];
  size: number[];
}

/**
 * Merges axis i into the axis before it when axis i is taken whole (the earlier axis's range
 * then covers a contiguous run of the merged one) or the earlier axis is taken at one index.
 */
export function mergeSliceAxes(shape: readonly number[], begin: readonly number[], size: readonly number[]): MergedSlice {
  const merged: MergedSlice = { shape: [shape[0]!], begin: [begin[0]!], size: [size[0]!] };
  for (let i = 1; i < shape.length; i++) {
    const last = merged.shape.length - 1;
    const whole = begin[i] === 0 && size[i] === shape[i];
    if (whole || merged.size[last] === 1) {
      merged.begin[last] = merged.begin[last]! * shape[i]! + begin[i]!; // b_p·d_i + b_i
      merged.size[last] = whole ? merged.size[last]! * shape[i]! : size[i]!; // s_p·d_i, or s_i when s_p = 1
      merged.shape[last] = merged.shape[last]! * shape[i]!;
    } else {
      merged.shape.push(shape[i]!);
      merged.begin.push(begin[i]!);
      merged.size.push(size[i]!);
    }
  }
  return merged;
}

/** The kernels of wasm that these replaced (for tests and benchmarks to compare against). */
export const replacedWasmSliceKernels = new Map<string, tf.KernelConfig>();

/** `Slice` on merged axes; the backend's own kernel does the copy. */
function sliceKernel(own: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
    if (x.shape.length < 2 || size.some((s) => s === 0)) return own(args);
    const merged = mergeSliceAxes(x.shape, begin, size);
    const out = own({ ...args, inputs: { x: { ...x, shape: merged.shape } }, attrs: { begin: merged.begin, size: merged.size } }) as tf.TensorInfo;
    return { ...out, shape: size };
  };
}

/** `Unpack` along axis a of [d0 … dr] as `Unpack` along axis 1 of [d0·…·d(a−1), da, d(a+1)·…·dr]: rank 3, whatever the input's. */
function unpackKernel(own: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    const rank = value.shape.length;
    const axis = ((args.attrs as unknown as { axis: number }).axis + rank) % rank;
    const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
    const outShape = value.shape.filter((_, i) => i !== axis);
    const view = [product(value.shape.slice(0, axis)), value.shape[axis]!, product(value.shape.slice(axis + 1))];
    const outs = own({ ...args, inputs: { value: { ...value, shape: view } }, attrs: { axis: 1 } }) as tf.TensorInfo[];
    return outs.map((out) => ({ ...out, shape: outShape }));
  };
}

/** Registers both on wasm once; calling it again does nothing. */
export function registerWasmSlice(): void {
  for (const [kernelName, wrap] of [
    ['Slice', sliceKernel],
    ['Unpack', unpackKernel],
  ] as const) {
    const own = tf.getKernel(kernelName, 'wasm') as (tf.KernelConfig & { lafite?: boolean }) | undefined;
    if (!own || own.lafite) continue;
    replaceKernel({ kernelName, backendName: 'wasm', kernelFunc: wrap(own.kernelFunc) }, replacedWasmSliceKernels);
  }
}
