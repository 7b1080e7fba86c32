/**
 * StyleGAN2's building blocks in TensorFlow.js, with the equalised learning rate of the
 * official code: weights are stored ~ N(0, 1)/lrMul and scaled at run time by lrMul/√fanIn
 * (LAFITE_REFERENCE.md). Weight modulation and demodulation are done on activations (scale
 * the input channels, convolve with the shared weight, rescale the output channels), which
 * is StyleGAN2's own non-fused form and needs no grouped convolution.
 *
 * @example
 *   const fc = new Dense('mapping.0', 64, 64, { lrMul: 0.01 });
 *   const y = fc.apply(x);                      // [N, 64]
 */
import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../random.ts';
import { recordingThisOp } from './recompute.ts';

/** Every trainable variable of a network, by a stable name (for checkpoints). */
export type NamedVariables = Map<string, tf.Variable>;

/** A variable holding `initial`, which is then released (tf.variable shares its data, so nothing is copied or leaked). */
export function variableOf(initial: tf.Tensor, trainable = true): tf.Variable {
  const variable = tf.variable(initial, trainable);
  initial.dispose();
  return variable;
}

/** A seeded source of initial weights: each layer takes the next seed. */
export class Initialiser {
  private next: number;
  constructor(seed: number) {
    this.next = seed * 1000;
  }
  normal(shape: number[], std = 1): tf.Tensor {
    return tf.randomNormal(shape, 0, std, 'float32', tfSeed(this.next++));
  }
}

/** A fully connected layer with equalised learning rate. */
export class Dense {
  readonly weight: tf.Variable; // [in, out], ~ N(0, 1)/lrMul
  readonly bias: tf.Variable; // [out]
  private readonly scale: number;
  private readonly lrMul: number;

  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { init: Initialiser; lrMul?: number; biasInit?: number },
  ) {
    this.lrMul = options.lrMul ?? 1;
    this.weight = variableOf(tf.tidy(() => tf.div(options.init.normal([inFeatures, outFeatures]), this.lrMul)));
    this.bias = variableOf(tf.fill([outFeatures], (options.biasInit ?? 0) / this.lrMul));
    this.scale = this.lrMul / Math.sqrt(inFeatures);
  }

  /** x [N, in] → [N, out] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, tf.mul(this.weight, this.scale)), tf.mul(this.bias, this.lrMul)) as tf.Tensor2D;
  }

  variables(into: NamedVariables): void {
    into.set(`${this.name}.weight`, this.weight);
    into.set(`${this.name}.bias`, this.bias);
  }
}

/**
 * leaky ReLU (slope 0.2) with StyleGAN's gain √2, written as ((1 + α)/2)·x + ((1 − α)/2)·|x|:
 * R1 takes a gradient of a gradient, and tfjs's LeakyRelu gradient (through Greater) has none.
 */
const lreluOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  // The gradient keeps one tensor, the slope (√2 where x > 0, 0.2·√2 elsewhere, as Abs's gradient has it), not x, |x| and
  // both products; made only when a tape records this op. It is a constant to a second-order term (its derivative is 0 a.e.).
  if (recordingThisOp()) save([tf.where(tf.greater(x, 0), tf.fill(x.shape, Math.SQRT2), tf.fill(x.shape, 0.2 * Math.SQRT2))]);
  return {
    value: tf.add(tf.mul(x, 0.6 * Math.SQRT2), tf.mul(tf.abs(x), 0.4 * Math.SQRT2)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]!),
  };
});
export const lrelu = <T extends tf.Tensor>(x: T): T => lreluOp(x) as T;

/**
 * A convolution whose input channels are scaled per sample by a style u [N, Ci]
 * (modulation), with the output rescaled so each output channel has unit expected scale
 * (demodulation): y = conv(x ⊙ u, W) ⊙ d,  d = 1/√(Σ_{k,ci} (W·u)² + ε)   (StyleGAN2 eq. 1–3).
 */
export class ModulatedConv {
  readonly weight: tf.Variable; // [k, k, Ci, Co]
  private readonly scale: number;

  constructor(
    readonly name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    readonly demodulate: boolean,
    init: Initialiser,
  ) {
    this.weight = variableOf(init.normal([kernel, kernel, inChannels, outChannels]));
    this.scale = 1 / Math.sqrt(inChannels * kernel * kernel);
  }

  /** x [N, H, W, Ci], style [N, Ci] → [N, H, W, Co] */
  apply(x: tf.Tensor4D, style: tf.Tensor2D): tf.Tensor4D {
    const [n, , , ci] = x.shape;
    const w = tf.mul(this.weight, this.scale) as tf.Tensor4D;
    const modulated = tf.mul(x, tf.reshape(style, [n, 1, 1, ci])) as tf.Tensor4D;
    let y = tf.conv2d(modulated, w, 1, 'same'); // [N, H, W, Co]
    if (this.demodulate) {
      const wSquared = tf.sum(tf.square(w), [0, 1]) as tf.Tensor2D; // [Ci, Co]: Σ_k W²
      const d = tf.rsqrt(tf.add(tf.matMul(tf.square(style), wSquared), 1e-8)); // [N, Co]
      y = tf.mul(y, tf.reshape(d, [n, 1, 1, this.outChannels]));
    }
    return y;
  }

  variables(into: NamedVariables): void {
    into.set(`${this.name}.weight`, this.weight);
  }
}

/** A plain convolution with equalised learning rate and a bias (the discriminator's). */
export class Conv {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  private readonly scale: number;

  constructor(
    readonly name: string,
    inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    init: Initialiser,
    options: { bias?: boolean } = {},
  ) {
    this.weight = variableOf(init.normal([kernel, kernel, inChannels, outChannels]));
    this.bias = options.bias === false ? undefined : variableOf(tf.zeros([outChannels]));
    this.scale = 1 / Math.sqrt(inChannels * kernel * kernel);
  }

  apply(x: tf.Tensor4D, stride = 1): tf.Tensor4D {
    const y = tf.conv2d(x, tf.mul(this.weight, this.scale) as tf.Tensor4D, stride, 'same');
    return (this.bias ? tf.add(y, this.bias) : y) as tf.Tensor4D;
  }

  variables(into: NamedVariables): void {
    into.set(`${this.name}.weight`, this.weight);
    if (this.bias) into.set(`${this.name}.bias`, this.bias);
  }
}

/**
 * StyleGAN2's resampling filter [1, 3, 3, 1] (upfirdn2d in the official code, which Lafite keeps:
 * `resample_filter=[1,3,3,1]`), written separably as weighted sums of shifted copies, because
 * tfjs's wasm backend has no depthwise-convolution gradients and R1 and the path-length term
 * differentiate these twice. Borders are zero-padded as upfirdn2d pads.
 */
const FIR = [1, 3, 3, 1].map((t) => t / 8); // normalised to sum 1 per axis

/** x shifted by one sample along `axis` (1 = rows, 2 = columns): `by` = +1 reads x[i − 1], −1 reads x[i + 1]; zeros come in. */
function shifted(x: tf.Tensor4D, axis: 1 | 2, by: 1 | -1): tf.Tensor4D {
  const size = x.shape[axis];
  const padding: Array<[number, number]> = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  padding[axis] = by === 1 ? [1, 0] : [0, 1];
  const begin = [0, 0, 0, 0];
  begin[axis] = by === 1 ? 0 : 1;
  const shape = [...x.shape];
  shape[axis] = size;
  return tf.slice(tf.pad(x, padding), begin, shape) as tf.Tensor4D;
}

/**
 * ×2 upsampling along one axis as upfirdn2d(up = 2, filter · 2, pad = [2, 1]): zero insertion then
 * the 4-tap filter, i.e. y[2i] = (x[i−1] + 3x[i])/4 and y[2i+1] = (3x[i] + x[i+1])/4.
 */
function upsampleAxis(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const gain = 2; // up per axis, so the filter keeps the signal's level
  // Each phase in its own tidy: without a gradient tape its pad, slice and product go before the next is made.
  return tf.tidy(() => {
    const centre = tf.mul(x, FIR[1]! * gain); // the taps are symmetric (FIR[1] = FIR[2], FIR[0] = FIR[3]): x·¾ is shared
    const even = tf.tidy(() => tf.add(tf.mul(shifted(x, axis, 1), FIR[0]! * gain), centre));
    const odd = tf.tidy(() => tf.add(centre, tf.mul(shifted(x, axis, -1), FIR[3]! * gain)));
    const interleaved = tf.stack([even, odd], axis + 1); // [N, H, 2, W, C] or [N, H, W, 2, C]
    return tf.reshape(interleaved, axis === 1 ? [n, 2 * h, w, c] : [n, h, 2 * w, c]) as tf.Tensor4D;
  });
}

/**
 * ×2 downsampling along one axis as upfirdn2d(down = 2, filter, pad = [1, 1]):
 * y[i] = (x[2i−1] + 3x[2i] + 3x[2i+1] + x[2i+2])/8.
 */
function downsampleAxis(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const pairs = tf.reshape(x, axis === 1 ? [n, h / 2, 2, w, c] : [n, h, w / 2, 2, c]);
  return tf.tidy(() => {
    const [even, odd] = tf.unstack(pairs, axis + 1) as [tf.Tensor4D, tf.Tensor4D]; // x[2i], x[2i+1]
    // Symmetric taps: ((before + after) + 3·(even + odd))/8, two multiplies instead of four; each sum in its own tidy.
    const outer = tf.tidy(() => tf.mul(tf.add(shifted(odd, axis, 1), shifted(even, axis, -1)), FIR[0]!)); // x[2i−1] + x[2i+2]
    const inner = tf.tidy(() => tf.mul(tf.add(even, odd), FIR[1]!));
    return tf.add(outer, inner) as tf.Tensor4D;
  });
}

/*
 * Both resamplings are linear, with each other as adjoint: per axis upᵀ = 2·down and downᵀ = up/2 (the taps are
 * symmetric, the borders zero-padded alike), so in 2-D upsample2xᵀ = 4·downsample2x and downsample2xᵀ = upsample2x/4.
 * As custom-gradient ops they keep nothing for the gradient (tfjs's own would keep every pad, slice and sum of the
 * separable form), and their gradients are the same ops again, so R1 and the path length differentiate them twice.
 */
const upsampleOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: upsampleAxis(
    tf.tidy(() => upsampleAxis(args[0] as tf.Tensor4D, 1)),
    2,
  ) as tf.Tensor,
  gradFunc: (dy: tf.Tensor) => tf.mul(downsampleOp(dy), 4),
}));
const downsampleOp: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: downsampleAxis(
    tf.tidy(() => downsampleAxis(args[0] as tf.Tensor4D, 1)),
    2,
  ) as tf.Tensor,
  gradFunc: (dy: tf.Tensor) => tf.mul(upsampleOp(dy), 0.25),
}));

/** ×2 upsampling through the [1, 3, 3, 1] filter (StyleGAN2's `upsample2d`): the synthesis blocks and the toRGB skips. */
export const upsample2x = (x: tf.Tensor4D): tf.Tensor4D => upsampleOp(x) as tf.Tensor4D;

/** ×2 downsampling through the [1, 3, 3, 1] filter (StyleGAN2's `downsample2d`): the discriminator's residual blocks. */
export function downsample2x(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[1] % 2 !== 0 || x.shape[2] % 2 !== 0) throw new RangeError(`downsample2x: odd size ${x.shape[1]}×${x.shape[2]}`);
  return downsampleOp(x) as tf.Tensor4D;
}

/** Number of scalars in a set of variables. */
export const parameterCount = (variables: NamedVariables): number => [...variables.values()].reduce((sum, v) => sum + v.size, 0);
