import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { l2Normalise } from '../normalise.ts';
import { PerturbationNet } from './perturbation-nn.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('PerturbationNet (Lafite eq. 2)', () => {
  it('computes n(f + r1(f) + ε ⊙ exp(r2(f))) with unit rows', () => {
    const net = PerturbationNet.create({ dim: 8, hidden: 16, seed: 1 });
    const f = l2Normalise(tf.randomNormal([5, 8], 0, 1, 'float32', 2));
    const h = net.perturb(f, { seed: 3 });
    expect(h.shape).toEqual([5, 8]);
    for (const n of tf.norm(h, 'euclidean', 1).arraySync() as number[]) expect(n).toBeCloseTo(1, 5);
    // r1 and r2 hold 4 layers each: weights and biases.
    expect(net.variables()).toHaveLength(16);
    net.dispose();
  });

  it('learns to move image features towards their captions (mean cos(h′, h) rises)', async () => {
    // Captions are a fixed linear map of their images: learnable by r1.
    const dim = 8;
    const map = tf.randomNormal([dim, dim], 0, 1, 'float32', 4);
    const f = l2Normalise(tf.randomNormal([64, dim], 0, 1, 'float32', 5));
    const h = l2Normalise(tf.matMul(f, map) as tf.Tensor2D);
    const net = PerturbationNet.create({ dim, hidden: 32, seed: 6, learningRate: 0.01 });
    const first = await net.trainStep(f, h, { seed: 0 });
    let last = first;
    for (let step = 1; step < 300; step++) last = await net.trainStep(f, h, { seed: step });
    expect(last).toBeGreaterThan(first + 0.3);
    net.dispose();
  });

  it('round-trips through its file: the same weights give the same features', async () => {
    const net = PerturbationNet.create({ dim: 4, hidden: 8, seed: 7 });
    const f = l2Normalise(tf.randomNormal([3, 4], 0, 1, 'float32', 8));
    await net.trainStep(f, f, { seed: 1 });
    const file = JSON.parse(JSON.stringify(await net.toFile('shapes-clip', { steps: 1, meanCosine: 0.5, pairs: 3 })));
    const loaded = PerturbationNet.fromFile(file);
    expect(loaded.perturb(f, { seed: 9 }).arraySync()).toEqual(net.perturb(f, { seed: 9 }).arraySync());
    file.weights[0].shape = [1, 1];
    expect(() => PerturbationNet.fromFile(file)).toThrow(/another shape/);
  });
});
