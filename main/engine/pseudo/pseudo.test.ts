import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { contrastiveLatentOptimization, contrastiveLogLikelihood, uniformOnSphere } from './clo.ts';
import { gaussianPseudoFeatures } from './gaussian.ts';
import { l2Normalise } from '../normalise.ts';
import { retrievalShare, validateSchedule, type PseudoSchedule } from './schedule.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];
const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]): number => Math.sqrt(dot(a, a));
const unit = (a: number[]): number[] => a.map((x) => x / norm(a));

describe('gaussianPseudoFeatures (Lafite eq. 1)', () => {
  it('equals n(f + ξ·ε·|f|/|ε|) computed directly', () => {
    const f = tf.tensor2d([
      [3, 4, 0],
      [0, 0, 2],
    ]);
    const noise = tf.tensor2d([
      [1, -2, 2],
      [0.5, 0.5, 0],
    ]);
    const h = rows(gaussianPseudoFeatures(f, { xi: 0.5, noise }));
    const fr = rows(f);
    const er = rows(noise);
    fr.forEach((fi, i) => {
      const ei = er[i]!;
      const direct = unit(fi.map((x, d) => x + (0.5 * ei[d]! * norm(fi)) / norm(ei)));
      h[i]!.forEach((x, d) => expect(x).toBeCloseTo(direct[d]!, 5));
    });
  });

  it('matches the official form when ξ_paper = ξ_official / (1 − ξ_official), for unit f', () => {
    const f = l2Normalise(tf.randomNormal([4, 16], 0, 1, 'float32', 1));
    const noise = tf.randomNormal([4, 16], 0, 1, 'float32', 2) as tf.Tensor2D;
    const paper = gaussianPseudoFeatures(f, { xi: 3, noise });
    const official = gaussianPseudoFeatures(f, { form: 'official', xi: 0.75, noise });
    expect(tf.max(tf.abs(tf.sub(paper, official))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('puts features at cosine 1/√(1 + ξ²) from their image in high dimension, reproducibly by seed', () => {
    const f = l2Normalise(tf.randomNormal([256, 512], 0, 1, 'float32', 3));
    const h = gaussianPseudoFeatures(f, { xi: 3, seed: 9 });
    const meanCos = tf.sum(tf.mul(h, f), 1).mean().dataSync()[0]!;
    expect(meanCos).toBeCloseTo(1 / Math.sqrt(10), 1);
    expect(rows(gaussianPseudoFeatures(f, { xi: 3, seed: 9 }))).toEqual(rows(h));
    // Seed 0 is a seed too (tfjs alone would take it for none).
    expect(rows(gaussianPseudoFeatures(f, { seed: 0 }))).toEqual(rows(gaussianPseudoFeatures(f, { seed: 0 })));
    expect(() => gaussianPseudoFeatures(f, { form: 'official', xi: 1.5 })).toThrow(/\[0, 1\]/);
  });
});

describe('contrastiveLatentOptimization (Lafite2 eq. 2)', () => {
  it('takes one step exactly as n(h_i + η/τ·(f_i − Σ_j p_ij f_j))', () => {
    const f = l2Normalise(tf.randomNormal([3, 5], 0, 1, 'float32', 4));
    const h0 = l2Normalise(tf.randomNormal([3, 5], 0, 1, 'float32', 5));
    const [eta, tau] = [0.3, 0.5];
    const h1 = rows(contrastiveLatentOptimization(h0, f, { steps: 1, stepSize: eta, tau }));
    const H = rows(h0);
    const F = rows(f);
    H.forEach((hi, i) => {
      const logits = F.map((fj) => dot(hi, fj) / tau);
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const p = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
      const gradient = hi.map((_, d) => (F[i]![d]! - F.reduce((s, fj, j) => s + p[j]! * fj[d]!, 0)) / tau);
      const direct = unit(hi.map((x, d) => x + eta * gradient[d]!));
      h1[i]!.forEach((x, d) => expect(x).toBeCloseTo(direct[d]!, 5));
    });
  });

  it('raises the contrastive likelihood from uniform starting points, and keeps unit norms', () => {
    const f = l2Normalise(tf.randomNormal([16, 32], 0, 1, 'float32', 6));
    const h0 = uniformOnSphere(16, 32, 7);
    const before = contrastiveLogLikelihood(h0, f, 0.1).dataSync()[0]!;
    const h = contrastiveLatentOptimization(h0, f, { steps: 10, stepSize: 0.5, tau: 0.1 });
    expect(contrastiveLogLikelihood(h, f, 0.1).dataSync()[0]!).toBeGreaterThan(before + 1);
    for (const n of tf.norm(h, 'euclidean', 1).arraySync() as number[]) expect(n).toBeCloseTo(1, 5);
  });
});

describe('retrievalShare', () => {
  it('rises linearly between the steps, or jumps at the points', () => {
    const linear = { kind: 'linear', startStep: 100, endStep: 300 } as const;
    expect([0, 100, 200, 300, 400].map((s) => retrievalShare(linear, s))).toEqual([0, 0, 0.5, 1, 1]);
    const steps: PseudoSchedule = {
      kind: 'steps',
      points: [
        { atStep: 10, share: 0.25 },
        { atStep: 20, share: 1 },
      ],
    };
    expect([5, 10, 15, 20].map((s) => retrievalShare(steps, s))).toEqual([0, 0.25, 0.25, 1]);
    expect(() =>
      validateSchedule({
        kind: 'steps',
        points: [
          { atStep: 10, share: 0.5 },
          { atStep: 5, share: 1 },
        ],
      }),
    ).toThrow(/increase/);
    expect(() => validateSchedule({ kind: 'linear', startStep: 5, endStep: 5 })).toThrow();
  });
});

describe('similarityStats', () => {
  it('measures image–text on matching rows and text–text on distinct rows', async () => {
    const { similarityStats, distribution, nearestCaptionCosines } = await import('./stats.ts');
    const images = Float32Array.from([1, 0, 0, 1, 1, 0]); // rows (1,0) (0,1) (1,0)
    const texts = Float32Array.from([0.6, 0.8, 0, 1, 1, 0]);
    const stats = similarityStats(images, texts, 2, { pairs: 200, seed: 1 });
    expect(stats.imageText.mean).toBeCloseTo((0.6 + 1 + 1) / 3, 5);
    // Pairs of distinct rows only: cos between rows of texts are 0.8, 0.6 and 0; never a row with itself (1).
    expect(stats.textText.histogram.counts.at(-1)).toBe(0);
    expect(stats.textText.count).toBe(200);
    expect(distribution([-1, 1, 0.99], 4).histogram.counts).toEqual([1, 0, 0, 2]);
    const nearest = await nearestCaptionCosines(texts, Float32Array.from([0, 1]), 2);
    expect(nearest.mean).toBeCloseTo((0.8 + 1 + 0) / 3, 5);
  });
});
