import { describe, expect, it } from 'vitest';
import { LafiteError } from '../../contract/errors.ts';
import { mulberry32 } from '../random.ts';
import { clipScore, rPrecision, sampleOthers } from './clip-score.ts';

/** N one-hot rows of dimension N: row i is e_i. */
const oneHot = (count: number): Float32Array => Float32Array.from({ length: count * count }, (_, k) => (k % (count + 1) === 0 ? 1 : 0));

/** N random unit rows. */
function randomUnit(count: number, dim: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const rows = Float32Array.from({ length: count * dim }, () => rng() - 0.5);
  for (let i = 0; i < count; i++) {
    const norm = Math.hypot(...rows.subarray(i * dim, (i + 1) * dim));
    for (let d = 0; d < dim; d++) rows[i * dim + d] = rows[i * dim + d]! / norm;
  }
  return rows;
}

function errorOf(fn: () => unknown): LafiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LafiteError) return error;
    throw error;
  }
  throw new Error('expected a LafiteError');
}

describe('clipScore', () => {
  it('is the mean of w·max(cos, 0) over pairs, w = 100 by default', () => {
    const s = Math.SQRT1_2;
    const images = Float32Array.from([1, 0, 0, 1, 1, 0]); // 3 pairs of 2-D rows
    const texts = Float32Array.from([1, 0, s, s, -1, 0]); // cosines 1, 1/√2, −1 (clipped to 0)
    expect(clipScore(images, texts, 2)).toBeCloseTo((100 * (1 + Math.SQRT1_2 + 0)) / 3, 5);
    expect(clipScore(images, texts, 2, { weight: 2.5 })).toBeCloseTo((2.5 * (1 + Math.SQRT1_2)) / 3, 5);
  });

  it('uses cosines, so rows need not be unit', () => {
    const images = Float32Array.from([3, 0, 0, 2]);
    const texts = Float32Array.from([0.5, 0.5, 0, 7]);
    expect(clipScore(images, texts, 2)).toBeCloseTo((100 * (Math.SQRT1_2 + 1)) / 2, 5);
  });
});

describe('rPrecision', () => {
  it('is 1 when every image matches only its own text (orthogonal one-hot features)', () => {
    const features = oneHot(150);
    expect(rPrecision(features, features, 150)).toBe(1);
  });

  it('is about 1/100 when the pairing is shuffled', () => {
    const count = 3000;
    const texts = randomUnit(count, 32, 1);
    const images = randomUnit(count, 32, 2); // unrelated to their texts
    const value = rPrecision(images, texts, 32, { seed: 3 });
    // binomial(3000, 0.01): mean 0.01, standard deviation ≈ 0.0018
    expect(value).toBeGreaterThan(0.01 - 4 * 0.0018);
    expect(value).toBeLessThan(0.01 + 4 * 0.0018);
  });

  it('is the same for the same seed and changes with the seed', () => {
    const texts = randomUnit(400, 16, 4);
    const noise = randomUnit(400, 16, 5);
    const images = texts.map((x, k) => x + 1.5 * noise[k]!); // noisy copies, cos ≈ 0.55 to their text: informative, not perfect
    const a = rPrecision(images, texts, 16, { seed: 1 });
    expect(rPrecision(images, texts, 16, { seed: 1 })).toBe(a);
    expect(a).toBeGreaterThan(0.05);
    expect(a).toBeLessThan(1);
    const others = [2, 3, 4, 5].map((seed) => rPrecision(images, texts, 16, { seed }));
    expect(others.some((b) => b !== a)).toBe(true);
  });

  it('gives a tie between the true text and a duplicate half credit', () => {
    const features = oneHot(100);
    const texts = features.slice();
    texts.set(features.subarray(0, 100), 100); // text 1 duplicates text 0
    // N = 100: every image sees all 99 other texts. Image 0 ties its text with text 1 (1/2); image 1's
    // text is orthogonal to it, as are all others (a 100-way tie at 0: 1/100); images 2..99 score 1
    expect(rPrecision(features, texts, 100)).toBeCloseTo((98 + 1 / 2 + 1 / 100) / 100, 12);
  });

  it('needs at least as many pairs as candidates, and says how many', () => {
    const features = oneHot(99);
    const error = errorOf(() => rPrecision(features, features, 99));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/R-precision needs at least 100 image–text pairs .* got 99/);
    expect(rPrecision(features, features, 99, { candidates: 10 })).toBe(1);
  });
});

describe('sampleOthers', () => {
  it('draws k distinct indices, never the skipped one, all of them when k = count − 1', () => {
    const rng = mulberry32(9);
    for (let trial = 0; trial < 50; trial++) {
      const drawn = sampleOthers(rng, 120, trial, 99);
      expect(new Set(drawn).size).toBe(99);
      expect(drawn).not.toContain(trial);
      expect(drawn.every((j) => j >= 0 && j < 120)).toBe(true);
    }
    expect(sampleOthers(rng, 100, 42, 99).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, j) => j).filter((j) => j !== 42));
  });

  it('draws each other index about equally often', () => {
    const rng = mulberry32(10);
    const counts = new Array<number>(20).fill(0);
    for (let trial = 0; trial < 20_000; trial++) for (const j of sampleOthers(rng, 20, 0, 5)) counts[j]!++;
    expect(counts[0]).toBe(0);
    const expected = (20_000 * 5) / 19;
    counts.slice(1).forEach((c) => expect(Math.abs(c - expected)).toBeLessThan(0.05 * expected));
  });
});

describe('feature checks', () => {
  it('refuses mismatched pairs, ragged rows and zero rows', () => {
    const a = new Float32Array([1, 0, 0, 1]);
    expect(errorOf(() => clipScore(a, new Float32Array([1, 0]), 2)).message).toMatch(/2 image features but 1 text features/);
    expect(errorOf(() => clipScore(a, new Float32Array([1, 0, 0]), 2)).message).toMatch(/text features: 3 values are not a whole number of 2-dimensional rows/);
    expect(errorOf(() => clipScore(a, new Float32Array([1, 0, 0, 0]), 2)).message).toMatch(/texts row 1 has norm 0/);
  });
});
