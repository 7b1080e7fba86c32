/**
 * The UNet's sampling path (unet.ts `frozen`): the same layers as training computes them, with
 * what a sampler can skip because it takes no gradients. Sampling calls the network 10–100 times
 * on fixed weights, so:
 * - each layer's scaled weight w·c (the equalised learning rate of gan/layers.ts) is made once per
 *   sampling call, not once per layer call: the wasm backend keys XNNPACK's packed convolution by
 *   its filter tensor, so a fresh filter each call packed the weights again every time;
 * - convolutions and dense layers add their bias inside the kernel (`tf.fused`);
 * - the skip concatenations on the channel axis as two native pads and an add (wasm's Concat
 *   copies one channel run at a time in JavaScript: 8,192 copies per input at 8×32×32);
 * - ×2 upsampling by the same [1, 3, 3, 1] filter as nearest-neighbour resizing then a depthwise
 *   [1, 2, 1]⊗[1, 2, 1]/16 blur (wasm has no depthwise or resize gradients: training keeps
 *   gan/layers.ts `upsample2x`).
 * Outputs equal the training path's to float rounding (unet.test.ts: 1e-5).
 *
 * @example
 *   const weights = new InferenceWeights();
 *   const y = weights.conv(layer, x);   // = layer.apply(x)
 *   const up = weights.upsample2x(y);    // = upsample2x(y)
 *   weights.dispose();
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv, Dense } from '../gan/layers.ts';

/** Scaled weights made on first use and kept until `dispose`. */
export class InferenceWeights {
  private readonly scaled = new Map<tf.Variable, tf.Tensor>();
  private readonly parts = new Map<tf.Variable, { weights: tf.Tensor2D[]; biases: tf.Tensor1D[] }>();
  private readonly blurs = new Map<number, tf.Tensor4D>();

  /** w·c, c = 1/√(k·k·Cin) as Conv's constructor sets it. */
  private filter(layer: Conv): tf.Tensor4D {
    let w = this.scaled.get(layer.weight);
    if (!w) {
      const [k, , inChannels] = layer.weight.shape;
      w = tf.keep(tf.mul(layer.weight, 1 / Math.sqrt(inChannels! * k! * k!)));
      this.scaled.set(layer.weight, w);
    }
    return w as tf.Tensor4D;
  }

  /** w·c, c = 1/√in: the UNet's dense layers have the default learning-rate multiplier 1 (bias ×1). */
  private matrix(layer: Dense): tf.Tensor2D {
    let w = this.scaled.get(layer.weight);
    if (!w) {
      w = tf.keep(tf.mul(layer.weight, 1 / Math.sqrt(layer.inFeatures)));
      this.scaled.set(layer.weight, w);
    }
    return w as tf.Tensor2D;
  }

  /** = layer.apply(x, stride): x [N, H, W, Ci] → [N, H/stride, W/stride, Co] */
  conv(layer: Conv, x: tf.Tensor4D, stride = 1): tf.Tensor4D {
    return tf.fused.conv2d({ x, filter: this.filter(layer), strides: stride, pad: 'same', ...(layer.bias ? { bias: layer.bias } : {}) });
  }

  /** = layer.apply(x): x [N, in] → [N, out] */
  dense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: this.matrix(layer), bias: layer.bias }) as tf.Tensor2D;
  }

  /** = tf.split(layer.apply(x), count, 1), each part its own product (no copies of the whole output). */
  denseSplit(layer: Dense, x: tf.Tensor2D, count: number): tf.Tensor2D[] {
    let parts = this.parts.get(layer.weight);
    if (!parts) {
      const whole = this.matrix(layer);
      parts = { weights: tf.split(whole, count, 1).map((w) => tf.keep(w) as tf.Tensor2D), biases: tf.split(layer.bias, count).map((b) => tf.keep(b as tf.Tensor1D)) };
      this.parts.set(layer.weight, parts);
    }
    const { weights, biases } = parts;
    return weights.map((b, i) => tf.fused.matMul({ a: x, b, bias: biases[i]! }) as tf.Tensor2D);
  }

  /** The [1, 2, 1]⊗[1, 2, 1]/16 blur per channel, [3, 3, C, 1], one per channel count. */
  private blur(channels: number): tf.Tensor4D {
    let filter = this.blurs.get(channels);
    if (!filter) {
      const taps = [1, 2, 1].flatMap((a) => [1, 2, 1].map((b) => (a * b) / 16));
      filter = tf.keep(tf.tidy(() => tf.tile(tf.reshape(tf.tensor1d(taps), [3, 3, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D));
      this.blurs.set(channels, filter);
    }
    return filter;
  }

  /**
   * = gan/layers.ts upsample2x(x), no gradient: per axis y[2i] = (x[i−1] + 3x[i])/4, y[2i+1] = (3x[i] + x[i+1])/4,
   * which is nearest-neighbour ×2 (z[2i] = z[2i+1] = x[i]) then (z[j−1] + 2z[j] + z[j+1])/4 with zeros outside.
   * x [N, H, W, C] → [N, 2H, 2W, C]
   */
  upsample2x(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w, c] = x.shape;
      const nearest = tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w], false, false); // z[j] = x[⌊j/2⌋]
      return tf.depthwiseConv2d(nearest, this.blur(c), 1, 'same');
    });
  }

  dispose(): void {
    tf.dispose([...this.scaled.values(), ...this.blurs.values()]);
    this.blurs.clear();
    for (const { weights, biases } of this.parts.values()) tf.dispose([...weights, ...biases]);
    this.scaled.clear();
    this.parts.clear();
  }
}

/** = tf.concat([a, b], 3) for [N, H, W, Ca] and [N, H, W, Cb], as pad(a) + pad(b) (native kernels). */
export function concatChannels(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [ca, cb] = [a.shape[3], b.shape[3]];
    const padded = (x: tf.Tensor4D, before: number, after: number) =>
      tf.pad(x, [
        [0, 0],
        [0, 0],
        [0, 0],
        [before, after],
      ]);
    return tf.add(padded(a, 0, cb), padded(b, ca, 0)) as tf.Tensor4D; // x + 0 = x exactly
  });
}
