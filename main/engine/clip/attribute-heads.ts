/**
 * Auxiliary attribute heads for training a domain CLIP whose images have known attributes
 * (ShapesWorld's shape, color and count). A contrastive loss alone lets a small ViT settle on
 * the easiest attribute (color explains most of a batch); one linear classifier per attribute
 * on the unit image embedding makes every attribute linearly readable from it, and the
 * contrastive term then has to align the caption words with those directions. The heads
 * only shape training: they are not exported with the towers.
 *
 * @example
 *   const heads = new AttributeHeads(64, [6, 8, 3], { seed: 1 });
 *   const trainer = new ClipTrainer(towers, { auxiliaryVariables: heads.variables });
 *   await trainer.step(pixels, ids, (image) => heads.loss(image, labels)); // labels: int32 [N, 3]
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalise } from '../normalise.ts';

export interface AttributeHeadOptions {
  seed?: number;
  /** Weight of the summed cross-entropies against the contrastive loss. */
  weight?: number;
  /** Fixed logit scale on the unit embedding (a cosine classifier needs one to be confident). */
  scale?: number;
}

export class AttributeHeads {
  readonly variables: tf.Variable[];
  private readonly weight: number;
  private readonly scale: number;

  /** classes[k]: the number of values of attribute k. */
  constructor(
    dim: number,
    private readonly classes: readonly number[],
    options: AttributeHeadOptions = {},
  ) {
    const seed = options.seed ?? 0;
    this.weight = options.weight ?? 1;
    this.scale = options.scale ?? 10;
    this.variables = classes.map((count, k) => tf.variable(tf.randomNormal([dim, count], 0, 1 / Math.sqrt(dim), 'float32', seed + k), true, `attribute_head_${k}`));
  }

  /** weight · Σ_k CE(scale · n(e) W_k, labels[:, k]); labels: int32 [N, heads]. */
  loss(imageEmbeds: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const unit = l2Normalise(imageEmbeds);
      const columns = tf.split(labels, this.classes.length, 1);
      const terms = this.variables.map((head, k) =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(columns[k]!, [-1]) as tf.Tensor1D, this.classes[k]!), tf.matMul(unit, head).mul(this.scale)),
      );
      return tf.addN(terms).mul(this.weight) as tf.Scalar;
    });
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
