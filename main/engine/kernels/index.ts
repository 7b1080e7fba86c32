/**
 * Kernels the project registers where a backend's own are slow or missing. Registration is
 * an explicit list, run once when the backend loads (main/engine/backend.ts); each kernel
 * has a test against the cpu backend's kernel.
 */
import { registerWasmBatchMatMul } from './wasm-batch-matmul.ts';
import { registerWasmConv2dBackprop } from './wasm-conv2d-backprop.ts';

export function registerWasmKernels(): void {
  registerWasmBatchMatMul();
  registerWasmConv2dBackprop();
}
