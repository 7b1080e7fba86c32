/**
 * The Conditional StyleSpace of Lafite (§3.2): each synthesis and toRGB layer turns w and the
 * text feature h into the style u that modulates its convolution, with its own 2-layer text
 * MLP c = FC₂(h) (leaky ReLU, lr multiplier 0.01; weights not shared across layers):
 *   paper:    s = A(w),  u = A′([s, c])
 *   official: u = A([w, c])                       (one affine; bias initialised to 1)
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, lrelu, type Initialiser, type NamedVariables } from './layers.ts';
import type { ConditionForm } from './presets.ts';

export class ConditionalStyle {
  private readonly fc1: Dense;
  private readonly fc2: Dense;
  private readonly affineW: Dense | undefined;
  private readonly affine: Dense;

  constructor(
    readonly name: string,
    options: { wDim: number; textDim: number; textHidden: number; channels: number; form: ConditionForm; init: Initialiser },
  ) {
    const { wDim, textDim, textHidden, channels, form, init } = options;
    this.fc1 = new Dense(`${name}.text.0`, textDim, textHidden, { init, lrMul: 0.01 });
    this.fc2 = new Dense(`${name}.text.1`, textHidden, textHidden, { init, lrMul: 0.01 });
    if (form === 'paper') {
      this.affineW = new Dense(`${name}.affine_w`, wDim, channels, { init, biasInit: 1 }); // s = A(w)
      this.affine = new Dense(`${name}.affine`, channels + textHidden, channels, { init, biasInit: 1 }); // u = A′([s, c])
    } else {
      this.affineW = undefined;
      this.affine = new Dense(`${name}.affine`, wDim + textHidden, channels, { init, biasInit: 1 }); // u = A([w, c])
    }
  }

  /** w [N, wDim], h [N, textDim] → u [N, channels] */
  apply(w: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
    const c = lrelu(this.fc2.apply(lrelu(this.fc1.apply(h)))); // c = FC₂(h)
    const s = this.affineW ? this.affineW.apply(w) : w;
    return this.affine.apply(tf.concat([s, c], 1) as tf.Tensor2D);
  }

  variables(into: NamedVariables): void {
    this.fc1.variables(into);
    this.fc2.variables(into);
    this.affineW?.variables(into);
    this.affine.variables(into);
  }
}
