/**
 * The losses of Lafite (§3.3, eqs. 5–9) on the discriminator's outputs and the features:
 *
 *   L_D  = E[softplus(−D(x, h))] + E[softplus(D(x', h'))]             (eq. 5: −log σ(D) on reals, −log(1 − σ(D)) on fakes)
 *   L_G  = E[softplus(−D(x', h'))]                                     (eq. 5, non-saturating)
 *   Con(a, b) = −τ · mean_i log [exp(Sim(a_i, b_i)/τ) / Σ_j exp(Sim(a_j, b_i)/τ)]   (eqs. 6, 7)
 *   L'_D = L_D + γ·Con(f_s(x), h)                                      (eq. 8)
 *   L'_G = L_G + γ·Con(f_s(x'), h') + λ·Con(f_img(x'), h')            (eq. 9)
 *
 * Sim is the cosine. The paper's τ factor and softmax over images for each text are the
 * default; the official code's double exponential, −mean_i log softmax_j(exp(Sim/τ)), is the
 * option `official` (LAFITE_REFERENCE.md: what reproduced the paper's figures).
 * The lazy R1 penalty (StyleGAN2) is γ_R1/2 · E‖∇_x D(x, h)‖² on real images, and the lazy
 * path-length penalty (StyleGAN2 eq. 4) is E(‖J_wᵀ y‖₂ − a)².
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalise } from '../normalise.ts';
import { tfSeed } from '../random.ts';

/** τ, γ and λ: Lafite's defaults are τ = 0.5, γ = λ = 10 language-free, γ = 5 with real captions. */
export interface LossWeights {
  tau: number;
  /** γ: ConD's weight (the official code's `itd`). */
  conD: number;
  /** λ: ConG's weight (`itc`). */
  conG: number;
}

export const LANGUAGE_FREE_WEIGHTS: LossWeights = { tau: 0.5, conD: 10, conG: 10 };
export const SUPERVISED_WEIGHTS: LossWeights = { tau: 0.5, conD: 5, conG: 10 };

/** Row-wise cosine matrix: [N, N] with entry (i, j) = Sim(a_i, b_j). */
function cosineMatrix(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(l2Normalise(a, 1e-8), l2Normalise(b, 1e-8), false, true); // n(a) · n(b)ᵀ
}

/** The contrastive loss as the paper writes it (eqs. 6–7) or as the official code computes it. */
export type ContrastiveForm = 'paper' | 'official';

/** Con(a, b) of eqs. 6 and 7: for each b_i (a text feature), a softmax over every a_j (an image's embedding). */
export function contrastiveLoss(a: tf.Tensor2D, b: tf.Tensor2D, tau: number, form: ContrastiveForm = 'paper'): tf.Scalar {
  return tf.tidy(() => {
    const scaled = tf.div(tf.transpose(cosineMatrix(a, b)), tau); // row i: Sim(a_j, b_i)/τ over j
    const logits = form === 'official' ? tf.exp(scaled) : scaled; // official: a softmax of exp(Sim/τ)
    const logProbability = tf.sum(tf.mul(tf.logSoftmax(logits, 1), tf.eye(a.shape[0])), 1); // the matching pair
    const loss = tf.neg(tf.mean(logProbability));
    return (form === 'official' ? loss : tf.mul(loss, tau)) as tf.Scalar;
  });
}

/** L_D of eq. 5 from the discriminator's logits on real and fake images. */
export const discriminatorLoss = (realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D): tf.Scalar =>
  tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar);

/** L_G of eq. 5 (non-saturating) from the logits on fake images. */
export const generatorLoss = (fakeLogits: tf.Tensor1D): tf.Scalar => tf.tidy(() => tf.mean(tf.softplus(tf.neg(fakeLogits))) as tf.Scalar);

/**
 * R1 on real images: γ_R1/2 · E‖∇_x D(x, h)‖², multiplied by the lazy interval (StyleGAN2
 * evaluates it every `interval` steps and scales it up so its average weight is unchanged).
 */
export function r1Penalty(discriminate: (x: tf.Tensor4D) => tf.Tensor1D, reals: tf.Tensor4D, gammaR1: number, interval: number): tf.Scalar {
  const gradient = tf.grad((x: tf.Tensor) => tf.sum(discriminate(x as tf.Tensor4D)))(reals);
  return tf.tidy(() => tf.mul(tf.mean(tf.sum(tf.square(gradient), [1, 2, 3])), (gammaR1 / 2) * interval) as tf.Scalar);
}

/**
 * StyleGAN2's path-length penalty (eq. 4) on per-layer latents ws [N, L, wDim]:
 *   y ~ N(0, I)/√(H·W),  g = ∇_ws Σ(G(ws) ⊙ y),  ℓ = √(mean_L Σ_wDim g²),
 *   a ← a + decay·(mean ℓ − a),  penalty = mean (ℓ − a)²
 * Returns the penalty (unweighted) and the new a, which the caller stores when the step is done.
 */
export function pathLengthPenalty(
  synthesise: (ws: tf.Tensor3D) => tf.Tensor4D,
  ws: tf.Tensor3D,
  mean: tf.Scalar | tf.Variable,
  options: { decay: number },
  seed: number,
): { penalty: tf.Scalar; mean: tf.Scalar } {
  let noise: tf.Tensor4D | undefined;
  const gradient = tf.grad((input: tf.Tensor) => {
    const images = synthesise(input as tf.Tensor3D);
    const [, height, width] = images.shape;
    noise ??= tf.div(tf.randomNormal(images.shape, 0, 1, 'float32', tfSeed(seed)), Math.sqrt(height * width)) as tf.Tensor4D;
    return tf.sum(tf.mul(images, noise));
  })(ws);
  const lengths = tf.sqrt(tf.mean(tf.sum(tf.square(gradient), 2), 1)); // [N]
  const newMean = tf.add(mean, tf.mul(tf.sub(tf.mean(lengths), mean), options.decay)) as tf.Scalar; // lerp(a, mean ℓ, decay)
  return { penalty: tf.mean(tf.square(tf.sub(lengths, newMean))) as tf.Scalar, mean: newMean };
}
