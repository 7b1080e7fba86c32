/**
 * Zero-shot evaluation of an encoder on held-out ShapesWorld renders (CLIP's zero-shot
 * protocol, Radford et al. 2021 §3.1.2): each image is classified by its most similar prompt
 * "a {color} {shape}" over every color × shape; color and shape accuracies are read off the
 * chosen prompt. Also the modality gap (Liang et al. 2022): mean image–text cosine of
 * matching pairs against mean text–text and image–image cosines.
 */
import { COLOR_NAMES, SHAPE_NAMES, canonicalCaption, mulberry32, renderScene, sampleScene, sceneAttributes } from './index.ts';
import type { ZeroShotReport } from '../../contract/index.ts';
import type { Features } from '../encoders/encoder.ts';

export type { ZeroShotReport };

export interface ZeroShotOptions {
  /** Seed of the held-out scenes (keep it apart from the training seed). */
  seed: number;
  n: number;
  /** Render side in pixels. */
  size: number;
}

/** RGB pixels [size, size, 3] of one image each → unit rows. */
export type EmbedImages = (pixels: Uint8Array[], size: number) => Promise<Features>;
export type EmbedTexts = (texts: string[]) => Promise<Features>;

const row = (f: Features, i: number): Float32Array => f.data.subarray(i * f.dim, (i + 1) * f.dim);
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, value, k) => sum + value * b[k]!, 0);

/** ‖centroid(a) − centroid(b)‖ */
function centroidDistance(a: Features, b: Features): number {
  const centroid = (f: Features) => {
    const c = new Float64Array(f.dim);
    for (let i = 0; i < f.count; i++) row(f, i).forEach((v, k) => (c[k]! += v / f.count));
    return c;
  };
  const ca = centroid(a);
  const cb = centroid(b);
  return Math.sqrt(ca.reduce((sum, v, k) => sum + (v - cb[k]!) ** 2, 0));
}

/** Mean cosine over pairs (i, j), i ≠ j, of the first `limit` rows. */
function meanPairCosine(f: Features, limit = 200): number {
  const m = Math.min(limit, f.count);
  let sum = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) sum += dot(row(f, i), row(f, j));
  return sum / (m * (m - 1));
}

export async function shapesZeroShot(embedImages: EmbedImages, embedTexts: EmbedTexts, options: ZeroShotOptions): Promise<ZeroShotReport> {
  const rng = mulberry32(options.seed);
  const scenes = Array.from({ length: options.n }, () => sampleScene(rng));
  const images = await embedImages(
    scenes.map((scene) => renderScene(scene, options.size)),
    options.size,
  );
  const classes = COLOR_NAMES.flatMap((color) => SHAPE_NAMES.map((shape) => ({ color, shape })));
  const prompts = await embedTexts(classes.map(({ color, shape }) => `a ${color} ${shape}`));
  const captions = await embedTexts(scenes.map((scene) => canonicalCaption(scene)));

  let color = 0;
  let shape = 0;
  let both = 0;
  let imageText = 0;
  scenes.forEach((scene, i) => {
    const image = row(images, i);
    let best = 0;
    for (let c = 1; c < classes.length; c++) if (dot(image, row(prompts, c)) > dot(image, row(prompts, best))) best = c;
    const truth = sceneAttributes(scene);
    const colorRight = classes[best]!.color === truth.color;
    const shapeRight = classes[best]!.shape === truth.shape;
    color += Number(colorRight);
    shape += Number(shapeRight);
    both += Number(colorRight && shapeRight);
    imageText += dot(image, row(captions, i));
  });
  const n = scenes.length;
  return {
    images: n,
    colorAccuracy: color / n,
    shapeAccuracy: shape / n,
    colorShapeAccuracy: both / n,
    meanImageTextCosine: imageText / n,
    meanTextTextCosine: meanPairCosine(captions),
    meanImageImageCosine: meanPairCosine(images),
    modalityGap: centroidDistance(images, captions),
  };
}
