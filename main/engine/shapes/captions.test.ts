import { describe, expect, it } from 'vitest';
import { COLOR_NAMES, COLORS, COUNT_WORDS, SHAPE_NAMES, SHAPES } from './attributes.ts';
import { allCaptions, canonicalCaption, captionsFor } from './captions.ts';
import { deriveSeed, mulberry32, sampleScene, sceneAttributes, type Scene } from './sample.ts';

const words = (caption: string): string[] => caption.split(/[\s,]+/);
const scenes = Array.from({ length: 300 }, (_, i) => sampleScene(mulberry32(deriveSeed(5, i))));

describe('captions', () => {
  it('say the count, color and shape of the scene, and no other color or shape', () => {
    const wrong: string[] = [];
    for (const scene of scenes) {
      const { shape, color, count } = sceneAttributes(scene);
      const noun = count === 1 ? SHAPES[shape].word : SHAPES[shape].plural;
      const countWords: string[] = count === 1 ? ['a', 'an', 'one', 'single'] : [COUNT_WORDS[count as 2 | 3]];
      const otherWords: string[] = [
        ...COLOR_NAMES.filter((c) => c !== color).map((c) => COLORS[c].word),
        ...SHAPE_NAMES.filter((s) => s !== shape).flatMap((s) => [SHAPES[s].word, SHAPES[s].plural]),
      ];
      for (const caption of allCaptions(scene)) {
        const said = words(caption);
        const right = said.includes(COLORS[color].word) && said.includes(noun) && said.some((w) => countWords.includes(w));
        if (!right || said.some((w) => otherWords.includes(w))) wrong.push(`${count} ${color} ${shape}: ${caption}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('vary: n distinct wordings, chosen by the generator, at least 60 to choose from', () => {
    for (const scene of scenes.slice(0, 50)) {
      expect(allCaptions(scene).length).toBeGreaterThanOrEqual(60);
      const five = captionsFor(scene, mulberry32(1), 5);
      expect(new Set(five).size).toBe(5);
      expect(captionsFor(scene, mulberry32(1), 5)).toEqual(five);
    }
    const scene = scenes[0]!;
    const picks = new Set(Array.from({ length: 20 }, (_, s) => captionsFor(scene, mulberry32(s), 1)[0]));
    expect(picks.size).toBeGreaterThan(10);
    expect(() => captionsFor(scene, mulberry32(1), 1000)).toThrow(RangeError);
  });

  it('use articles and plurals right', () => {
    const scene = (count: number, color: 'orange' | 'red', shape: 'cross' | 'star'): Scene => ({
      background: 'light gray',
      objects: Array.from({ length: count }, (_, i) => ({ shape, color, size: 'large' as const, x: 0.2 + 0.3 * i, y: 0.5, rotationDeg: 0 })),
    });
    expect(canonicalCaption(scene(1, 'orange', 'cross'))).toBe('a large orange cross on a light gray background');
    expect(canonicalCaption(scene(3, 'red', 'cross'))).toBe('three large red crosses on a light gray background');
    expect(allCaptions(scene(1, 'orange', 'star'))).toContain('there is an orange star');
    expect(allCaptions(scene(2, 'red', 'star'))).toContain('there are two stars colored red');
    for (const caption of allCaptions(scene(2, 'orange', 'star'))) expect(caption).not.toMatch(/\ba [aeiou]|\ban [^aeiou]/);
  });
});
