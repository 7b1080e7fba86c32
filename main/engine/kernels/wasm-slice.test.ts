import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { mulberry32 } from '../random.ts';
import { mergeSliceAxes, registerWasmSlice } from './wasm-slice.ts';

/** Random shapes of rank 1 to 6 with a random box in each (some axes whole, some at one index). */
function randomSlices(count: number, seed: number): Array<{ shape: number[]; begin: number[]; size: number[] }> {
  const rng = mulberry32(seed);
  const int = (n: number) => Math.floor(rng() * n);
  return Array.from({ length: count }, () => {
    const shape = Array.from({ length: 1 + int(6) }, () => 1 + int(5));
    const begin: number[] = [];
    const size: number[] = [];
    for (const d of shape) {
      const kind = rng();
      const b = kind < 0.3 ? 0 : int(d);
      begin.push(b);
      size.push(kind < 0.3 ? d : kind < 0.5 ? 1 : 1 + int(d - b));
    }
    return { shape, begin, size };
  });
}

/** Flat indices of the elements a slice selects, in order. */
function selected(shape: readonly number[], begin: readonly number[], size: readonly number[]): number[] {
  let flat = [0];
  for (let axis = 0; axis < shape.length; axis++) {
    flat = flat.flatMap((base) => Array.from({ length: size[axis]! }, (_, k) => base * shape[axis]! + begin[axis]! + k));
  }
  return flat;
}

describe('wasm Slice and Unpack on merged axes', () => {
  it('merging axes selects the same elements, on at most as many axes', () => {
    for (const c of randomSlices(300, 1)) {
      const merged = mergeSliceAxes(c.shape, c.begin, c.size);
      expect(merged.shape.reduce((a, b) => a * b)).toBe(c.shape.reduce((a, b) => a * b));
      expect(merged.shape.length).toBeLessThanOrEqual(c.shape.length);
      expect(selected(merged.shape, merged.begin, merged.size)).toEqual(selected(c.shape, c.begin, c.size));
    }
    // The FIR resampling's case: the odd rows of [8, 16, 2, 32, 48] are one strided run of rank 2.
    expect(mergeSliceAxes([8, 16, 2, 32, 48], [0, 0, 1, 0, 0], [8, 16, 1, 32, 48])).toEqual({ shape: [128, 3072], begin: [0, 1536], size: [128, 1536] });
  });

  it('give exactly what the cpu kernels give, ranks 1 to 6, and leave no tensors behind', async () => {
    const cases = randomSlices(60, 2);
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      if (backend === 'wasm') registerWasmSlice();
      const before = tf.memory().numTensors;
      const out: Float32Array[] = [];
      for (const [i, c] of cases.entries()) {
        const x = tf.randomNormal(c.shape, 0, 1, 'float32', i + 1); // seed 0 would mean unseeded
        const y = tf.slice(x, c.begin, c.size);
        expect(y.shape).toEqual(c.size);
        out.push((await y.data()) as Float32Array);
        const axis = i % c.shape.length;
        const parts = tf.unstack(x, axis);
        for (const part of parts) expect(part.shape).toEqual(c.shape.filter((_, k) => k !== axis));
        out.push(...((await Promise.all(parts.map((p) => p.data()))) as Float32Array[]));
        tf.dispose([x, y, ...parts]);
      }
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < cpu.length; i++) expect(Array.from(wasm[i]!), `output ${i}`).toEqual(Array.from(cpu[i]!));
  });

  it('differentiate stack and unstack of 4D activations (rank 5 inside) like the cpu backend', async () => {
    const run = async (backend: 'cpu' | 'wasm') => {
      await initBackend(backend);
      if (backend === 'wasm') registerWasmSlice();
      const x = tf.randomNormal([2, 4, 6, 3], 0, 1, 'float32', 7);
      const r = tf.randomNormal([2, 2, 4, 6, 3], 0, 1, 'float32', 8);
      const f = (a: tf.Tensor) => {
        const [even, odd] = tf.unstack(tf.reshape(a, [2, 2, 2, 6, 3]), 2) as [tf.Tensor, tf.Tensor]; // rows 2i and 2i + 1
        return tf.sum(tf.mul(tf.stack([tf.mul(even, 2), odd, tf.add(even, odd), odd], 2), r));
      };
      const dx = tf.grad(f)(x);
      const out = (await dx.data()) as Float32Array;
      tf.dispose([x, r, dx]);
      return out;
    };
    expect(Array.from(await run('wasm'))).toEqual(Array.from(await run('cpu')));
  });
});
