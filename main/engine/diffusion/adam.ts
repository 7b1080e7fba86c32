/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with its moments kept as named variables, so a checkpoint
 * stores them beside the network and a resumed run continues bit for bit: the bias corrections
 * 1 − β^t are computed from the step count in double precision each step, where tfjs's own Adam
 * accumulates β^t in float32 and rebuilds it with pow() on restore (a last-bit difference that
 * then grows through training).
 *
 * @example
 *   const adam = new Adam(unet.namedVariables(), { learningRate: 2e-4 });
 *   const loss = adam.minimize(() => lossOf(batch), step);
 */
import * as tf from '@tensorflow/tfjs-core';
import { variableOf, type NamedVariables } from '../gan/layers.ts';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  /** First and second moment estimates m, v, by the parameter's name. */
  readonly m: NamedVariables = new Map();
  readonly v: NamedVariables = new Map();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    private readonly params: NamedVariables,
    private readonly options: AdamOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    for (const [name, variable] of params) {
      this.m.set(name, variableOf(tf.zerosLike(variable), false));
      this.v.set(name, variableOf(tf.zerosLike(variable), false));
    }
  }

  /** One update at step t (1-based: the bias corrections use it) on the gradient of `loss`; returns the loss. */
  minimize(loss: () => tf.Scalar, t: number): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, [...this.params.values()]);
    const lr = this.options.learningRate;
    const [c1, c2] = [1 - this.beta1 ** t, 1 - this.beta2 ** t]; // bias corrections (Algorithm 1)
    tf.tidy(() => {
      for (const [name, variable] of this.params) {
        const g = grads[variable.name];
        if (!g) throw new Error(`Adam: no gradient for ${name}`);
        const m = tf.add(tf.mul(this.m.get(name)!, this.beta1), tf.mul(g, 1 - this.beta1)); // m ← β₁m + (1 − β₁)g
        const v = tf.add(tf.mul(this.v.get(name)!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)); // v ← β₂v + (1 − β₂)g²
        this.m.get(name)!.assign(m);
        this.v.get(name)!.assign(v);
        variable.assign(tf.sub(variable, tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon)))); // θ ← θ − α·m̂/(√v̂ + ε)
      }
    });
    tf.dispose(Object.values(grads));
    return value;
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
  }
}
