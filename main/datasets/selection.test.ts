/**
 * Seeded selection: the same keys and seed give the same subset whatever the input order;
 * the ranking is the sha256 formula the module documents (pinned, since a change would
 * silently move every saved split).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LafiteError } from '../contract/errors.ts';
import { chooseFewShot, chooseValidation, rankBySeed } from './selection.ts';

interface Image {
  id: number;
  sha256: string;
}

/** 100 images whose ids run the other way from their keys, as after a re-import. */
const images: Image[] = Array.from({ length: 100 }, (_, i) => ({ id: 100 - i, sha256: createHash('sha256').update(`image ${i}`).digest('hex') }));
const byHash = (image: Image): string => image.sha256;
const shuffled = <T>(items: readonly T[]): T[] =>
  items
    .map((item, i) => ({ item, order: (i * 37) % items.length }))
    .sort((a, b) => a.order - b.order)
    .map(({ item }) => item);
const ids = (items: Iterable<Image>): number[] => [...items].map((image) => image.id).sort((a, b) => a - b);

describe('rankBySeed', () => {
  it('orders by sha256(salt:seed:key), ascending hex', () => {
    const keys = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'];
    const digest = (key: string): string => createHash('sha256').update(`split:7:${key}`).digest('hex');
    const expected = [...keys].sort((a, b) => (digest(a) < digest(b) ? -1 : 1));
    expect(rankBySeed(keys, (k) => k, 7, 'split')).toEqual(expected);
  });

  it('does not depend on the input order and leaves the input alone', () => {
    const copy = [...images];
    const ranked = rankBySeed(images, byHash, 3, 'split');
    expect(rankBySeed(shuffled(images), byHash, 3, 'split')).toEqual(ranked);
    expect(rankBySeed([...images].reverse(), byHash, 3, 'split')).toEqual(ranked);
    expect(images).toEqual(copy);
  });

  it('changes with the seed and with the salt', () => {
    const ranked = rankBySeed(images, byHash, 0, 'split');
    expect(rankBySeed(images, byHash, 1, 'split')).not.toEqual(ranked);
    expect(rankBySeed(images, byHash, 0, 'few-shot')).not.toEqual(ranked);
  });
});

describe('chooseValidation', () => {
  it('picks Math.round(n * fraction) items', () => {
    expect(chooseValidation(images, byHash, 0.1, 0).size).toBe(10);
    expect(chooseValidation(images.slice(0, 10), byHash, 0.25, 0).size).toBe(3); // 2.5 rounds up
    expect(chooseValidation(images.slice(0, 10), byHash, 0.24, 0).size).toBe(2);
    expect(chooseValidation(images, byHash, 0, 0).size).toBe(0);
    expect(chooseValidation(images, byHash, 1, 0).size).toBe(100);
    expect(chooseValidation([], byHash, 0.5, 0).size).toBe(0);
  });

  it('is the head of the split ranking, reproducible in any input order', () => {
    const val = chooseValidation(images, byHash, 0.2, 42);
    expect(ids(val)).toEqual(ids(rankBySeed(images, byHash, 42, 'split').slice(0, 20)));
    expect(ids(chooseValidation(shuffled(images), byHash, 0.2, 42))).toEqual(ids(val));
    expect(ids(chooseValidation(images, byHash, 0.2, 42))).toEqual(ids(val));
  });

  it('differs between seeds', () => {
    expect(ids(chooseValidation(images, byHash, 0.2, 1))).not.toEqual(ids(chooseValidation(images, byHash, 0.2, 2)));
  });

  it('refuses a fraction outside [0, 1]', () => {
    for (const fraction of [-0.1, 1.5, Number.NaN]) {
      expect(() => chooseValidation(images, byHash, fraction, 0)).toThrow(expect.objectContaining({ code: 'invalid_input', field: 'val' }));
    }
  });
});

describe('chooseFewShot', () => {
  it('picks count items, the same in any input order, a smaller count a prefix of a larger', () => {
    const twenty = chooseFewShot(images, byHash, 20, 5);
    expect(twenty).toHaveLength(20);
    expect(new Set(twenty).size).toBe(20);
    expect(chooseFewShot(shuffled(images), byHash, 20, 5)).toEqual(twenty);
    expect(chooseFewShot(images, byHash, 10, 5)).toEqual(twenty.slice(0, 10));
    expect(chooseFewShot(images, byHash, 100, 5)).toHaveLength(100);
    expect(chooseFewShot(images, byHash, 0, 5)).toEqual([]);
  });

  it('differs between seeds and from the head of the split ranking', () => {
    const pairs = ids(chooseFewShot(images, byHash, 10, 0));
    expect(ids(chooseFewShot(images, byHash, 10, 1))).not.toEqual(pairs);
    expect(ids(rankBySeed(images, byHash, 0, 'split').slice(0, 10))).not.toEqual(pairs);
  });

  it('refuses more pairs than captioned images, naming the field', () => {
    const call = (): unknown => chooseFewShot(images.slice(0, 7), byHash, 8, 0);
    expect(call).toThrow(LafiteError);
    expect(call).toThrow(expect.objectContaining({ code: 'invalid_input', field: 'pairs', message: 'only 7 captioned images: ask for at most 7 pairs' }));
    expect(() => chooseFewShot(images.slice(0, 1), byHash, 2, 0)).toThrow('only 1 captioned image: ask for at most 1 pair');
    expect(() => chooseFewShot(images, byHash, 2.5, 0)).toThrow(expect.objectContaining({ field: 'pairs' }));
  });
});
