/**
 * CLIP's symmetric contrastive loss (Radford et al. 2021, Figure 3): cross-entropy over the
 * scaled cosine similarities of a batch, image→text and text→image, the matching pairs on
 * the diagonal.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalise } from '../normalise.ts';

/**
 * L = ½ (CE(s·I·Tᵀ, diag) + CE(s·T·Iᵀ, diag)),  s = exp(logitScale)
 * imageEmbeds, textEmbeds: [N, D] (unnormalised); logitScale: scalar (log of the inverse temperature).
 */
export function clipContrastiveLoss(imageEmbeds: tf.Tensor2D, textEmbeds: tf.Tensor2D, logitScale: tf.Scalar): tf.Scalar {
  return tf.tidy(() => {
    const n = imageEmbeds.shape[0];
    const logits = tf.matMul(l2Normalise(imageEmbeds), l2Normalise(textEmbeds), false, true).mul(tf.exp(logitScale)); // [N, N]
    const labels = tf.oneHot(tf.range(0, n, 1, 'int32'), n); // [N, N]
    const imageToText = tf.losses.softmaxCrossEntropy(labels, logits);
    const textToImage = tf.losses.softmaxCrossEntropy(labels, logits.transpose());
    return imageToText.add(textToImage).div(2) as tf.Scalar;
  });
}
