import { describe, expect, it } from 'vitest';
import { BACKGROUNDS, COLORS, SHAPE_NAMES, SHAPES } from './attributes.ts';
import { INSIDE, renderScene } from './render.ts';
import { deriveSeed, mulberry32, sampleScene, type Scene } from './sample.ts';

const pixelAt = (pixels: Uint8Array, sizePx: number, x: number, y: number): number[] => Array.from(pixels.subarray(3 * (y * sizePx + x), 3 * (y * sizePx + x) + 3));

describe('shape geometry', () => {
  it.each(SHAPE_NAMES)('%s stays within its reach and covers its center', (shape) => {
    const inside = INSIDE[shape];
    expect(inside(0, 0)).toBe(true);
    let farthest = 0;
    for (let u = -1.6; u <= 1.6; u += 0.01) {
      for (let v = -1.6; v <= 1.6; v += 0.01) if (inside(u, v)) farthest = Math.max(farthest, Math.hypot(u, v));
    }
    expect(farthest).toBeLessThanOrEqual(SHAPES[shape].reach);
    expect(farthest).toBeGreaterThan(0.85 * SHAPES[shape].reach); // reach is tight, so sizes stay comparable
  });
});

describe('renderScene', () => {
  const scene: Scene = {
    background: 'beige',
    objects: [
      { shape: 'circle', color: 'red', size: 'large', x: 0.3, y: 0.3, rotationDeg: 0 },
      { shape: 'circle', color: 'red', size: 'large', x: 0.7, y: 0.7, rotationDeg: 0 },
    ],
  };

  it('returns [H, W, 3] pixels at any size', () => {
    for (const sizePx of [8, 16, 64, 128]) expect(renderScene(scene, sizePx)).toHaveLength(sizePx * sizePx * 3);
    expect(() => renderScene(scene, 0)).toThrow(RangeError);
  });

  it("paints an object's center in its color, the corners in the background, and blends the edges", () => {
    const pixels = renderScene(scene, 64);
    expect(pixelAt(pixels, 64, 19, 19)).toEqual([...COLORS.red.rgb]);
    expect(pixelAt(pixels, 64, 44, 44)).toEqual([...COLORS.red.rgb]);
    expect(pixelAt(pixels, 64, 0, 0)).toEqual([...BACKGROUNDS.beige.rgb]);
    expect(pixelAt(pixels, 64, 63, 0)).toEqual([...BACKGROUNDS.beige.rgb]);
    const greens = new Set<number>();
    for (let p = 0; p < 64 * 64; p++) greens.add(pixels[3 * p + 1]!);
    expect(greens.size).toBeGreaterThan(4); // anti-aliased edges sit between red and beige
  });

  it('draws every sampled scene right at its centers and corners, at 64 and 128 px', () => {
    for (let i = 0; i < 200; i++) {
      const sampled = sampleScene(mulberry32(deriveSeed(3, i)));
      for (const sizePx of [64, 128]) {
        const pixels = renderScene(sampled, sizePx);
        for (const o of sampled.objects) {
          expect(pixelAt(pixels, sizePx, Math.floor(o.x * sizePx), Math.floor(o.y * sizePx)), `scene ${i} ${o.shape}`).toEqual([...COLORS[o.color].rgb]);
        }
        const background = [...BACKGROUNDS[sampled.background].rgb];
        for (const [x, y] of [
          [0, 0],
          [sizePx - 1, 0],
          [0, sizePx - 1],
          [sizePx - 1, sizePx - 1],
        ] as const) {
          expect(pixelAt(pixels, sizePx, x, y)).toEqual(background);
        }
      }
    }
  });

  it('is a pure function of the scene', () => {
    const sampled = sampleScene(mulberry32(11));
    expect(renderScene(sampled, 32)).toEqual(renderScene(sampled, 32));
  });
});
