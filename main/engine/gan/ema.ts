/**
 * The generator average G_ema (StyleGAN2, kept by Lafite's official code): an exponential moving
 * average of G's weights, with β from a half-life in images; the trainer ramps the half-life up
 * over the first images (trainer.ts, emaBetaAt).
 *
 * @example
 *   updateEma(gEma.namedVariables(), g.namedVariables(), emaBeta(10_000, 16));
 */
import * as tf from '@tensorflow/tfjs';

/** An exponential moving average of the generator's weights: θ_ema ← β·θ_ema + (1 − β)·θ. */
export function updateEma(ema: ReadonlyMap<string, tf.Variable>, current: ReadonlyMap<string, tf.Variable>, beta: number): void {
  tf.tidy(() => {
    for (const [name, variable] of current) {
      const target = ema.get(name);
      if (!target) throw new Error(`EMA: no variable ${name} in the average`);
      target.assign(tf.add(tf.mul(target, beta), tf.mul(variable, 1 - beta)));
    }
  });
}

/** β for an EMA half-life in images at a batch size (StyleGAN2: β = 0.5^(batch/half-life)). */
export const emaBeta = (halfLifeImages: number, batchSize: number): number => 0.5 ** (batchSize / Math.max(1e-8, halfLifeImages));
