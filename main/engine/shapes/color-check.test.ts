import { describe, expect, it } from 'vitest';
import { generateShapes, sceneAttributes } from './index.ts';
import { dominantObjectColor } from './color-check.ts';

describe('dominantObjectColor', () => {
  it("names the drawn color of ShapesWorld's own renders", () => {
    let right = 0;
    const samples = [...generateShapes({ n: 100, size: 32, seed: 3 })];
    for (const sample of samples) if (dominantObjectColor(sample.pixels) === sceneAttributes(sample.scene).color) right += 1;
    expect(right / samples.length).toBeGreaterThan(0.95);
  });
});
