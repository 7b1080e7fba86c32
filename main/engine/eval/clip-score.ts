/**
 * Text–image agreement from CLIP features of N image–text pairs (rows i of `images` and
 * `texts` belong together); pure arithmetic on feature rows, no encoder here.
 *
 * CLIP score (Hessel et al. 2021, "CLIPScore", eq. 1), averaged over pairs:
 *
 *   CLIP-S = mean_i  w · max(cos(image_i, text_i), 0)
 *
 * Hessel et al. use w = 2.5; we default to w = 100, the scale of torchmetrics' `CLIPScore`
 * and of most text-to-image tables (Lafite's official code has no CLIP score to copy).
 *
 * R-precision (Xu et al. 2018, AttnGAN §4.1; with CLIP features, Park et al. 2021): for each
 * image, its true text and 99 texts of other pairs, drawn without replacement with the seeded
 * mulberry32 generator, are ranked by cosine; R-precision (R = 1) is the fraction of images
 * whose true text ranks first. A tie with k mismatched texts scores 1/(k + 1), the expectation
 * of a random tie-break, so duplicate captions neither help nor hurt by their order.
 * Cosines are taken in float64 and divide by the norms, so rows need not be exactly unit.
 *
 * @example
 *   clipScore(imageFeatures, textFeatures, 512);                 // in [0, 100]
 *   rPrecision(imageFeatures, textFeatures, 512, { seed: 0 });   // in [0, 1]; chance is 0.01
 */
import { invalidInput } from '../../contract/errors.ts';
import { mulberry32, type Rng } from '../random.ts';

/** torchmetrics' CLIPScore weight (Hessel et al.: 2.5). */
export const DEFAULT_CLIP_SCORE_WEIGHT = 100;
/** The true text plus 99 mismatched ones (AttnGAN). */
export const DEFAULT_R_PRECISION_CANDIDATES = 100;

export interface ClipScoreOptions {
  /** w in w·max(cos, 0). */
  weight?: number;
}

export interface RPrecisionOptions {
  /** Texts ranked per image, the true one included. */
  candidates?: number;
  /** Seed of the mismatched-text draw: the same seed gives the same value. */
  seed?: number;
}

/** Mean over pairs of w·max(cos(image_i, text_i), 0). */
export function clipScore(images: Float32Array, texts: Float32Array, dim: number, options: ClipScoreOptions = {}): number {
  const weight = options.weight ?? DEFAULT_CLIP_SCORE_WEIGHT;
  const count = checkPairs(images, texts, dim);
  const imageNorms = rowNorms(images, dim, 'images');
  const textNorms = rowNorms(texts, dim, 'texts');
  let sum = 0;
  for (let i = 0; i < count; i++) sum += weight * Math.max(dot(images, i, texts, i, dim) / (imageNorms[i]! * textNorms[i]!), 0);
  return sum / count;
}

/** Fraction of images whose true text has the highest cosine among `candidates` texts. */
export function rPrecision(images: Float32Array, texts: Float32Array, dim: number, options: RPrecisionOptions = {}): number {
  const candidates = options.candidates ?? DEFAULT_R_PRECISION_CANDIDATES;
  if (!(Number.isInteger(candidates) && candidates >= 2)) throw invalidInput(`candidates must be an integer of at least 2, got ${candidates}`, 'candidates');
  const count = checkPairs(images, texts, dim);
  if (count < candidates) {
    throw invalidInput(`R-precision needs at least ${candidates} image–text pairs (each image's text plus ${candidates - 1} texts of other pairs), got ${count}`, 'pairs');
  }
  const rng = mulberry32(options.seed ?? 0);
  const imageNorms = rowNorms(images, dim, 'images');
  const textNorms = rowNorms(texts, dim, 'texts');
  const cosine = (i: number, j: number): number => dot(images, i, texts, j, dim) / (imageNorms[i]! * textNorms[j]!);
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const truth = cosine(i, i);
    let above = 0;
    let ties = 0;
    for (const j of sampleOthers(rng, count, i, candidates - 1)) {
      const c = cosine(i, j);
      if (c > truth) above++;
      else if (c === truth) ties++;
    }
    if (above === 0) hits += 1 / (ties + 1);
  }
  return hits / count;
}

/**
 * `k` distinct indices in 0..count−1 other than `skip`, uniformly (Floyd's algorithm: exactly
 * k draws, whatever k/count).
 */
export function sampleOthers(rng: Rng, count: number, skip: number, k: number): number[] {
  const pool = count - 1; // indices 0..pool−1 map to 0..count−1 without `skip`
  const chosen = new Set<number>();
  for (let j = pool - k; j < pool; j++) {
    const t = Math.floor(rng() * (j + 1)); // uniform in 0..j
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].map((index) => (index >= skip ? index + 1 : index));
}

/** Number of pairs, after checking both sets have the same whole number of `dim` rows. */
function checkPairs(images: Float32Array, texts: Float32Array, dim: number): number {
  if (!(Number.isInteger(dim) && dim > 0)) throw invalidInput(`feature dimension must be a positive integer, got ${dim}`, 'dim');
  if (images.length % dim !== 0) throw invalidInput(`image features: ${images.length} values are not a whole number of ${dim}-dimensional rows`, 'images');
  if (texts.length % dim !== 0) throw invalidInput(`text features: ${texts.length} values are not a whole number of ${dim}-dimensional rows`, 'texts');
  if (images.length !== texts.length) throw invalidInput(`${images.length / dim} image features but ${texts.length / dim} text features: pairs need one of each`, 'texts');
  if (images.length === 0) throw invalidInput('no image–text pairs', 'pairs');
  return images.length / dim;
}

/** a_i · b_j in float64. */
function dot(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) sum += a[i * dim + d]! * b[j * dim + d]!;
  return sum;
}

/** |row| for each row; a zero row has no direction, hence no cosine. */
function rowNorms(rows: Float32Array, dim: number, field: string): Float64Array {
  const norms = new Float64Array(rows.length / dim);
  for (let i = 0; i < norms.length; i++) {
    norms[i] = Math.sqrt(dot(rows, i, rows, i, dim));
    if (!(norms[i]! > 0 && Number.isFinite(norms[i]!))) throw invalidInput(`${field} row ${i} has norm ${norms[i]}: features must be non-zero and finite`, field);
  }
  return norms;
}
