/**
 * ShapesWorld scenes: a seeded random generator and the sampler of scenes.
 *
 * A scene holds 1 to 3 objects of one shape, one color and one size (so the count is what
 * tells scenes apart: "two red circles"), placed apart from each other inside the picture,
 * on a background that contrasts with the color. Everything is drawn from the generator
 * handed in, so a seed fixes the scene.
 *
 * @example
 *   const rng = mulberry32(deriveSeed(seed, index));
 *   const scene = sampleScene(rng);   // { background: 'beige', objects: [{ shape: 'star', … }] }
 */
import {
  COLOR_NAMES,
  MAX_COUNT,
  MIN_COUNT,
  SHAPE_NAMES,
  SHAPES,
  SIZE_NAMES,
  SIZES,
  backgroundsFor,
  type BackgroundName,
  type ColorName,
  type ShapeName,
  type SizeName,
} from './attributes.ts';

import type { Rng } from '../random.ts';

export { mulberry32, type Rng } from '../random.ts';

/** MurmurHash3's finaliser: mixes every bit of a 32-bit word into every other. */
const fmix32 = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** A 32-bit seed from non-negative integers (e.g. a run's seed, an image index, a stream number). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (!Number.isSafeInteger(part) || part < 0) throw new RangeError(`deriveSeed: ${part} is not a non-negative safe integer`);
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = fmix32((h ^ low) + 0x9e3779b9);
    h = fmix32((h ^ high) + 0x9e3779b9);
  }
  return h;
}

/** A uniform pick from a list. */
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** A uniform integer in [low, high]. */
export const integerBetween = (rng: Rng, low: number, high: number): number => low + Math.floor(rng() * (high - low + 1));

/** One drawn object. Positions are fractions of the image side, from the top-left corner. */
export interface ShapeObject {
  shape: ShapeName;
  color: ColorName;
  size: SizeName;
  /** Center, 0 (left) to 1 (right). */
  x: number;
  /** Center, 0 (top) to 1 (bottom). */
  y: number;
  /** Counter-clockwise turn from upright, in degrees. */
  rotationDeg: number;
}

/** A picture: its objects and background. */
export interface Scene {
  objects: ShapeObject[];
  background: BackgroundName;
}

/** What a caption says about a scene (its objects share shape, color and size). */
export interface SceneAttributes {
  shape: ShapeName;
  color: ColorName;
  size: SizeName;
  count: number;
  background: BackgroundName;
}

/** The attributes a scene's captions state; throws if its objects differ (a bug: sampleScene never makes such scenes). */
export function sceneAttributes(scene: Scene): SceneAttributes {
  const first = scene.objects[0];
  if (!first) throw new Error('sceneAttributes: a scene without objects');
  for (const o of scene.objects) {
    if (o.shape !== first.shape || o.color !== first.color || o.size !== first.size) throw new Error('sceneAttributes: objects differ in shape, color or size');
  }
  return { shape: first.shape, color: first.color, size: first.size, count: scene.objects.length, background: scene.background };
}

/** Space kept between an object's reach and the picture's edge, and between two objects (fractions of the side). */
const EDGE_MARGIN = 0.01;
const GAP = 0.03;
/** Tries at random positions before falling back to a fixed layout. */
const PLACEMENT_TRIES = 2000;

/** Distance from an object's center that it may cover, as a fraction of the image side. */
export const reachOf = (shape: ShapeName, size: SizeName): number => SHAPES[shape].reach * SIZES[size].radius;

/** Centers for `count` objects of reach `reach` that keep apart from each other and from the edges. */
export function placeCenters(rng: Rng, count: number, reach: number): Array<[x: number, y: number]> {
  const low = reach + EDGE_MARGIN;
  const high = 1 - reach - EDGE_MARGIN;
  const apart = 2 * reach + GAP;
  if (high < low) throw new Error(`placeCenters: reach ${reach} does not fit the picture`);
  for (let attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
    const centers: Array<[number, number]> = [];
    while (centers.length < count) {
      const candidate: [number, number] = [low + rng() * (high - low), low + rng() * (high - low)];
      if (!centers.every(([x, y]) => Math.hypot(candidate[0] - x, candidate[1] - y) >= apart)) break;
      centers.push(candidate);
    }
    if (centers.length === count) return centers;
  }
  // Crowded scenes (three large objects): corners of a triangle, as far apart as the picture allows.
  const fixed: Array<[number, number]> = [
    [low, low],
    [high, high],
    [(low + high) / 2, high],
  ];
  if (count === 3) fixed[1] = [high, low];
  return fixed.slice(0, count);
}

/** Draws one scene: shape, color, size and count uniformly, a background that contrasts, positions apart. */
export function sampleScene(rng: Rng): Scene {
  const shape = pick(rng, SHAPE_NAMES);
  const color = pick(rng, COLOR_NAMES);
  const size = pick(rng, SIZE_NAMES);
  const count = integerBetween(rng, MIN_COUNT, MAX_COUNT);
  const background = pick(rng, backgroundsFor(color));
  const maxTurn = SHAPES[shape].maxRotationDeg;
  const objects = placeCenters(rng, count, reachOf(shape, size)).map(([x, y]): ShapeObject => ({
    shape,
    color,
    size,
    x,
    y,
    rotationDeg: maxTurn === 0 ? 0 : (2 * rng() - 1) * maxTurn,
  }));
  return { objects, background };
}
