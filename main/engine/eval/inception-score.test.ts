import { describe, expect, it } from 'vitest';
import { LafiteError } from '../../contract/errors.ts';
import { mulberry32 } from '../random.ts';
import { inceptionScore } from './inception-score.ts';

/** Random softmax rows [N, C]. */
function randomProbabilities(count: number, classes: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const probs = new Float64Array(count * classes);
  for (let r = 0; r < count; r++) {
    const logits = Array.from({ length: classes }, () => 4 * rng());
    const z = logits.reduce((s, l) => s + Math.exp(l), 0);
    logits.forEach((l, c) => (probs[r * classes + c] = Math.exp(l) / z));
  }
  return probs;
}

/** IS written out as the papers state it, one split at a time, for comparison. */
function inceptionScoreDirect(probs: Float64Array, classes: number, splits: number): { mean: number; std: number } {
  const count = probs.length / classes;
  const scores: number[] = [];
  for (let s = 0; s < splits; s++) {
    const rows = Array.from({ length: Math.floor(((s + 1) * count) / splits) - Math.floor((s * count) / splits) }, (_, i) => {
      const r = Math.floor((s * count) / splits) + i;
      return Array.from(probs.subarray(r * classes, (r + 1) * classes));
    });
    const py = Array.from({ length: classes }, (_, c) => rows.reduce((sum, p) => sum + p[c]!, 0) / rows.length);
    const kls = rows.map((p) => p.reduce((sum, pc, c) => sum + pc * Math.log(pc / py[c]!), 0));
    scores.push(Math.exp(kls.reduce((a, b) => a + b, 0) / kls.length));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  return { mean, std: Math.sqrt(scores.reduce((sum, x) => sum + (x - mean) ** 2, 0) / splits) };
}

describe('inceptionScore', () => {
  it('matches a direct computation, 10 splits by default, uneven split sizes included', () => {
    const probs = randomProbabilities(1003, 7, 1);
    const ours = inceptionScore(probs, 7);
    const direct = inceptionScoreDirect(probs, 7, 10);
    expect(ours.perSplit).toHaveLength(10);
    expect(ours.mean).toBeCloseTo(direct.mean, 12);
    expect(ours.std).toBeCloseTo(direct.std, 12);
    expect(inceptionScore(Float32Array.from(probs), 7, { splits: 3 }).mean).toBeCloseTo(inceptionScoreDirect(probs, 7, 3).mean, 5);
  });

  it('is 1 for uniform predictions', () => {
    const probs = new Float64Array(200 * 5).fill(0.2);
    const { mean, std } = inceptionScore(probs, 5);
    expect(mean).toBeCloseTo(1, 12);
    expect(std).toBeCloseTo(0, 12);
  });

  it('is C for one-hot predictions using all C classes equally (0·log 0 = 0)', () => {
    const classes = 8;
    const probs = new Float32Array(10 * classes * 3 * classes); // 10 splits × 3 rounds of each class
    for (let r = 0; r < probs.length / classes; r++) probs[r * classes + (r % classes)] = 1;
    const { mean, std, perSplit } = inceptionScore(probs, classes);
    expect(mean).toBeCloseTo(classes, 10);
    expect(std).toBeCloseTo(0, 10);
    perSplit.forEach((s) => expect(s).toBeCloseTo(classes, 10));
  });

  it('refuses logits, ragged rows and fewer rows than splits', () => {
    const errorOf = (fn: () => unknown): LafiteError => {
      try {
        fn();
      } catch (error) {
        if (error instanceof LafiteError) return error;
        throw error;
      }
      throw new Error('expected a LafiteError');
    };
    expect(errorOf(() => inceptionScore(Float64Array.from([0.5, 0.7]), 2)).message).toMatch(/row 0 sums to 1.2, not 1: pass softmax outputs, not logits/);
    expect(errorOf(() => inceptionScore(Float32Array.from([2, -1]), 2)).message).toMatch(/row 0, class 0: 2 is not a probability/);
    expect(errorOf(() => inceptionScore(new Float32Array(5), 2)).message).toMatch(/5 values are not a whole number of rows of 2 classes/);
    expect(errorOf(() => inceptionScore(new Float32Array(18).fill(0.5), 2)).message).toMatch(/10 splits need at least 10 probability rows, got 9/);
  });
});
