import { describe, expect, it } from 'vitest';
import { generateShapes } from './index.ts';

const run = (seed: number, n = 12, size = 64, start = 0) => [...generateShapes({ n, size, seed, start })];

describe('generateShapes', () => {
  it('is deterministic by seed: the same seed gives identical pixels and captions', () => {
    const a = run(7);
    const b = run(7);
    expect(a.map((s) => s.index)).toEqual([...Array(12).keys()]);
    for (const [i, sample] of a.entries()) {
      expect(Buffer.from(sample.pixels).equals(Buffer.from(b[i]!.pixels))).toBe(true);
      expect(sample.captions).toEqual(b[i]!.captions);
      expect(sample.captions).toHaveLength(5);
    }
  });

  it('differs between seeds', () => {
    const a = run(7);
    const b = run(8);
    const samePixels = a.filter((s, i) => Buffer.from(s.pixels).equals(Buffer.from(b[i]!.pixels))).length;
    expect(samePixels).toBe(0);
    expect(a.map((s) => s.captions)).not.toEqual(b.map((s) => s.captions));
  });

  it('continues a run from any index with the same images', () => {
    const whole = run(3, 10);
    const tail = run(3, 10, 64, 6);
    expect(tail.map((s) => s.index)).toEqual([6, 7, 8, 9]);
    expect(tail.map((s) => s.scene)).toEqual(whole.slice(6).map((s) => s.scene));
    expect(tail.map((s) => s.captions)).toEqual(whole.slice(6).map((s) => s.captions));
  });

  it('draws the same scenes at any size', () => {
    const small = run(2, 4, 16);
    const large = run(2, 4, 128);
    expect(small.map((s) => s.pixels.length)).toEqual([16 * 16 * 3, 16 * 16 * 3, 16 * 16 * 3, 16 * 16 * 3]);
    expect(large.map((s) => s.pixels.length)).toEqual(Array(4).fill(128 * 128 * 3));
    expect(small.map((s) => s.scene)).toEqual(large.map((s) => s.scene));
  });
});
