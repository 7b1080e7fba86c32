import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { relativeError } from './test-support.ts';
import { PREVIOUS_WASM_CONV2D_BACKPROP, registerWasmConv2dBackprop, wasmConv2dBackpropKernels } from './wasm-conv2d-backprop.ts';

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [1, 9, 7, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'same' },
  { x: [2, 10, 10, 4], filter: [3, 3, 4, 2], stride: 1, pad: 'valid' },
  { x: [1, 11, 11, 2], filter: [4, 4, 2, 3], stride: 2, pad: 'valid' },
  { x: [3, 6, 6, 8], filter: [1, 1, 8, 4], stride: 1, pad: 'same' }, // 1×1, Co < Ci: (dyᵀ · x)ᵀ
  { x: [2, 5, 5, 3], filter: [1, 1, 3, 6], stride: 1, pad: 'valid' }, // 1×1, Co > Ci: xᵀ · dy
  { x: [2, 7, 7, 5], filter: [1, 1, 5, 3], stride: 2, pad: 'same' }, // 1×1 with a stride: not a plain product
  { x: [1, 6, 5, 2], filter: [3, 3, 2, 3], stride: 1, pad: 3 }, // padding past the filter's reach: dy's border is cropped
  { x: [2, 16, 16, 48], filter: [3, 3, 48, 48], stride: 1, pad: 'same' }, // a `shapes` layer's channels: long sums
];

/** Gradients of Σ conv2d(x, w)·r (a random projection, so every output counts) on a backend. */
async function gradients(backend: 'cpu' | 'wasm', c: Case) {
  await initBackend(backend);
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 11);
  const w = tf.randomNormal(c.filter, 0, 1, 'float32', 12);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
  const r = tf.randomNormal(y.shape, 0, 1, 'float32', 13);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
  const out = { dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array, dxShape: dx!.shape, dwShape: dw!.shape };
  tf.dispose([x, w, y, r, dx!, dw!]);
  return out;
}

/** Registers the given kernels on wasm in place of the current ones while `run` runs. */
async function withKernels<T>(kernels: tf.KernelConfig[], run: () => Promise<T>): Promise<T> {
  const current = kernels.map((k) => tf.getKernel(k.kernelName, 'wasm')!);
  const swap = (configs: tf.KernelConfig[]) => configs.forEach((k) => (tf.unregisterKernel(k.kernelName, 'wasm'), tf.registerKernel(k)));
  swap(kernels);
  try {
    return await run();
  } finally {
    swap(current);
  }
}

describe('wasm Conv2DBackpropFilter and Conv2DBackpropInput', () => {
  it('match the cpu kernels (relative error under 1e-5) for strides 1 and 2, same, valid and numeric padding, 1×1 to 4×4 filters', async () => {
    registerWasmConv2dBackprop();
    for (const c of CASES) {
      const cpu = await gradients('cpu', c);
      const before = tf.memory();
      const wasm = await gradients('wasm', c);
      expect([tf.memory().numTensors, tf.memory().numBytes]).toEqual([before.numTensors, before.numBytes]); // nothing left behind
      expect(wasm.dwShape, JSON.stringify(c)).toEqual(c.filter);
      expect(wasm.dxShape, JSON.stringify(c)).toEqual(c.x);
      expect(relativeError(wasm.dw, cpu.dw), `dW ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      expect(relativeError(wasm.dx, cpu.dx), `dx ${JSON.stringify(c)}`).toBeLessThan(1e-5);
    }
  });

  it('keep the previous kernels (the benchmark compares against them) matching the cpu kernels too', async () => {
    registerWasmConv2dBackprop();
    for (const c of CASES.filter((k) => typeof k.pad === 'string')) {
      const cpu = await gradients('cpu', c);
      const wasm = await withKernels(wasmConv2dBackpropKernels(PREVIOUS_WASM_CONV2D_BACKPROP), () => gradients('wasm', c));
      expect(relativeError(wasm.dw, cpu.dw), `dW ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      expect(relativeError(wasm.dx, cpu.dx), `dx ${JSON.stringify(c)}`).toBeLessThan(1e-5);
    }
    expect((tf.getKernel('Conv2DBackpropFilter', 'wasm') as { lafite?: boolean }).lafite).toBe(true); // the current ones are back
  });

  it('run conv2dTranspose (upsampling) like the cpu kernel, and leave no tensors behind', async () => {
    registerWasmConv2dBackprop();
    registerWasmConv2dBackprop(); // idempotent
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      const x = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 21) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 22) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const y = tf.conv2dTranspose(x, w, [2, 10, 10, 2], 2, 'same');
      const data = (await y.data()) as Float32Array;
      y.dispose();
      const leaked = tf.memory().numTensors - before;
      tf.dispose([x, w]);
      return { data, leaked };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(relativeError(wasm.data, cpu.data)).toBeLessThan(1e-5);
    expect(wasm.leaked).toBe(0);
  });
});
