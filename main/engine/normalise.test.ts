import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { l2Normalise, l2NormaliseRows } from './normalise.ts';

describe('n(·)', () => {
  it('scales each tensor row to unit length, and the float rows the same way', () => {
    const x = [3, 4, 1, -2, 0.5, 0.25];
    const rows = tf.tidy(() => Array.from(l2Normalise(tf.tensor2d(x, [2, 3])).dataSync()));
    const direct = [0, 1].map((r) => Math.hypot(...x.slice(r * 3, r * 3 + 3)));
    expect(rows).toEqual(x.map((v, i) => expect.closeTo(v / direct[Math.floor(i / 3)]!, 6)));
    expect(Array.from(l2NormaliseRows(new Float32Array(x), 3))).toEqual(rows.map((v) => expect.closeTo(v, 6)));
  });

  it('keeps a zero row finite (zero)', () => {
    expect(tf.tidy(() => Array.from(l2Normalise(tf.zeros([1, 4])).dataSync()))).toEqual([0, 0, 0, 0]);
    expect(Array.from(l2NormaliseRows(new Float32Array(4), 2))).toEqual([0, 0, 0, 0]);
  });
});
