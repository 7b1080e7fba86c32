/**
 * The first stage of a latent diffusion model (Rombach et al. 2022, "High-Resolution Image
 * Synthesis with Latent Diffusion Models", §3.1 and Appendix G): a convolutional autoencoder that
 * maps an image x [R, R, 3] to a latent z [R/f, R/f, c] and back, trained once on the domain's
 * images; the UNet then learns the latents (§3.3). As LDM's `AutoencoderKL`:
 * - the encoder is conv_in, per level residual blocks with group norm and a stride-2 convolution
 *   to the next level (f = 2^(levels − 1)), a middle residual block, GN → SiLU → conv to 2c
 *   channels: the mean and log-variance of a diagonal Gaussian posterior q(z|x) (clamped to
 *   [−30, 20] as LDM's DiagonalGaussianDistribution);
 * - the decoder mirrors it: conv_in, a middle block, per level residual blocks then ×2 upsampling
 *   and a convolution, GN → SiLU → conv to 3 channels (no output non-linearity, as LDM);
 * - the loss is L1 reconstruction plus the light KL regulariser towards N(0, I) ("KL-reg",
 *   weight 1e-6), which keeps the latents' scale bounded without a codebook.
 * Left out of LDM's first stage, and why: the perceptual (LPIPS) and patch-adversarial terms of its
 * loss (no VGG weights can be fetched on these machines, and a discriminator would double a CPU
 * step; LDM reports them for sharper textures, not for what ShapesWorld needs), its learned scalar
 * log-variance of the NLL (fixed at 0 the NLL is plain L1), the attention of its middle block (a
 * 1024 × 1024 attention matrix per image at 32 × 32 latents), its 1×1 quant_conv (a linear map
 * after a linear convolution), and the decoder's extra residual block per level (CPU cost).
 *
 * @example
 *   const ae = new Autoencoder(AUTOENCODER_PRESETS.latent128, { seed: 0 });
 *   const { mean, logVar } = ae.encode(x);   // [N, 32, 32, 4] each, x [N, 128, 128, 3]
 *   const y = ae.decode(mean);               // [N, 128, 128, 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv, Initialiser, parameterCount, upsample2x, type NamedVariables } from '../gan/layers.ts';
import { downsamplingFactor, type AutoencoderOptions } from './presets.ts';
import { GroupNorm, silu } from './unet.ts';

/** q(z|x) = N(mean, exp(logVar)) per latent entry. */
export interface Posterior {
  mean: tf.Tensor4D; // [N, R/f, R/f, c]
  logVar: tf.Tensor4D; // [N, R/f, R/f, c]
}

/** The figures of one reconstruction step. */
export interface AutoencoderLosses {
  /** What Adam minimises: mean |x − x̂| + w·KL/(R·R·3). */
  loss: number;
  /** Mean absolute reconstruction error per pixel and channel, images in [−1, 1]. */
  l1: number;
  /** KL(q(z|x) ‖ N(0, I)) summed over an image's latent entries, mean over the batch. */
  kl: number;
}

/** LDM's ResnetBlock without a time embedding: GN → SiLU → conv, GN → SiLU → conv, plus the (1×1-projected) input. */
class ResBlock {
  private readonly norm1: GroupNorm;
  private readonly conv1: Conv;
  private readonly norm2: GroupNorm;
  private readonly conv2: Conv;
  private readonly skip: Conv | undefined;

  constructor(name: string, inChannels: number, outChannels: number, groups: number, init: Initialiser) {
    this.norm1 = new GroupNorm(`${name}.norm1`, inChannels, groups);
    this.conv1 = new Conv(`${name}.conv1`, inChannels, outChannels, 3, init);
    this.norm2 = new GroupNorm(`${name}.norm2`, outChannels, groups);
    this.conv2 = new Conv(`${name}.conv2`, outChannels, outChannels, 3, init);
    this.skip = inChannels !== outChannels ? new Conv(`${name}.skip`, inChannels, outChannels, 1, init) : undefined;
  }

  /** x [N, H, W, Ci] → [N, H, W, Co] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const y = this.conv2.apply(silu(this.norm2.apply(this.conv1.apply(silu(this.norm1.apply(x))))));
    return tf.add(this.skip ? this.skip.apply(x) : x, y) as tf.Tensor4D;
  }

  variables(into: NamedVariables): void {
    for (const layer of [this.norm1, this.conv1, this.norm2, this.conv2, this.skip]) layer?.variables(into);
  }
}

/** A level: its residual blocks, then the resampling to the next level (none at the last). */
interface Level {
  blocks: ResBlock[];
  resample: Conv | undefined;
}

export class Autoencoder {
  /** The downsampling factor f: latents are R/f on a side. */
  readonly factor: number;
  readonly latentResolution: number;
  private readonly encoderIn: Conv;
  private readonly encoderLevels: Level[] = [];
  private readonly encoderMid: ResBlock;
  private readonly encoderNorm: GroupNorm;
  private readonly encoderOut: Conv;
  private readonly decoderIn: Conv;
  private readonly decoderMid: ResBlock;
  private readonly decoderLevels: Level[] = [];
  private readonly decoderNorm: GroupNorm;
  private readonly decoderOut: Conv;

  constructor(
    readonly options: AutoencoderOptions,
    config: { seed: number },
  ) {
    const { channels, channelMults, resBlocks, latentChannels, groups } = options;
    this.factor = downsamplingFactor(options);
    this.latentResolution = options.resolution / this.factor;
    if (!Number.isInteger(this.latentResolution) || this.latentResolution < 4) throw new RangeError(`f = ${this.factor} does not fit ${options.resolution} px`);
    const init = new Initialiser(config.seed);
    const widths = channelMults.map((mult) => channels * mult);
    const top = widths.at(-1)!;

    this.encoderIn = new Conv('encoder.in', 3, channels, 3, init);
    let current = channels;
    widths.forEach((width, level) => {
      const blocks = Array.from({ length: resBlocks }, (_, b) => {
        const block = new ResBlock(`encoder.down${level}.${b}`, current, width, groups, init);
        current = width;
        return block;
      });
      const last = level === widths.length - 1;
      this.encoderLevels.push({ blocks, resample: last ? undefined : new Conv(`encoder.down${level}.resample`, current, current, 3, init) }); // stride 2
    });
    this.encoderMid = new ResBlock('encoder.mid', top, top, groups, init);
    this.encoderNorm = new GroupNorm('encoder.out.norm', top, groups);
    this.encoderOut = new Conv('encoder.out', top, 2 * latentChannels, 3, init); // mean and log-variance (LDM's double_z)

    this.decoderIn = new Conv('decoder.in', latentChannels, top, 3, init);
    this.decoderMid = new ResBlock('decoder.mid', top, top, groups, init);
    current = top;
    [...widths.keys()].reverse().forEach((level) => {
      const blocks = Array.from({ length: resBlocks }, (_, b) => {
        const block = new ResBlock(`decoder.up${level}.${b}`, current, widths[level]!, groups, init);
        current = widths[level]!;
        return block;
      });
      this.decoderLevels.push({ blocks, resample: level === 0 ? undefined : new Conv(`decoder.up${level}.resample`, current, current, 3, init) }); // after ×2 upsampling
    });
    this.decoderNorm = new GroupNorm('decoder.out.norm', current, groups);
    this.decoderOut = new Conv('decoder.out', current, 3, 3, init);
  }

  /** q(z|x): x [N, R, R, 3] in [−1, 1] → mean and log-variance [N, R/f, R/f, c]. */
  encode(x: tf.Tensor4D): Posterior {
    const [, r, , c] = x.shape;
    if (r !== this.options.resolution || c !== 3) throw new RangeError(`Autoencoder.encode: x ${x.shape} for a ${this.options.resolution} px autoencoder`);
    return tf.tidy(() => {
      let y = this.encoderIn.apply(x);
      for (const level of this.encoderLevels) {
        for (const block of level.blocks) y = block.apply(y);
        if (level.resample) y = level.resample.apply(y, 2);
      }
      y = this.encoderMid.apply(y);
      const moments = this.encoderOut.apply(silu(this.encoderNorm.apply(y))); // [N, R/f, R/f, 2c]
      const [mean, logVar] = tf.split(moments, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return { mean, logVar: tf.clipByValue(logVar, -30, 20) as tf.Tensor4D }; // LDM's DiagonalGaussianDistribution
    });
  }

  /** x̂ = D(z): z [N, R/f, R/f, c] → [N, R, R, 3] (not clipped: the L1 loss sees what the decoder makes). */
  decode(z: tf.Tensor4D): tf.Tensor4D {
    const [, r, , c] = z.shape;
    if (r !== this.latentResolution || c !== this.options.latentChannels)
      throw new RangeError(`Autoencoder.decode: z ${z.shape} for ${this.latentResolution} px, ${this.options.latentChannels}-channel latents`);
    return tf.tidy(() => {
      let y = this.decoderMid.apply(this.decoderIn.apply(z));
      for (const level of this.decoderLevels) {
        for (const block of level.blocks) y = block.apply(y);
        if (level.resample) y = level.resample.apply(upsample2x(y));
      }
      return this.decoderOut.apply(silu(this.decoderNorm.apply(y)));
    });
  }

  namedVariables(): NamedVariables {
    const into: NamedVariables = new Map();
    const levels = (list: Level[]) => list.forEach((level) => [...level.blocks, level.resample].forEach((layer) => layer?.variables(into)));
    this.encoderIn.variables(into);
    levels(this.encoderLevels);
    for (const layer of [this.encoderMid, this.encoderNorm, this.encoderOut, this.decoderIn, this.decoderMid]) layer.variables(into);
    levels(this.decoderLevels);
    this.decoderNorm.variables(into);
    this.decoderOut.variables(into);
    return into;
  }

  parameterCount(): number {
    return parameterCount(this.namedVariables());
  }

  dispose(): void {
    tf.dispose([...this.namedVariables().values()]);
  }
}

/** z = μ + σ·ε, σ = exp(logVar/2) (the reparameterisation; LDM's posterior.sample()). */
export const samplePosterior = (posterior: Posterior, eps: tf.Tensor4D): tf.Tensor4D =>
  tf.tidy(() => tf.add(posterior.mean, tf.mul(tf.exp(tf.mul(posterior.logVar, 0.5)), eps)) as tf.Tensor4D);

/** KL(N(μ, σ²) ‖ N(0, 1)) = ½·Σ(μ² + σ² − 1 − log σ²) over each image's latent entries: [N]. */
export const klDivergence = (posterior: Posterior): tf.Tensor1D =>
  tf.tidy(() => tf.mul(tf.sum(tf.sub(tf.add(tf.square(posterior.mean), tf.exp(posterior.logVar)), tf.add(posterior.logVar, 1)), [1, 2, 3]), 0.5) as tf.Tensor1D);

/**
 * The first stage's objective on a batch x [N, R, R, 3]: LDM's Σ|x − D(z)| + w·KL per image
 * (its L_rec with the logvar fixed at 0, plus KL-reg; Appendix G), divided by R·R·3 so it reads
 * per pixel (a constant factor, which Adam's step does not see). z is sampled from q(z|x) with `eps`.
 */
export function reconstructionLoss(ae: Autoencoder, x: tf.Tensor4D, eps: tf.Tensor4D): { loss: tf.Scalar; l1: tf.Scalar; kl: tf.Scalar } {
  return tf.tidy(() => {
    const posterior = ae.encode(x);
    const l1 = tf.mean(tf.abs(tf.sub(x, ae.decode(samplePosterior(posterior, eps))))) as tf.Scalar; // mean |x − x̂|
    const kl = tf.mean(klDivergence(posterior)) as tf.Scalar;
    const [, r] = x.shape;
    const loss = tf.add(l1, tf.mul(kl, ae.options.klWeight / (r * r * 3))) as tf.Scalar;
    return { loss, l1, kl };
  });
}
