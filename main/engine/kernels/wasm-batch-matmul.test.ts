import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { relativeError } from './test-support.ts';
import { registerWasmBatchMatMul } from './wasm-batch-matmul.ts';

async function product(backend: 'cpu' | 'wasm', a: number[][], shapeA: number[], b: number[][], shapeB: number[], ta: boolean, tb: boolean) {
  await initBackend(backend);
  const y = tf.matMul(tf.tensor(a.flat(), shapeA), tf.tensor(b.flat(), shapeB), ta, tb);
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return { out, shape: y.shape };
}

describe('wasm BatchMatMul with explicit transposes', () => {
  it('matches the cpu kernel for every transpose combination, 2-D and batched', async () => {
    registerWasmBatchMatMul();
    registerWasmBatchMatMul(); // idempotent
    const rows = (n: number, m: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => Math.sin(seed + i * 7.3 + j * 1.7)));
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      // 2-D: [5, 7]·[7, 3] in the orientation the flags ask for.
      const a2 = ta ? [7, 5] : [5, 7];
      const b2 = tb ? [3, 7] : [7, 3];
      const cpu = await product('cpu', rows(a2[0]!, a2[1]!, 1), a2, rows(b2[0]!, b2[1]!, 2), b2, ta, tb);
      const wasm = await product('wasm', rows(a2[0]!, a2[1]!, 1), a2, rows(b2[0]!, b2[1]!, 2), b2, ta, tb);
      expect(wasm.shape).toEqual([5, 3]);
      expect(relativeError(wasm.out, cpu.out)).toBeLessThan(1e-5);
      // Batched: [4, 6, 9]·[4, 9, 2].
      const a3 = ta ? [4, 9, 6] : [4, 6, 9];
      const b3 = tb ? [4, 2, 9] : [4, 9, 2];
      const cpu3 = await product('cpu', rows(a3[0]! * a3[1]!, a3[2]!, 3), a3, rows(b3[0]! * b3[1]!, b3[2]!, 4), b3, ta, tb);
      const wasm3 = await product('wasm', rows(a3[0]! * a3[1]!, a3[2]!, 3), a3, rows(b3[0]! * b3[1]!, b3[2]!, 4), b3, ta, tb);
      expect(wasm3.shape).toEqual([4, 6, 2]);
      expect(relativeError(wasm3.out, cpu3.out)).toBeLessThan(1e-5);
    }
  });

  it('leaves no tensors behind and keeps gradients right', async () => {
    registerWasmBatchMatMul();
    await initBackend('wasm');
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([5, 4], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const probe = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, true, true).sum())([tf.transpose(x), w]);
    tf.dispose(probe);
    expect(tf.memory().numTensors).toBe(before + 1); // only the transpose of x made for the probe
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, false, true).square().sum())([x, w]);
    const [gx, gw] = await Promise.all(grads.map((g) => g.data()));
    // d/dx Σ (x wᵀ)² = 2 (x wᵀ) w ;  d/dw = 2 (x wᵀ)ᵀ x, computed on the cpu backend.
    const y = tf.matMul(x, w, false, true);
    await initBackend('cpu');
    const expectX = (await tf.tidy(() => tf.matMul(y, w).mul(2)).data()) as Float32Array;
    const expectW = (await tf.tidy(() => tf.matMul(y, x, true, false).mul(2)).data()) as Float32Array;
    expect(relativeError(gx as Float32Array, expectX)).toBeLessThan(1e-5);
    expect(relativeError(gw as Float32Array, expectW)).toBeLessThan(1e-5);
    tf.dispose([...grads, y]);
    await initBackend('wasm');
  });
});
