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

/** One modulated layer with its own conditional style, noise strength and bias. */
class SynthesisLayer {
  readonly style: ConditionalStyle;
  readonly conv: ModulatedConv;
  readonly noiseStrength: tf.Variable | undefined;
  readonly bias: tf.Variable;

  constructor(name: string, inChannels: number, outChannels: number, kernel: number, toRgb: boolean, options: NetworkOptions & { textDim: number }, init: Initialiser) {
    this.style = new ConditionalStyle(`${name}.style`, { wDim: options.wDim, textDim: options.textDim, textHidden: options.textHidden, channels: inChannels, form: options.condition, init });
    this.conv = new ModulatedConv(`${name}.conv`, inChannels, outChannels, kernel, !toRgb, init);
    this.noiseStrength = toRgb ? undefined : variableOf(tf.scalar(0));
    this.bias = variableOf(tf.zeros([outChannels]));
  }

  /** x [N, H, W, Ci] → [N, H, W, Co]; noise: seeded per layer, or none. */
  apply(x: tf.Tensor4D, w: tf.Tensor2D, h: tf.Tensor2D, noiseSeed: number | undefined): tf.Tensor4D {
    let y = this.conv.apply(x, this.style.apply(w, h));
    if (this.noiseStrength) {
      const [n, height, width] = y.shape;
      y = tf.add(y, tf.mul(tf.randomNormal([n, height, width, 1], 0, 1, 'float32', tfSeed(noiseSeed)), this.noiseStrength));
    }
    y = tf.add(y, this.bias);
    return this.noiseStrength ? lrelu(y) : y; // toRGB stays linear
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
}

export interface GenerateOptions {
  /** Truncation ψ: w ← w̄ + ψ(w − w̄) (1 = none). */
  truncation?: number;
  /** Seed of the noise inputs (a fixed seed gives the same picture for the same z and h). */
  noiseSeed?: number;
}

export class Generator {
  readonly options: NetworkOptions & { textDim: number };
  private readonly mapping: Dense[];
  private readonly constInput: tf.Variable; // [1, 4, 4, C4]
  private readonly blocks: Block[];
  /** The running mean of w, for truncation (updated by the trainer, not by gradients). */
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
      const convs = b === 0 ? [new SynthesisLayer(`${name}.conv1`, channels, channels, 3, false, this.options, init)] : [new SynthesisLayer(`${name}.conv0`, previous, channels, 3, false, this.options, init), new SynthesisLayer(`${name}.conv1`, channels, channels, 3, false, this.options, init)];
      return { resolution, name, convs, toRgb: new SynthesisLayer(`${name}.torgb`, channels, 3, 1, true, this.options, init) };
    });
    this.wAverage = variableOf(tf.zeros([wDim]), false);
  }

  /** z [N, zDim] → w [N, wDim] (z normalised to unit second moment first, as StyleGAN2). */
  map(z: tf.Tensor2D): tf.Tensor2D {
    const normalised = tf.mul(z, tf.rsqrt(tf.add(tf.mean(tf.square(z), 1, true), 1e-8))) as tf.Tensor2D;
    return this.mapping.reduce((x, layer) => lrelu(layer.apply(x)), normalised);
  }

  /** w [N, wDim], h [N, textDim] → image [N, R, R, 3] */
  synthesise(w: tf.Tensor2D, h: tf.Tensor2D, noiseSeed?: number): tf.Tensor4D {
    const n = w.shape[0];
    let x = tf.tile(this.constInput, [n, 1, 1, 1]) as tf.Tensor4D;
    let rgb: tf.Tensor4D | undefined;
    let layer = 0;
    const seedOf = (): number | undefined => (noiseSeed === undefined ? undefined : noiseSeed * 64 + layer++);
    for (const [b, block] of this.blocks.entries()) {
      if (b > 0) x = upsample2x(x);
      for (const conv of block.convs) x = conv.apply(x, w, h, seedOf());
      const out = block.toRgb.apply(x, w, h, undefined);
      rgb = rgb ? (tf.add(upsample2x(rgb), out) as tf.Tensor4D) : out; // skip architecture
    }
    return rgb!;
  }

  /** G(z, h): the generated images for latents z [N, zDim] and unit text features h [N, textDim]. */
  generate(z: tf.Tensor2D, h: tf.Tensor2D, options: GenerateOptions = {}): tf.Tensor4D {
    return tf.tidy(() => {
      let w = this.map(z);
      const psi = options.truncation ?? 1;
      if (psi !== 1) w = tf.add(this.wAverage, tf.mul(tf.sub(w, this.wAverage), psi)) as tf.Tensor2D; // w̄ + ψ(w − w̄)
      return this.synthesise(w, h, options.noiseSeed);
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
