/**
 * Gaussian perturbation of image features into pseudo text features (Lafite §3.1, eq. 1):
 *
 *   h' = n(f + ξ·ε·|f|/|ε|),   ε ~ N(0, I)                          (paper form, the default)
 *   h' = n((1 − ξ)·f + ξ·ε/|ε|)                                     (official code, ξ = 0.75)
 *
 * For unit f the two agree when ξ_paper = ξ_official / (1 − ξ_official): the official 0.75 is
 * the paper's ξ = 3, our default, which puts h' at cosine 1/√(1 + ξ²) ≈ 0.32 from f, about
 * where real CLIP puts a caption from its image (LAFITE_REFERENCE.md).
 *
 * @example
 *   const h = gaussianPseudoFeatures(imageFeatures, { xi: 3, seed: 7 });  // [N, D], unit rows
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalise } from '../normalise.ts';
import { tfSeed } from '../random.ts';

export type GaussianForm = 'paper' | 'official';

export interface GaussianOptions {
  /** Noise level ξ (paper form: noise norm relative to |f|; official form: mixing weight in [0, 1]). */
  xi?: number;
  /** Which formula (see the file header). */
  form?: GaussianForm;
  /** Seed of ε: the same seed gives the same features. */
  seed?: number;
  /** ε to use instead of drawing one (the official code perturbs a caption with the same ε as its image). */
  noise?: tf.Tensor2D;
}

export const DEFAULT_XI: Record<GaussianForm, number> = { paper: 3, official: 0.75 };

/** Pseudo text features from image features f [N, D] (rows need not be unit). */
export function gaussianPseudoFeatures(f: tf.Tensor2D, options: GaussianOptions = {}): tf.Tensor2D {
  const form = options.form ?? 'paper';
  const xi = options.xi ?? DEFAULT_XI[form];
  if (!(xi >= 0) || (form === 'official' && xi > 1)) throw new RangeError(`ξ must be ${form === 'official' ? 'in [0, 1]' : 'non-negative'}, got ${xi}`);
  return tf.tidy(() => {
    const epsilon = options.noise ?? tf.randomNormal(f.shape, 0, 1, 'float32', tfSeed(options.seed)); // [N, D]
    const unitNoise = l2Normalise(epsilon as tf.Tensor2D); // ε/|ε|
    if (form === 'official') return l2Normalise(tf.add(tf.mul(f, 1 - xi), tf.mul(unitNoise, xi)));
    const fNorm = tf.norm(f, 'euclidean', 1, true); // |f|, [N, 1]
    return l2Normalise(tf.add(f, tf.mul(tf.mul(unitNoise, fNorm), xi))); // eq. 1
  });
}
