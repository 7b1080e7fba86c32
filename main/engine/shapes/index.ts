/**
 * ShapesWorld, the built-in demo domain: pictures of 1 to 3 shapes with known attributes
 * (shape, color, size, count, background) and ground-truth captions, deterministic by seed.
 * Image i depends only on (seed, i), so a run can stop anywhere and continue from i.
 *
 * @example
 *   for (const { index, pixels, captions } of generateShapes({ n: 16, size: 64, seed: 7 })) {
 *     // pixels: Uint8Array [64, 64, 3]; captions: 5 distinct strings
 *   }
 */
import { captionsFor } from './captions.ts';
import { renderScene } from './render.ts';
import { deriveSeed, mulberry32, sampleScene, type Scene } from './sample.ts';

export * from './attributes.ts';
export { allCaptions, canonicalCaption, captionsFor } from './captions.ts';
export { INSIDE, renderScene, type RenderOptions } from './render.ts';
export { deriveSeed, mulberry32, sampleScene, sceneAttributes, type Rng, type Scene, type SceneAttributes, type ShapeObject } from './sample.ts';

/** What to generate. */
export interface GenerateShapesOptions {
  /** Number of images (indices start … n − 1). */
  n: number;
  /** Side of each square image in pixels. */
  size?: number;
  /** Run seed: the same seed gives the same images and captions. */
  seed?: number;
  /** First index to generate (to continue a run). */
  start?: number;
  /** Captions per image. */
  captionsPerImage?: number;
}

/** One generated image. */
export interface ShapesSample {
  index: number;
  scene: Scene;
  /** RGB, row-major: Uint8Array [size, size, 3]. */
  pixels: Uint8Array;
  captions: string[];
}

/** Random streams derived from (seed, index): the scene's and the captions' draws stay independent. */
const SCENE_STREAM = 0;
const CAPTION_STREAM = 1;

/** The scene and captions of image `index` of the run with `seed` (no pixels: cheap). */
export function shapesSceneAt(seed: number, index: number, captionsPerImage = 5): { scene: Scene; captions: string[] } {
  const scene = sampleScene(mulberry32(deriveSeed(seed, index, SCENE_STREAM)));
  const captions = captionsFor(scene, mulberry32(deriveSeed(seed, index, CAPTION_STREAM)), captionsPerImage);
  return { scene, captions };
}

/** Generates images start … n − 1 of the run with `seed`, one at a time. */
export function* generateShapes(options: GenerateShapesOptions): Generator<ShapesSample> {
  const { n, size = 64, seed = 0, start = 0, captionsPerImage = 5 } = options;
  for (let index = start; index < n; index++) {
    const { scene, captions } = shapesSceneAt(seed, index, captionsPerImage);
    yield { index, scene, pixels: renderScene(scene, size), captions };
  }
}
