/**
 * Diagnostics of pseudo text features, as Lafite2's Figure 1 draws them: the distribution of
 * the cosine between each image and its own text feature (image–text), and between the text
 * features of different images (text–text), for real captions, Gaussian, retrieval and CLO
 * features. Real CLIP puts captions at image–text ≈ 0.3 and text–text well above 0 (its
 * modality gap); Gaussian features fall outside that region, retrieval and CLO inside it.
 *
 * @example
 *   const s = similarityStats(imageFeatures, pseudoFeatures, dim, { seed: 0 });
 *   s.imageText.mean, s.textText.histogram
 */
import { mulberry32 } from '../random.ts';
import { rowDot } from '../rows.ts';
import { TopKSearch } from '../top-k.ts';

export interface Distribution {
  count: number;
  mean: number;
  std: number;
  /** Counts in `bins` equal bins over [min, max]. */
  histogram: { min: number; max: number; counts: number[] };
}

export interface SimilarityStats {
  imageText: Distribution;
  textText: Distribution;
}

export function distribution(values: ArrayLike<number>, bins = 40, min = -1, max = 1): Distribution {
  const counts = new Array<number>(bins).fill(0);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    sumSq += v * v;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - min) / (max - min)) * bins)))]! += 1;
  }
  const count = values.length;
  const mean = count ? sum / count : 0;
  return { count, mean, std: count ? Math.sqrt(Math.max(0, sumSq / count - mean * mean)) : 0, histogram: { min, max, counts } };
}

/**
 * Image–text: cos(f_i, h_i) for every image; text–text: cos(h_i, h_j) for `pairs` random pairs
 * i ≠ j (seeded). Both feature sets are [N, D] row-major with unit rows, row i of each for image i.
 */
export function similarityStats(images: Float32Array, texts: Float32Array, dim: number, options: { pairs?: number; seed?: number } = {}): SimilarityStats {
  const n = images.length / dim;
  if (texts.length !== images.length) throw new Error(`similarity stats: ${texts.length / dim} text features for ${n} images`);
  const imageText = Float32Array.from({ length: n }, (_, i) => rowDot(images, i, texts, i, dim));
  const rng = mulberry32(options.seed ?? 0);
  const pairs = n > 1 ? (options.pairs ?? 10_000) : 0;
  const textText = new Float32Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const i = Math.floor(rng() * n);
    const j = (i + 1 + Math.floor(rng() * (n - 1))) % n; // j ≠ i
    textText[p] = rowDot(texts, i, texts, j, dim);
  }
  return { imageText: distribution(imageText), textText: distribution(textText) };
}

/** How far inside the text encoder's output region features lie: each one's cosine to its nearest real-caption feature. */
export async function nearestCaptionCosines(features: Float32Array, captions: Float32Array, dim: number): Promise<Distribution> {
  const search = await TopKSearch.create(captions, dim);
  try {
    return distribution((await search.query(features, 1)).scores);
  } finally {
    await search.dispose();
  }
}
