/**
 * The denoising network ε_θ(x_t, t, h) of Lafite2's diffusion model: DDPM's UNet (Ho et al. 2020,
 * Appendix B: residual blocks with group normalisation, self-attention at low resolution, a
 * sinusoidal time embedding through an MLP) with Lafite2's one change (Lafite2, the section on
 * diffusion models): the CLIP feature h passes a linear layer to the time embedding's size and is
 * added to it, t_emb' = t_emb + Linear(h), and t_emb' replaces t_emb in every residual block.
 * Pixel space (32–64 px): x_t is the noised image itself; latent space (LDM, Rombach et al. 2022
 * §3.3): x_t is the noised latent of the run's autoencoder (autoencoder.ts), `imageChannels` wide.
 *
 * Built from ops that have wasm kernels and gradients: group norm from reshape and mean (tfjs
 * has none), SiLU as x·σ(x), ×2 resampling as strided convolution down and the GAN's separable
 * FIR filter up (no depthwise or resize gradients needed).
 *
 * Sampling runs the same network through a faster path that needs no gradients (`frozen`,
 * unet-inference.ts): the scaled weights made once per sampling call rather than once per layer
 * call (so XNNPACK keeps its packed operators), convolutions with their bias fused, group norm
 * from per-channel sums, the skip concatenations and the upsampling as native kernels; its
 * outputs equal the training path's to float rounding (unet.test.ts).
 *
 * @example
 *   const unet = new UNet(DIFFUSION_PRESETS.tiny, { textDim: 64, seed: 0 });
 *   const eps = unet.predict(xt, [999, 500], h);   // [N, R, R, 3]
 *   const images = await unet.frozen(() => sampleImages(unet, schedule, h, seeds, options));
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv, Dense, Initialiser, parameterCount, upsample2x, variableOf, type NamedVariables } from '../gan/layers.ts';
import type { UNetOptions } from './presets.ts';
import { concatChannels, InferenceWeights } from './unet-inference.ts';

/** How a layer is applied: the training path (undefined) or sampling's prepared weights. */
type Fast = InferenceWeights | undefined;

const conv = (fast: Fast, layer: Conv, x: tf.Tensor4D, stride = 1): tf.Tensor4D => (fast ? fast.conv(layer, x, stride) : layer.apply(x, stride));
const dense = (fast: Fast, layer: Dense, x: tf.Tensor2D): tf.Tensor2D => (fast ? fast.dense(layer, x) : layer.apply(x));

/** SiLU(x) = x·σ(x) (Hendrycks & Gimpel 2016; DDPM's "swish"). */
export const silu = <T extends tf.Tensor>(x: T): T => tf.mul(x, tf.sigmoid(x)) as T;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Sinusoidal embedding of the timesteps (Vaswani et al. 2017 §3.5, as DDPM uses it for t):
 * [sin(t·ω_i), cos(t·ω_i)], ω_i = 10000^(−i/(d/2 − 1)), i = 0…d/2 − 1. Constant input: no gradient needed.
 */
export function sinusoidalEmbedding(t: readonly number[], dim: number): tf.Tensor2D {
  if (dim % 2 !== 0 || dim < 4) throw new RangeError(`the time embedding's size must be even and ≥ 4, got ${dim}`);
  const half = dim / 2;
  const values = new Float32Array(t.length * dim);
  t.forEach((step, row) => {
    for (let i = 0; i < half; i++) {
      const angle = step * Math.exp((-Math.log(10000) * i) / (half - 1));
      values[row * dim + i] = Math.sin(angle);
      values[row * dim + half + i] = Math.cos(angle);
    }
  });
  return tf.tensor2d(values, [t.length, dim]);
}

/** Group normalisation (Wu & He 2018): per sample, per group of C/G channels, zero mean and unit variance, then γ·x̂ + β per channel. */
export class GroupNorm {
  readonly gamma: tf.Variable; // [C]
  readonly beta: tf.Variable; // [C]
  readonly groups: number;

  constructor(
    readonly name: string,
    readonly channels: number,
    groups: number,
  ) {
    this.groups = gcd(channels, groups); // a group count that divides C (the skip concatenations make odd sums)
    this.gamma = variableOf(tf.ones([channels]));
    this.beta = variableOf(tf.zeros([channels]));
  }

  /** x [N, H, W, C] → [N, H, W, C] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const grouped = tf.reshape(x, [n, h * w, this.groups, c / this.groups]); // [N, HW, G, C/G]
      const mean = tf.mean(grouped, [1, 3], true); // [N, 1, G, 1]
      const centred = tf.sub(grouped, mean);
      const variance = tf.mean(tf.square(centred), [1, 3], true);
      const normalised = tf.reshape(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), [n, h, w, c]); // x̂ = (x − μ)/√(σ² + ε)
      return tf.add(tf.mul(normalised, this.gamma), this.beta) as tf.Tensor4D;
    });
  }

  /**
   * The same normalisation with fewer passes over x, for sampling: per-channel sums as one matrix
   * product each (no transposes), the group statistics on those sums, then x̂·γ + β as
   * (x − μ)·a + β with a = γ/√(σ² + ε) per sample and channel. Two-pass variance, as `apply`.
   */
  applyFast(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const size = h * w * (c / this.groups); // values per group
      const ones = tf.ones([n, 1, h * w]);
      const groupMean = (values: tf.Tensor4D): tf.Tensor => {
        const sums = tf.matMul(ones, tf.reshape(values, [n, h * w, c])); // [N, 1, C]: Σ over positions
        const perGroup = tf.div(tf.sum(tf.reshape(sums, [n, this.groups, c / this.groups]), 2, true), size); // [N, G, 1]
        return tf.reshape(tf.tile(perGroup, [1, 1, c / this.groups]), [n, 1, 1, c]); // [N, 1, 1, C]: each channel its group's
      };
      const centred = tf.sub(x, groupMean(x)); // x − μ
      const variance = groupMean(tf.square(centred) as tf.Tensor4D);
      const a = tf.mul(tf.rsqrt(tf.add(variance, 1e-5)), this.gamma); // γ/√(σ² + ε), [N, 1, 1, C]
      return tf.add(tf.mul(centred, a), this.beta) as tf.Tensor4D;
    });
  }

  variables(into: NamedVariables): void {
    into.set(`${this.name}.gamma`, this.gamma);
    into.set(`${this.name}.beta`, this.beta);
  }
}

/** DDPM's residual block: GN → SiLU → conv, + Linear(SiLU(t_emb')) per channel, GN → SiLU → conv, plus the (1×1-projected) input. */
class ResBlock {
  private readonly norm1: GroupNorm;
  private readonly conv1: Conv;
  private readonly time: Dense;
  private readonly norm2: GroupNorm;
  private readonly conv2: Conv;
  private readonly skip: Conv | undefined;

  constructor(
    readonly name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    timeDim: number,
    groups: number,
    init: Initialiser,
  ) {
    this.norm1 = new GroupNorm(`${name}.norm1`, inChannels, groups);
    this.conv1 = new Conv(`${name}.conv1`, inChannels, outChannels, 3, init);
    this.time = new Dense(`${name}.time`, timeDim, outChannels, { init });
    this.norm2 = new GroupNorm(`${name}.norm2`, outChannels, groups);
    this.conv2 = new Conv(`${name}.conv2`, outChannels, outChannels, 3, init);
    this.skip = inChannels !== outChannels ? new Conv(`${name}.skip`, inChannels, outChannels, 1, init) : undefined;
  }

  /** x [N, H, W, Ci], tEmb [N, T] (already through SiLU) → [N, H, W, Co] */
  apply(x: tf.Tensor4D, tEmb: tf.Tensor2D, fast?: InferenceWeights): tf.Tensor4D {
    const n = x.shape[0];
    const norm = (layer: GroupNorm, v: tf.Tensor4D) => (fast ? layer.applyFast(v) : layer.apply(v));
    let y = conv(fast, this.conv1, silu(norm(this.norm1, x)));
    y = tf.add(y, tf.reshape(dense(fast, this.time, tEmb), [n, 1, 1, this.outChannels])); // the (conditioned) time embedding, in every block
    y = conv(fast, this.conv2, silu(norm(this.norm2, y)));
    return tf.add(this.skip ? conv(fast, this.skip, x) : x, y) as tf.Tensor4D;
  }

  variables(into: NamedVariables): void {
    for (const layer of [this.norm1, this.conv1, this.time, this.norm2, this.conv2, this.skip]) layer?.variables(into);
  }
}

/** Single-head self-attention over the H·W positions (DDPM Appendix B, at 16×16 there; at our lowest resolution): x + proj(softmax(q·kᵀ/√C)·v). */
class AttentionBlock {
  private readonly norm: GroupNorm;
  private readonly qkv: Dense;
  private readonly proj: Dense;

  constructor(
    readonly name: string,
    readonly channels: number,
    groups: number,
    init: Initialiser,
  ) {
    this.norm = new GroupNorm(`${name}.norm`, channels, groups);
    this.qkv = new Dense(`${name}.qkv`, channels, 3 * channels, { init });
    this.proj = new Dense(`${name}.proj`, channels, channels, { init });
  }

  /** x [N, H, W, C] → [N, H, W, C] */
  apply(x: tf.Tensor4D, fast?: InferenceWeights): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const flat = tf.reshape(fast ? this.norm.applyFast(x) : this.norm.apply(x), [n * h * w, c]) as tf.Tensor2D;
    const [q, k, v] = fast
      ? fast.denseSplit(this.qkv, flat, 3).map((part) => tf.reshape(part, [n, h * w, c]) as tf.Tensor3D) // [N, HW, C] each, no split copies
      : (tf.split(tf.reshape(this.qkv.apply(flat), [n, h * w, 3 * c]), 3, 2) as tf.Tensor3D[]); // [N, HW, 3C] → [N, HW, C] each
    const weights = tf.softmax(tf.mul(tf.matMul(q!, k!, false, true), 1 / Math.sqrt(c))); // [N, HW, HW]
    const attended = tf.reshape(tf.matMul(weights, v!), [n * h * w, c]) as tf.Tensor2D;
    return tf.add(x, tf.reshape(dense(fast, this.proj, attended), [n, h, w, c])) as tf.Tensor4D;
  }

  variables(into: NamedVariables): void {
    for (const layer of [this.norm, this.qkv, this.proj]) layer.variables(into);
  }
}

/** One stage of the UNet: a residual block, maybe followed by attention. */
interface Stage {
  res: ResBlock;
  attention: AttentionBlock | undefined;
}

const runStage = (stage: Stage, x: tf.Tensor4D, tEmb: tf.Tensor2D, fast: Fast): tf.Tensor4D => {
  const y = stage.res.apply(x, tEmb, fast);
  return stage.attention ? stage.attention.apply(y, fast) : y;
};

export class UNet {
  readonly timeDim: number;
  /** Channels of x_t and ε: 3 in pixel space, the latent channels in latent space. */
  readonly imageChannels: number;
  private readonly timeMlp: [Dense, Dense];
  /** Lafite2: Linear(h), the CLIP feature to the time embedding's size. */
  private readonly textProjection: Dense;
  private readonly inConv: Conv;
  private readonly down: { stages: Stage[]; downsample: Conv | undefined }[] = [];
  private readonly mid: [ResBlock, AttentionBlock, ResBlock];
  private readonly up: { stages: Stage[]; upsample: Conv | undefined }[] = [];
  private readonly outNorm: GroupNorm;
  private readonly outConv: Conv;
  /** Set while `frozen` runs: sampling's prepared weights. */
  private fast: InferenceWeights | undefined;

  constructor(
    readonly options: UNetOptions,
    readonly config: { textDim: number; seed: number },
  ) {
    const { channels, channelMults, resBlocks, groups } = options;
    checkOptions(options);
    this.imageChannels = options.imageChannels ?? 3;
    const init = new Initialiser(config.seed);
    this.timeDim = 4 * channels; // DDPM: the time MLP is 4× the base width
    this.timeMlp = [new Dense('time.0', channels, this.timeDim, { init }), new Dense('time.1', this.timeDim, this.timeDim, { init })];
    this.textProjection = new Dense('text', config.textDim, this.timeDim, { init });
    this.inConv = new Conv('in', this.imageChannels, channels, 3, init);
    const attentionAt = (resolution: number) => options.attentionResolutions.includes(resolution);
    const skips: number[] = [channels];
    let current = channels;
    channelMults.forEach((mult, level) => {
      const resolution = options.resolution / 2 ** level;
      const stages: Stage[] = [];
      for (let b = 0; b < resBlocks; b++) {
        const name = `down${level}.${b}`;
        stages.push({ res: new ResBlock(name, current, channels * mult, this.timeDim, groups, init), attention: undefined });
        current = channels * mult;
        if (attentionAt(resolution)) stages.at(-1)!.attention = new AttentionBlock(`${name}.attn`, current, groups, init);
        skips.push(current);
      }
      const last = level === channelMults.length - 1;
      const downsample = last ? undefined : new Conv(`down${level}.resample`, current, current, 3, init); // stride 2 (DDPM's Downsample)
      if (downsample) skips.push(current);
      this.down.push({ stages, downsample });
    });
    this.mid = [
      new ResBlock('mid.0', current, current, this.timeDim, groups, init),
      new AttentionBlock('mid.attn', current, groups, init),
      new ResBlock('mid.1', current, current, this.timeDim, groups, init),
    ];
    [...channelMults.keys()].reverse().forEach((level) => {
      const resolution = options.resolution / 2 ** level;
      const stages: Stage[] = [];
      for (let b = 0; b <= resBlocks; b++) {
        const name = `up${level}.${b}`;
        const out = channels * channelMults[level]!;
        stages.push({ res: new ResBlock(name, current + skips.pop()!, out, this.timeDim, groups, init), attention: undefined });
        current = out;
        if (attentionAt(resolution)) stages.at(-1)!.attention = new AttentionBlock(`${name}.attn`, current, groups, init);
      }
      const upsample = level === 0 ? undefined : new Conv(`up${level}.resample`, current, current, 3, init); // after ×2 nearest-like FIR upsampling
      this.up.push({ stages, upsample });
    });
    this.outNorm = new GroupNorm('out.norm', current, groups);
    this.outConv = new Conv('out', current, this.imageChannels, 3, init);
  }

  /** t_emb' = MLP(sinusoid(t)) + Linear(h)  (Lafite2's conditioning). t one timestep per sample, h [N, D] → [N, 4·channels]. */
  timeEmbedding(t: readonly number[], h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [fc0, fc1] = this.timeMlp;
      const tEmb = dense(this.fast, fc1, silu(dense(this.fast, fc0, sinusoidalEmbedding(t, this.options.channels)))); // [N, T]
      return tf.add(tEmb, dense(this.fast, this.textProjection, h)) as tf.Tensor2D; // + Linear(h)
    });
  }

  /**
   * Runs `run` (sampling: many predictions, no gradients) with the faster inference path: the
   * weights are read once, so they must not change meanwhile (no training step of this network).
   */
  async frozen<T>(run: () => Promise<T>): Promise<T> {
    if (this.fast) return run(); // already frozen (a nested call)
    this.fast = new InferenceWeights();
    try {
      return await run();
    } finally {
      this.fast.dispose();
      this.fast = undefined;
    }
  }

  /** ε_θ(x_t, t, h): x [N, R, R, C], t one index per sample, h [N, D] (zeros: the null condition of classifier-free guidance) → [N, R, R, C]. */
  predict(x: tf.Tensor4D, t: readonly number[], h: tf.Tensor2D): tf.Tensor4D {
    const [n, r, , c] = x.shape;
    if (r !== this.options.resolution || c !== this.imageChannels || t.length !== n || h.shape[0] !== n || h.shape[1] !== this.config.textDim) {
      throw new RangeError(
        `UNet.predict: x ${x.shape}, ${t.length} timesteps, h ${h.shape} for a ${this.options.resolution} px, ${this.imageChannels}-channel net on ${this.config.textDim}-d features`,
      );
    }
    const fast = this.fast;
    return tf.tidy(() => {
      const tEmb = silu(this.timeEmbedding(t, h)); // every block reads SiLU(t_emb') (DDPM's nonlinearity before each block's projection)
      let y = conv(fast, this.inConv, x);
      const skips: tf.Tensor4D[] = [y];
      for (const level of this.down) {
        for (const stage of level.stages) skips.push((y = runStage(stage, y, tEmb, fast)));
        if (level.downsample) skips.push((y = conv(fast, level.downsample, y, 2)));
      }
      y = this.mid[2].apply(this.mid[1].apply(this.mid[0].apply(y, tEmb, fast), fast), tEmb, fast);
      for (const level of this.up) {
        for (const stage of level.stages) y = runStage(stage, fast ? concatChannels(y, skips.pop()!) : tf.concat([y, skips.pop()!], 3), tEmb, fast);
        if (level.upsample) y = conv(fast, level.upsample, fast ? fast.upsample2x(y) : upsample2x(y));
      }
      return conv(fast, this.outConv, silu(fast ? this.outNorm.applyFast(y) : this.outNorm.apply(y)));
    });
  }

  namedVariables(): NamedVariables {
    const into: NamedVariables = new Map();
    for (const layer of [...this.timeMlp, this.textProjection, this.inConv]) layer.variables(into);
    for (const level of this.down) {
      for (const stage of level.stages) [stage.res, stage.attention].forEach((layer) => layer?.variables(into));
      level.downsample?.variables(into);
    }
    for (const layer of this.mid) layer.variables(into);
    for (const level of this.up) {
      for (const stage of level.stages) [stage.res, stage.attention].forEach((layer) => layer?.variables(into));
      level.upsample?.variables(into);
    }
    this.outNorm.variables(into);
    this.outConv.variables(into);
    return into;
  }

  parameterCount(): number {
    return parameterCount(this.namedVariables());
  }

  dispose(): void {
    tf.dispose([...this.namedVariables().values()]);
  }
}

/** The preset's sizes must make a UNet: internal invariants (presets are a fixed table). */
function checkOptions(options: UNetOptions): void {
  const lowest = options.resolution / 2 ** (options.channelMults.length - 1);
  if (!Number.isInteger(lowest) || lowest < 4) throw new RangeError(`${options.channelMults.length} levels do not fit ${options.resolution} px`);
  if (options.channels % 2 !== 0) throw new RangeError('the base channel count must be even (the sinusoidal embedding)');
}
