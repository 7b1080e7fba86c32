import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { augment } from './augment.ts';
import { emaBeta, updateEma } from './ema.ts';
import { contrastiveLoss, discriminatorLoss, generatorLoss, r1Penalty } from './losses.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const cos = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
const softplus = (x: number): number => Math.log1p(Math.exp(x));

describe('Lafite losses (eqs. 5–7)', () => {
  it('L_D and L_G are the non-saturating GAN losses on the logits', () => {
    const real = [0.5, -1, 2];
    const fake = [-0.3, 1.2, 0];
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(discriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake)).dataSync()[0]).toBeCloseTo(mean(real.map((r) => softplus(-r))) + mean(fake.map(softplus)), 5);
    expect(generatorLoss(tf.tensor1d(fake)).dataSync()[0]).toBeCloseTo(mean(fake.map((f) => softplus(-f))), 5);
  });

  it('Con(a, b) = −τ · mean_i log softmax over images j of Sim(a_j, b_i)/τ, at the matching pair', () => {
    const a = [
      [1, 0, 2],
      [0.5, 1, 0],
      [-1, 0.3, 0.2],
    ];
    const b = [
      [0.9, 0.1, 1.5],
      [0, 1, 0.2],
      [1, 1, 1],
    ];
    const tau = 0.5;
    let total = 0;
    b.forEach((bi, i) => {
      const logits = a.map((aj) => cos(aj, bi) / tau);
      const logSum = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
      total += logits[i]! - logSum;
    });
    expect(contrastiveLoss(tf.tensor2d(a), tf.tensor2d(b), tau).dataSync()[0]).toBeCloseTo((-tau * total) / 3, 5);
  });

  it('R1 is γ/2 · E‖∇_x D‖², scaled by the lazy interval', () => {
    // D(x) = Σ 3·x  ⇒  ∇_x D = 3 everywhere: ‖∇‖² = 9 · H·W·C.
    const reals = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
    const penalty = r1Penalty((x) => tf.sum(tf.mul(x, 3), [1, 2, 3]) as tf.Tensor1D, reals, 10, 16);
    expect(penalty.dataSync()[0]).toBeCloseTo((10 / 2) * 9 * 4 * 16, 3);
  });
});

describe('augmentation and EMA', () => {
  it('shifts and cuts without changing colors, reproducibly by seed', () => {
    const x = tf.fill([2, 8, 8, 3], 0.7) as tf.Tensor4D;
    const y = augment(x, { translate: 0.25, cutout: 0.25, seed: 3 });
    expect(y.shape).toEqual([2, 8, 8, 3]);
    const values = new Set(Array.from(y.dataSync()).map((v) => v.toFixed(4)));
    expect([...values].sort()).toEqual(['0.0000', '0.7000']); // only the color or zeros (padding, cutout)
    expect(Array.from(augment(x, { translate: 0.25, cutout: 0.25, seed: 3 }).dataSync())).toEqual(Array.from(y.dataSync()));
    expect(Array.from(augment(x, { translate: 0, cutout: 0, seed: 3 }).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it('moves the average towards the weights by 1 − β', () => {
    const average = new Map([['w', tf.variable(tf.tensor1d([0, 0]))]]);
    updateEma(average, new Map([['w', tf.variable(tf.tensor1d([1, 2]))]]), 0.9);
    expect(Array.from(average.get('w')!.dataSync()).map((v) => Number(v.toFixed(5)))).toEqual([0.1, 0.2]);
    expect(emaBeta(10_000, 10_000)).toBeCloseTo(0.5, 10);
  });
});
