/**
 * Contrastive training of both CLIP towers (Radford et al. 2021, §2.5): Adam on the
 * symmetric InfoNCE loss with a learned temperature, clipped at 100 as in CLIP.
 *
 * @example
 *   const trainer = new ClipTrainer(towers, { learningRate: 5e-4 });
 *   const loss = await trainer.step(pixelValues, inputIds);   // one mini-batch
 */
import * as tf from '@tensorflow/tfjs';
import { clipContrastiveLoss } from './contrastive.ts';
import type { ClipTowers } from './tfjs-model.ts';

export interface ClipTrainOptions {
  /** Adam step size. */
  learningRate?: number;
  /** Initial temperature τ (CLIP: 0.07); the model learns log(1/τ). */
  initialTemperature?: number;
  /** Decoupled weight decay on matrices (AdamW-style), per step, times the learning rate. */
  weightDecay?: number;
  /** Variables of an auxiliary loss that `step` adds (e.g. `AttributeHeads`), trained with the towers. */
  auxiliaryVariables?: tf.Variable[];
}

/** An extra term on a batch's unnormalised embeddings, added to the contrastive loss. */
export type AuxiliaryLoss = (imageEmbeds: tf.Tensor2D, textEmbeds: tf.Tensor2D) => tf.Scalar;

/** log(100): CLIP clips the learned logit scale so that 1/τ ≤ 100. */
const MAX_LOGIT_SCALE = Math.log(100);

export class ClipTrainer {
  readonly logitScale: tf.Variable<tf.Rank.R0>;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly variables: tf.Variable[];
  private readonly decayed: tf.Variable[];
  private readonly weightDecay: number;
  private readonly learningRate: number;

  constructor(
    private readonly towers: ClipTowers,
    options: ClipTrainOptions = {},
  ) {
    this.learningRate = options.learningRate ?? 5e-4;
    this.weightDecay = options.weightDecay ?? 0.1;
    this.logitScale = tf.variable(tf.scalar(Math.log(1 / (options.initialTemperature ?? 0.07))), true);
    this.optimizer = tf.train.adam(this.learningRate, 0.9, 0.98, 1e-6); // CLIP's β2 and ε
    this.variables = [...towers.visionVariables(), ...towers.textVariables(), this.logitScale, ...(options.auxiliaryVariables ?? [])];
    // No decay on gains, biases and embeddings' 1-D parameters (as CLIP).
    this.decayed = this.variables.filter((v) => v.shape.length >= 2);
  }

  /** One optimisation step on a batch of matching pairs; resolves with the loss (auxiliary term included). */
  async step(pixelValues: tf.Tensor4D, inputIds: tf.Tensor2D, auxiliary?: AuxiliaryLoss): Promise<number> {
    const loss = this.optimizer.minimize(
      () => {
        const imageEmbeds = this.towers.vision(pixelValues);
        const textEmbeds = this.towers.text(inputIds);
        const contrastive = clipContrastiveLoss(imageEmbeds, textEmbeds, this.logitScale);
        return auxiliary ? contrastive.add(auxiliary(imageEmbeds, textEmbeds)) : contrastive;
      },
      true,
      this.variables,
    )!;
    tf.tidy(() => {
      const shrink = 1 - this.learningRate * this.weightDecay;
      for (const v of this.decayed) v.assign(v.mul(shrink));
      this.logitScale.assign(tf.clipByValue(this.logitScale, 0, MAX_LOGIT_SCALE));
    });
    const value = (await loss.data())[0]!;
    loss.dispose();
    return value;
  }

  /** The learned inverse temperature exp(logitScale). */
  async scale(): Promise<number> {
    return Math.exp((await this.logitScale.data())[0]!);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.logitScale.dispose();
  }
}
