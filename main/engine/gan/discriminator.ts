/**
 * The discriminator of Lafite (§3.2, eqs. 5–6): StyleGAN2's residual backbone from the image
 * down to 4×4 (minibatch standard deviation, a convolution, a fully connected layer), shared by
 * two heads: f_d (real or fake, a scalar) and f_s (a semantic embedding of the text encoder's
 * dimension), combined as   D(x, h) = f_d(x) + ⟨h, f_s(x)⟩   per sample (the official code's
 * batch-summed inner product is not followed: LAFITE_REFERENCE.md).
 *
 * @example
 *   const d = new Discriminator(PRESETS.tiny, { textDim: 64, seed: 1 });
 *   const { logits, semantic } = d.apply(images, h);   // [N], [N, 64]
 */
import * as tf from '@tensorflow/tfjs';
import { Conv, Dense, downsample2x, Initialiser, lrelu, parameterCount, type NamedVariables } from './layers.ts';
import { blockResolutions, channelsAt, type NetworkOptions } from './presets.ts';
import { recomputed } from './recompute.ts';

/** The trainable variables of some layers, for a checkpointed segment's gradient. */
function variablesOf(layers: Array<{ variables(into: NamedVariables): void }>): tf.Variable[] {
  const into: NamedVariables = new Map();
  layers.forEach((layer) => layer.variables(into));
  return [...into.values()];
}

/** One residual block: two 3×3 convolutions and a 1×1 skip, halving the resolution. */
class ResidualBlock {
  readonly conv0: Conv;
  readonly conv1: Conv;
  readonly skip: Conv;

  constructor(name: string, inChannels: number, outChannels: number, init: Initialiser) {
    this.conv0 = new Conv(`${name}.conv0`, inChannels, inChannels, 3, init);
    this.conv1 = new Conv(`${name}.conv1`, inChannels, outChannels, 3, init);
    this.skip = new Conv(`${name}.skip`, inChannels, outChannels, 1, init, { bias: false });
  }

  /**
   * x [N, R, R, Ci] → [N, R/2, R/2, Co]; `recompute`: in three checkpointed segments (recompute.ts),
   * the two convolutions and the skip, so that R1's double backward holds one of them at a time.
   */
  apply(x: tf.Tensor4D, recompute = false): tf.Tensor4D {
    const first = (input: tf.Tensor): tf.Tensor4D => lrelu(this.conv0.apply(input as tf.Tensor4D));
    const second = (a: tf.Tensor): tf.Tensor4D => lrelu(downsample2x(this.conv1.apply(a as tf.Tensor4D)));
    // (main + skip)/√2, the sum inside the skip's segment: kept outside, its product would hold one more tensor.
    const skip = (y: tf.Tensor, input: tf.Tensor): tf.Tensor4D => tf.mul(tf.add(y, this.skip.apply(downsample2x(input as tf.Tensor4D))), Math.SQRT1_2) as tf.Tensor4D;
    if (!recompute) return skip(second(first(x)), x);
    const a = recomputed(first, [x], variablesOf([this.conv0]));
    const y = recomputed(second, [a], variablesOf([this.conv1]));
    return recomputed(skip, [y, x], variablesOf([this.skip]));
  }

  variables(into: NamedVariables): void {
    this.conv0.variables(into);
    this.conv1.variables(into);
    this.skip.variables(into);
  }
}

/**
 * StyleGAN2's minibatch standard deviation: one extra channel, the mean std over groups of
 * `group` samples. StyleGAN2 asserts that the batch divides into groups; a few-shot fine-tune
 * of 5 pairs has a batch of 5, so here the group shrinks to the largest size that divides it.
 */
function minibatchStd(x: tf.Tensor4D, group: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let g = Math.min(group, n);
  while (n % g !== 0) g--;
  const grouped = tf.reshape(x, [g, n / g, h, w, c]);
  const std = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(grouped, tf.mean(grouped, 0))), 0), 1e-8)); // [n/g, H, W, C]
  const perGroup = tf.mean(std, [1, 2, 3]); // [n/g]: sample i belongs to column i mod n/g
  const perSample = tf.reshape(tf.tile(perGroup, [g]), [n, 1, 1, 1]); // rank 1 tile: its gradient exists
  return tf.concat([x, tf.mul(tf.ones([n, h, w, 1]), perSample)], 3) as tf.Tensor4D;
}

/** How the semantic term enters D(x, h): per sample (paper) or summed over the batch (official code). */
export type SemanticForm = 'paper' | 'official';

export interface DiscriminatorOutput {
  /** D(x, h) = f_d(x) + ⟨h, f_s(x)⟩, [N]. */
  logits: tf.Tensor1D;
  /** f_s(x), [N, textDim]: the semantic embedding ConD compares with h (eq. 6). */
  semantic: tf.Tensor2D;
}

export class Discriminator {
  readonly options: NetworkOptions & { textDim: number };
  private readonly fromRgb: Conv;
  private readonly blocks: ResidualBlock[];
  private readonly epilogueConv: Conv;
  private readonly epilogueFc: Dense;
  private readonly realFake: Dense; // f_d
  private readonly semanticHead: Dense; // f_s
  /** Samples per minibatch-std group. */
  readonly stdGroup = 4;

  constructor(network: NetworkOptions, options: { textDim: number; seed: number }) {
    this.options = { ...network, textDim: options.textDim };
    const init = new Initialiser(options.seed);
    const resolutions = blockResolutions(network).reverse(); // R, …, 8, 4
    this.fromRgb = new Conv(`b${network.resolution}.fromrgb`, 3, channelsAt(network, network.resolution), 1, init);
    this.blocks = resolutions.slice(0, -1).map((r) => new ResidualBlock(`b${r}`, channelsAt(network, r), channelsAt(network, r / 2), init));
    const c4 = channelsAt(network, 4);
    this.epilogueConv = new Conv('b4.conv', c4 + 1, c4, 3, init);
    this.epilogueFc = new Dense('b4.fc', c4 * 16, c4, { init });
    this.realFake = new Dense('b4.out', c4, 1, { init });
    this.semanticHead = new Dense('b4.semantic', c4, options.textDim, { init });
  }

  /**
   * The shared backbone: images [N, R, R, 3] → features [N, C4]. The first `frozen` blocks are Freeze-D's.
   * `recompute`: fromRGB and each residual block's two segments are checkpointed (recompute.ts): same figures, less memory.
   */
  features(x: tf.Tensor4D, recompute = false): tf.Tensor2D {
    const fromRgb = (input: tf.Tensor): tf.Tensor4D => lrelu(this.fromRgb.apply(input as tf.Tensor4D));
    let y = tf.tidy(() => (recompute ? recomputed(fromRgb, [x], variablesOf([this.fromRgb])) : fromRgb(x)));
    for (const block of this.blocks) y = tf.tidy(() => block.apply(y, recompute)); // per block: without a tape only y outlives it
    y = lrelu(this.epilogueConv.apply(minibatchStd(y, this.stdGroup)));
    return lrelu(this.epilogueFc.apply(tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D));
  }

  /** D(x, h) and f_s(x). */
  apply(x: tf.Tensor4D, h: tf.Tensor2D, form: SemanticForm = 'paper', recompute = false): DiscriminatorOutput {
    const features = this.features(x, recompute);
    const semantic = this.semanticHead.apply(features);
    const fd = tf.reshape(this.realFake.apply(features), [-1]) as tf.Tensor1D;
    const agreement = form === 'official' ? tf.sum(tf.mul(h, semantic)) : tf.sum(tf.mul(h, semantic), 1); // official: one scalar for the batch
    return { logits: tf.add(fd, agreement) as tf.Tensor1D, semantic };
  }

  /**
   * Variables by name, from the image side: with `frozenBlocks` = k, fromRGB and the first k
   * residual blocks are left out (Freeze-D for few-shot fine-tuning).
   */
  namedVariables(frozenBlocks = 0): NamedVariables {
    const all: NamedVariables = new Map();
    if (frozenBlocks === 0) this.fromRgb.variables(all);
    this.blocks.slice(frozenBlocks).forEach((block) => block.variables(all));
    this.epilogueConv.variables(all);
    this.epilogueFc.variables(all);
    this.realFake.variables(all);
    this.semanticHead.variables(all);
    return all;
  }

  /** Residual blocks of the backbone: Freeze-D can freeze at most this many. */
  get blockCount(): number {
    return this.blocks.length;
  }

  parameterCount(): number {
    return parameterCount(this.namedVariables());
  }

  dispose(): void {
    tf.dispose([...this.namedVariables().values()]);
  }
}
