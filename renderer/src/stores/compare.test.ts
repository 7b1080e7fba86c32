import { describe, expect, it } from 'vitest';
import { checkCompare, parsePrompts, parseSeeds } from './compare.ts';
import { nextSeed, settingsForm } from './playground-form.ts';

describe('compare request', () => {
  it('reads prompts one a line and seeds separated by commas or spaces', () => {
    expect(parsePrompts(' a red circle \n\n two blue squares\n')).toEqual(['a red circle', 'two blue squares']);
    expect(parseSeeds('0, 1 7,7')).toEqual([0, 1, 7]);
    expect(parseSeeds('0, -1')).toBeNull();
    expect(parseSeeds('1.5')).toBeNull();
    expect(parseSeeds('4294967296')).toBeNull();
  });

  it('needs 2 to 4 distinct pairs, 1 to 4 prompts and 1 to 4 seeds', () => {
    const pairs = [
      { run: 'a', step: '' as const },
      { run: 'a', step: 4 },
    ];
    expect(checkCompare(pairs, ['x'], [0])).toBeNull();
    expect(checkCompare(pairs.slice(0, 1), ['x'], [0])).toMatch(/2 to 4/);
    expect(checkCompare([pairs[0]!, pairs[0]!], ['x'], [0])).toMatch(/same run at the same step/);
    expect(checkCompare([pairs[0]!, { run: '', step: '' }], ['x'], [0])).toMatch(/a run for every pair/);
    expect(checkCompare(pairs, [], [0])).toMatch(/1 to 4 prompts/);
    expect(checkCompare(pairs, ['x'], null)).toMatch(/whole numbers/);
    expect(checkCompare(pairs, ['x'], [1, 2, 3, 4, 5])).toMatch(/1 to 4 seeds/);
  });
});

describe('settings again', () => {
  it('fills the form from a picture’s settings, the latest step when none is known', () => {
    const settings = { prompt: 'a red circle', image: null, mix: 0.5, n: 2, seed: 7, truncation: 0.8 };
    expect(settingsForm({ ...settings, step: 4 })).toEqual({ prompt: 'a red circle', image: '', mix: 0.5, n: 2, seed: 7, truncation: 0.8, step: 4 });
    expect(settingsForm({ ...settings, prompt: null, step: null })).toMatchObject({ prompt: '', step: '' });
  });

  it('takes the next seed, wrapping at 2³²', () => {
    expect(nextSeed(6)).toBe(7);
    expect(nextSeed('')).toBe(0);
    expect(nextSeed(0xffffffff)).toBe(0);
  });
});
