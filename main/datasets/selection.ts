/**
 * Seeded choices of images: the validation split and the few-shot subset. Items are ranked
 * by sha256(`salt:seed:key`) of a stable key (a content hash, a relative path), never by
 * row order or database id, so the same files and seed give the same subset on any
 * machine, whatever order they were imported in. Each choice has its own salt, so the
 * few-shot pairs are not simply the head of the split's ranking.
 *
 * Keys should be unique: items with equal keys rank equal and keep their input order.
 *
 * @example
 *   const val = chooseValidation(images, (image) => image.sha256, 0.1, 0);  // Set of ~10% of images
 *   const pairs = chooseFewShot(captioned, (image) => image.sha256, 20, 0);  // 20 images
 */
import { createHash } from 'node:crypto';
import { invalidInput } from '../contract/errors.ts';

/** The items, ordered by sha256(`${salt}:${seed}:${key(item)}`) (hex, ascending); a new array. */
export function rankBySeed<T>(items: readonly T[], key: (item: T) => string, seed: number, salt: string): T[] {
  return items
    .map((item) => ({
      item,
      rank: createHash('sha256')
        .update(`${salt}:${seed}:${key(item)}`)
        .digest('hex'),
    }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map(({ item }) => item);
}

/** The validation split: `Math.round(items.length * fraction)` items (salt `split`). */
export function chooseValidation<T>(items: readonly T[], key: (item: T) => string, fraction: number, seed: number): Set<T> {
  if (!(fraction >= 0 && fraction <= 1)) throw invalidInput(`the validation fraction must be between 0 and 1, got ${fraction}`, 'val');
  return new Set(rankBySeed(items, key, seed, 'split').slice(0, Math.round(items.length * fraction)));
}

/** The few-shot subset: the first `count` items of the ranking (salt `few-shot`). */
export function chooseFewShot<T>(items: readonly T[], key: (item: T) => string, count: number, seed: number): T[] {
  if (!Number.isInteger(count) || count < 0) throw invalidInput(`pairs must be a whole number, got ${count}`, 'pairs');
  const n = items.length;
  if (count > n) throw invalidInput(`only ${n} captioned ${n === 1 ? 'image' : 'images'}: ask for at most ${n} ${n === 1 ? 'pair' : 'pairs'}`, 'pairs');
  return rankBySeed(items, key, seed, 'few-shot').slice(0, count);
}
