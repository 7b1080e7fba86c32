/**
 * Kernels the project registers where a backend's own are slow or missing. Registration is
 * an explicit list per backend, run once when that backend loads (main/engine/backend.ts);
 * each kernel has a test against the cpu backend's kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import { registerWasmBatchMatMul } from './wasm-batch-matmul.ts';
import { registerWasmConv2dBackprop, replacedWasmKernels } from './wasm-conv2d-backprop.ts';
import { registerWasmSlice, replacedWasmSliceKernels } from './wasm-slice.ts';
import { registerWebGpuConv2dBackpropFilter, replacedWebGpuKernels } from './webgpu-conv2d-filter.ts';

export function registerWasmKernels(): void {
  registerWasmBatchMatMul();
  registerWasmConv2dBackprop();
  registerWasmSlice();
}

export function registerWebGpuKernels(): void {
  registerWebGpuConv2dBackpropFilter();
}

const REPLACED: Readonly<Record<string, Array<Map<string, tf.KernelConfig>>>> = { wasm: [replacedWasmKernels, replacedWasmSliceKernels], webgpu: [replacedWebGpuKernels] };

/** The backend's own kernel that the project's replaced, if it had one (benchmarks compare the two). */
export function replacedKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return REPLACED[backendName]?.map((replaced) => replaced.get(kernelName)).find((kernel) => kernel !== undefined);
}
