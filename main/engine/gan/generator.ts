/**
 * The generator of Lafite (§3.2) on StyleGAN2: a mapping network z → w; synthesis blocks
 * from a learned 4×4 constant up to the output resolution, each layer a modulated, demodulated
 * 3×3 convolution whose style comes from w and the text feature h (the Conditional
 * StyleSpace, conditional-style.ts), with per-pixel noise, a bias and leaky ReLU; and skip
 * toRGB outputs summed across resolutions.
 *
 * @example
 *   const g = new Generator(PRESETS.tiny, { textDim: 64, seed: 0 });
 *   const x = g.generate(z, h);                 // [N, 16, 16, 3], about [−1, 1]
 */
import * as tf from '@tensorflow/tfjs';
import { ConditionalStyle } from './conditional-style.ts';
import { Dense, Initialiser, lrelu, ModulatedConv, parameterCount, upsample2x, variableOf, type NamedVariables } from './layers.ts';
import { blockResolutions, channelsAt, type NetworkOptions } from './presets.ts';
import { tfSeed } from '../random.ts';
import { recomputed } from './recompute.ts';

/** One modulated layer with its own conditional style, noise strength and bias. */
class SynthesisLayer {
  readonly style: ConditionalStyle;
  readonly conv: ModulatedConv;
  readonly noiseStrength: tf.Variable | undefined;
  readonly bias: tf.Variable;

  constructor(name: string, inChannels: number, outChannels: number, kernel: number, toRgb: boolean, options: NetworkOptions & { textDim: number }, init: Initialiser) {
    this.style = new ConditionalStyle(`${name}.style`, {
      wDim: options.wDim,
      textDim: options.textDim,
      textHidden: options.textHidden,
      channels: inChannels,
      form: options.condition,
      init,
    });
    this.conv = new ModulatedConv(`${name}.conv`, inChannels, outChannels, kernel, !toRgb, init);
    this.noiseStrength = toRgb ? undefined : variableOf(tf.scalar(0));
    this.bias = variableOf(tf.zeros([outChannels]));
  }

  /** x [N, H, W, Ci] → [N, H, W, Co]; noise: seeded per layer, or none. */
  apply(x: tf.Tensor4D, w: tf.Tensor2D, h: tf.Tensor2D, noiseSeed: number | undefined): tf.Tensor4D {
    // Nested tidies: without a gradient tape each step's temporaries (the modulated input, the sums) go as soon as it is done.
    return tf.tidy(() => {
      const convolved = tf.tidy(() => this.conv.apply(x, this.style.apply(w, h)));
      const biased = tf.tidy(() => {
        let y = convolved;
        if (this.noiseStrength) {
          const [n, height, width] = y.shape;
          y = tf.add(y, tf.mul(tf.randomNormal([n, height, width, 1], 0, 1, 'float32', tfSeed(noiseSeed)), this.noiseStrength));
        }
        return tf.add(y, this.bias) as tf.Tensor4D;
      });
      return this.noiseStrength ? lrelu(biased) : biased; // toRGB stays linear
    });
  }

  variables(into: NamedVariables, name: string): void {
    this.style.variables(into);
    this.conv.variables(into);
    if (this.noiseStrength) into.set(`${name}.noise_strength`, this.noiseStrength);
    into.set(`${name}.bias`, this.bias);
  }
}

interface Block {
  resolution: number;
  name: string;
  convs: SynthesisLayer[];
  toRgb: SynthesisLayer;
  /** The trainable variables each convolution and toRGB read (checkpointing passes them to the gradient). */
  convVariables: tf.Variable[][];
  rgbVariables: tf.Variable[];
}

export interface GenerateOptions {
  /** Truncation ψ: w ← w̄ + ψ(w − w̄), w̄ the running mean of w tracked in training (1 = none). */
  truncation?: number;
  /** Seed of the noise inputs (a fixed seed gives the same picture for the same z and h). */
  noiseSeed?: number;
  /** Checkpoint the synthesis blocks for the gradient (`synthesise`'s `recompute`): less memory, one more forward pass. */
  recompute?: boolean;
  /** Style mixing (StyleGAN2): the layers from `cutoff` on take their w from `z2`. */
  mix?: { z2: tf.Tensor2D; cutoff: number };
}

/** StyleGAN2-ADA's `w_avg_beta`: w̄ ← lerp(mean of the batch's w, w̄, 0.995) at every generator pass in training. */
export const W_AVERAGE_BETA = 0.995;

export class Generator {
  readonly options: NetworkOptions & { textDim: number };
  private readonly mapping: Dense[];
  private readonly constInput: tf.Variable; // [1, 4, 4, C4]
  private readonly blocks: Block[];
  /** The running mean of w, for truncation (updated by `trackWAverage` in training, not by gradients). */
  readonly wAverage: tf.Variable;

  constructor(network: NetworkOptions, options: { textDim: number; seed: number }) {
    this.options = { ...network, textDim: options.textDim };
    const init = new Initialiser(options.seed);
    const { zDim, wDim, mappingLayers } = network;
    this.mapping = Array.from({ length: mappingLayers }, (_, i) => new Dense(`mapping.${i}`, i === 0 ? zDim : wDim, wDim, { init, lrMul: 0.01 }));
    const resolutions = blockResolutions(network);
    this.constInput = variableOf(init.normal([1, 4, 4, channelsAt(network, 4)]));
    this.blocks = resolutions.map((resolution, b) => {
      const name = `synthesis.b${resolution}`;
      const channels = channelsAt(network, resolution);
      const previous = b === 0 ? channels : channelsAt(network, resolution / 2);
      const convs =
        b === 0
          ? [new SynthesisLayer(`${name}.conv1`, channels, channels, 3, false, this.options, init)]
          : [
              new SynthesisLayer(`${name}.conv0`, previous, channels, 3, false, this.options, init),
              new SynthesisLayer(`${name}.conv1`, channels, channels, 3, false, this.options, init),
            ];
      const toRgb = new SynthesisLayer(`${name}.torgb`, channels, 3, 1, true, this.options, init);
      const variablesOf = (layers: SynthesisLayer[]): tf.Variable[] => {
        const into: NamedVariables = new Map();
        layers.forEach((layer, i) => layer.variables(into, `${i}`));
        return [...into.values()];
      };
      return { resolution, name, convs, toRgb, convVariables: convs.map((conv) => variablesOf([conv])), rgbVariables: variablesOf([toRgb]) };
    });
    this.wAverage = variableOf(tf.zeros([wDim]), false);
  }

  /**
   * How many per-layer w inputs synthesis takes (StyleGAN2's `num_ws`): one per convolution, plus
   * one for the last toRGB; each toRGB shares the w of the convolution that follows it.
   */
  get numWs(): number {
    return this.blocks.reduce((sum, block) => sum + block.convs.length, 0) + 1;
  }

  /** z [N, zDim] → w [N, wDim] (z normalised to unit second moment first, as StyleGAN2). */
  map(z: tf.Tensor2D): tf.Tensor2D {
    const normalised = tf.mul(z, tf.rsqrt(tf.add(tf.mean(tf.square(z), 1, true), 1e-8))) as tf.Tensor2D;
    return this.mapping.reduce((x, layer) => lrelu(layer.apply(x)), normalised);
  }

  /** w [N, wDim] → ws [N, numWs, wDim]: the same w for every layer. */
  broadcastWs(w: tf.Tensor2D): tf.Tensor3D {
    return tf.tile(tf.expandDims(w, 1), [1, this.numWs, 1]) as tf.Tensor3D;
  }

  /**
   * The per-layer latents of G(z, ·): w = mapping(z), truncated towards w̄, and with style mixing
   * the layers from the cutoff on from a second latent (StyleGAN2-ADA `style_mixing_prob`).
   */
  ws(z: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor3D {
    const psi = options.truncation ?? 1;
    const truncate = (w: tf.Tensor2D): tf.Tensor2D => (psi === 1 ? w : (tf.add(this.wAverage, tf.mul(tf.sub(w, this.wAverage), psi)) as tf.Tensor2D)); // w̄ + ψ(w − w̄)
    const ws = this.broadcastWs(truncate(this.map(z)));
    if (!options.mix || options.mix.cutoff >= this.numWs) return ws;
    const { z2, cutoff } = options.mix;
    const second = this.broadcastWs(truncate(this.map(z2)));
    const take = tf.reshape(tf.tensor1d(Array.from({ length: this.numWs }, (_, i) => (i >= cutoff ? 1 : 0))), [1, this.numWs, 1]);
    return tf.add(tf.mul(ws, tf.sub(1, take)), tf.mul(second, take)) as tf.Tensor3D;
  }

  /**
   * ws [N, numWs, wDim] (or one w [N, wDim] for every layer), h [N, textDim] → image [N, R, R, 3].
   * `recompute`: each modulated layer (the first of a block with its upsampling) is checkpointed (recompute.ts): a gradient
   * keeps their inputs only and recomputes the rest, to the same figures; it needs a noise seed
   * (the recomputed noise must be the same) and gives no gradient to h.
   */
  synthesise(ws: tf.Tensor3D | tf.Tensor2D, h: tf.Tensor2D, noiseSeed?: number, recompute = false): tf.Tensor4D {
    if (recompute && noiseSeed === undefined) throw new Error('synthesise: recompute needs a noise seed (recomputed noise must repeat)');
    const perLayer = tf.unstack(ws.rank === 2 ? this.broadcastWs(ws as tf.Tensor2D) : ws, 1) as tf.Tensor2D[];
    const n = h.shape[0];
    let x = tf.tile(this.constInput, [n, 1, 1, 1]) as tf.Tensor4D;
    let rgb: tf.Tensor4D | undefined;
    let index = 0; // the next convolution's w
    const seedOf = (layer: number): number | undefined => (noiseSeed === undefined ? undefined : noiseSeed * 64 + layer);
    for (const [b, block] of this.blocks.entries()) {
      // One tidy per block: without a gradient tape only x and rgb outlive it, so generation holds a few
      // block-sized tensors at a time; with one, what the gradient needs is kept by the tape all the same.
      const first = index;
      const seeds = block.convs.map(() => seedOf(index++));
      const latents = perLayer.slice(first, index + 1); // the convolutions' w, then toRGB's (the next convolution's)
      // Each layer a segment: the first convolution with the upsampling before it (its input is the smaller).
      const layer = (i: number) => (input: tf.Tensor, latent: tf.Tensor) =>
        block.convs[i]!.apply(i === 0 && b > 0 ? upsample2x(input as tf.Tensor4D) : (input as tf.Tensor4D), latent as tf.Tensor2D, h, seeds[i]);
      const toRgb = (input: tf.Tensor, latent: tf.Tensor): tf.Tensor4D => block.toRgb.apply(input as tf.Tensor4D, latent as tf.Tensor2D, h, undefined);
      [x, rgb] = tf.tidy(() => {
        let y = x;
        for (const i of block.convs.keys()) y = recompute ? recomputed(layer(i), [y, latents[i]!], block.convVariables[i]!) : layer(i)(y, latents[i]!);
        const out = recompute ? recomputed(toRgb, [y, latents.at(-1)!], block.rgbVariables) : toRgb(y, latents.at(-1)!);
        return [y, rgb ? (tf.add(upsample2x(rgb), out) as tf.Tensor4D) : out]; // skip architecture
      });
    }
    return rgb!;
  }

  /** G(z, h): the generated images for latents z [N, zDim] and unit text features h [N, textDim]. */
  generate(z: tf.Tensor2D, h: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor4D {
    return tf.tidy(() => this.synthesise(this.ws(z, options), h, options.noiseSeed, options.recompute));
  }

  /** Training: w̄ ← lerp(mean_batch mapping(z), w̄, β) (StyleGAN2-ADA's mapping network, `update_emas`). */
  trackWAverage(z: tf.Tensor2D, beta = W_AVERAGE_BETA): void {
    tf.tidy(() => {
      const batchMean = tf.mean(this.map(z), 0);
      this.wAverage.assign(tf.add(tf.mul(this.wAverage, beta), tf.mul(batchMean, 1 - beta)));
    });
  }

  /** Trainable variables by name (checkpoints), plus `w_average`. */
  namedVariables(): NamedVariables {
    const all: NamedVariables = new Map();
    this.mapping.forEach((layer) => layer.variables(all));
    all.set('synthesis.const', this.constInput);
    for (const block of this.blocks) {
      block.convs.forEach((conv, i) => conv.variables(all, `${block.name}.conv${block.convs.length === 1 ? 1 : i}`));
      block.toRgb.variables(all, `${block.name}.torgb`);
    }
    all.set('w_average', this.wAverage);
    return all;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.namedVariables().entries()].filter(([name]) => name !== 'w_average').map(([, v]) => v);
  }

  parameterCount(): number {
    return parameterCount(new Map([...this.namedVariables()].filter(([name]) => name !== 'w_average')));
  }

  dispose(): void {
    tf.dispose([...this.namedVariables().values()]);
  }
}
