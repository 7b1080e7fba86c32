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
 * default; the official code's double exponential is not followed (LAFITE_REFERENCE.md).
 * The lazy R1 penalty (StyleGAN2) is γ_R1/2 · E‖∇_x D(x, h)‖² on real images.
 */
import * as tf from '@tensorflow/tfjs';

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
  const unit = (x: tf.Tensor2D) => tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-8)) as tf.Tensor2D;
  return tf.matMul(unit(a), unit(b), false, true);
}

/** Con(a, b) of eqs. 6 and 7: for each b_i (a text feature), a softmax over every a_j (an image's embedding). */
export function contrastiveLoss(a: tf.Tensor2D, b: tf.Tensor2D, tau: number): tf.Scalar {
  return tf.tidy(() => {
    const logits = tf.div(tf.transpose(cosineMatrix(a, b)), tau); // row i: Sim(a_j, b_i)/τ over j
    const logProbability = tf.sum(tf.mul(tf.logSoftmax(logits, 1), tf.eye(a.shape[0])), 1); // the matching pair
    return tf.mul(tf.neg(tf.mean(logProbability)), tau) as tf.Scalar;
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
