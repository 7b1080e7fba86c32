import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { noiseSchedule, qSample } from './schedule.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('noise schedule (DDPM eq. 4)', () => {
  it('linear: β from 1e-4 to 0.02 over T = 1000, ᾱ the running product of 1 − β', () => {
    const s = noiseSchedule('linear', 1000);
    expect(s.betas[0]).toBeCloseTo(1e-4, 10);
    expect(s.betas[999]).toBeCloseTo(0.02, 10);
    expect(s.betas[500]! - s.betas[499]!).toBeCloseTo((0.02 - 1e-4) / 999, 12);
    let product = 1;
    for (let t = 0; t < 1000; t++) product *= 1 - s.betas[t]!;
    expect(s.alphaBars[999]).toBeCloseTo(product, 12);
    expect(s.alphaBars[999]).toBeLessThan(1e-4); // x_T is nearly pure noise
  });

  it('cosine: ᾱ_t = f(t)/f(0) (Nichol & Dhariwal eq. 17), β clipped at 0.999', () => {
    const s = noiseSchedule('cosine', 1000);
    const f = (t: number) => Math.cos(((t / 1000 + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [0, 10, 500, 900]) expect(s.alphaBars[t]).toBeCloseTo(f(t + 1) / f(0), 8);
    expect(Math.max(...s.betas)).toBeLessThanOrEqual(0.999);
  });

  it('q_sample is √ᾱ_t·x0 + √(1 − ᾱ_t)·ε, per sample', async () => {
    const s = noiseSchedule('linear', 1000);
    const x0 = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const eps = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const xt = await qSample(s, x0, [0, 700], eps).array();
    const [a, e] = [await x0.array(), await eps.array()];
    for (const [i, t] of [0, 700].entries()) {
      const expected = Math.sqrt(s.alphaBars[t]!) * a[i]![1]![2]![0]! + Math.sqrt(1 - s.alphaBars[t]!) * e[i]![1]![2]![0]!;
      expect(xt[i]![1]![2]![0]).toBeCloseTo(expected, 5);
    }
  });
});
