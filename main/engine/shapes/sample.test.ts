import { describe, expect, it } from 'vitest';
import { BACKGROUNDS, COLORS, MIN_CONTRAST_RGB, rgbDistance, SHAPES, SIZES } from './attributes.ts';
import { deriveSeed, mulberry32, placeCenters, reachOf, sampleScene, sceneAttributes } from './sample.ts';

const scenes = (n: number, seed = 0) => Array.from({ length: n }, (_, i) => sampleScene(mulberry32(deriveSeed(seed, i))));

describe('mulberry32 and deriveSeed', () => {
  it('repeat by seed and stay in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const drawn = Array.from({ length: 1000 }, () => a());
    expect(drawn).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...drawn)).toBeLessThan(1);
    expect(drawn.reduce((s, x) => s + x, 0) / drawn.length).toBeCloseTo(0.5, 1);
  });

  it('derives distinct seeds from nearby parts, large ones included', () => {
    const seeds = new Set<number>();
    for (let s = 0; s < 20; s++) for (let i = 0; i < 500; i++) seeds.add(deriveSeed(s, i));
    expect(seeds.size).toBe(10_000);
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(0, 1));
    expect(deriveSeed(2 ** 40, 3)).not.toBe(deriveSeed(0, 3));
    expect(() => deriveSeed(-1)).toThrow(RangeError);
  });
});

describe('sampleScene', () => {
  const many = scenes(3000);

  it('draws 1 to 3 objects, each count about a third of the time', () => {
    const counts = [0, 0, 0, 0];
    for (const scene of many) counts[scene.objects.length]!++;
    expect(counts[0]).toBe(0);
    for (const count of [1, 2, 3]) expect(counts[count]! / many.length).toBeGreaterThan(0.29);
    expect(counts[1]! + counts[2]! + counts[3]!).toBe(many.length);
  });

  it('uses every shape, color, size and background', () => {
    const seen = { shape: new Set(), color: new Set(), size: new Set(), background: new Set() };
    for (const scene of many) {
      const a = sceneAttributes(scene);
      seen.shape.add(a.shape);
      seen.color.add(a.color);
      seen.size.add(a.size);
      seen.background.add(a.background);
    }
    expect(seen.shape.size).toBe(Object.keys(SHAPES).length);
    expect(seen.color.size).toBe(Object.keys(COLORS).length);
    expect(seen.size.size).toBe(Object.keys(SIZES).length);
    expect(seen.background.size).toBe(Object.keys(BACKGROUNDS).length);
  });

  it('keeps objects inside the picture, apart from each other, on a contrasting background', () => {
    for (const scene of many) {
      const { shape, size, color, background } = sceneAttributes(scene);
      const reach = reachOf(shape, size);
      expect(rgbDistance(COLORS[color].rgb, BACKGROUNDS[background].rgb)).toBeGreaterThanOrEqual(MIN_CONTRAST_RGB);
      for (const [i, o] of scene.objects.entries()) {
        expect(Math.min(o.x, o.y, 1 - o.x, 1 - o.y)).toBeGreaterThanOrEqual(reach);
        expect(Math.abs(o.rotationDeg)).toBeLessThanOrEqual(SHAPES[shape].maxRotationDeg);
        for (const other of scene.objects.slice(i + 1)) expect(Math.hypot(o.x - other.x, o.y - other.y)).toBeGreaterThan(2 * reach);
      }
    }
  });

  it('falls back to a fixed layout that still keeps the largest objects apart', () => {
    const never = () => 0.999999; // every random try lands on the same spot
    const reach = reachOf('star', 'large');
    const centers = placeCenters(never, 3, reach);
    expect(centers).toHaveLength(3);
    for (const [i, [x, y]] of centers.entries()) {
      for (const [u, v] of centers.slice(i + 1)) expect(Math.hypot(x - u, y - v)).toBeGreaterThan(2 * reach);
    }
  });

  it('repeats by seed and differs between seeds', () => {
    expect(scenes(50, 7)).toEqual(scenes(50, 7));
    expect(scenes(50, 8)).not.toEqual(scenes(50, 7));
  });
});
