/**
 * Times float32 matrix products on the current TensorFlow.js backend: the simplest check
 * that a backend works, and how fast (2·n³ floating-point operations per product).
 */
import * as tf from '@tensorflow/tfjs';

export interface MatMulTiming {
  ms: number;
  gflops: number;
}

export const matMulFlops = (size: number): number => 2 * size ** 3;

/** One timed product of two seeded random n×n matrices; reads the result back asynchronously. */
export async function timeMatMul(size: number, seed: number): Promise<MatMulTiming> {
  const [a, b] = tf.tidy(() => [tf.randomNormal([size, size], 0, 1, 'float32', seed), tf.randomNormal([size, size], 0, 1, 'float32', seed + 1)]);
  try {
    await Promise.all([a!.data(), b!.data()]);
    const start = performance.now();
    const product = tf.matMul(a!, b!); // [n, n]
    await product.data(); // async read: dataSync fails on webgpu in Node
    const ms = performance.now() - start;
    product.dispose();
    return { ms, gflops: matMulFlops(size) / (ms * 1e6) };
  } finally {
    tf.dispose([a!, b!]);
  }
}
