/**
 * Network presets of the diffusion model, named as the GAN's (engine/gan/presets.ts) for pixel
 * space: `tiny` for tests, `shapes` for ShapesWorld at 32 px on a CPU, `shapes64` for ShapesWorld
 * at 64 px, `paper` a GPU-sized pixel-space UNet at 64 px (DDPM's CIFAR-10 widths: 128 channels,
 * ×(1, 2, 2, 2), two residual blocks a level, attention at 16 and 8).
 *
 * Above 64 px the UNet runs in a latent space, LDM's design (Rombach et al. 2022, §3): a small
 * autoencoder (engine/diffusion/autoencoder.ts) trained first on the domain's images maps an
 * H×W×3 picture to H/f×W/f×c latents, and the UNet learns those. `latent128` (128 px, f = 4) and
 * `latent256` (256 px, f = 8) both give 32×32×4 latents, so their UNet is `shapes`'s at 32 px;
 * `tinyLatent` (32 px, f = 4: 8×8×4) is for tests. Measured parameter counts: trainer.test.ts
 * and autoencoder.test.ts print them.
 */
export const DIFFUSION_PRESET_NAMES = ['tiny', 'shapes', 'shapes64', 'paper', 'tinyLatent', 'latent128', 'latent256'] as const;
export type DiffusionPresetName = (typeof DIFFUSION_PRESET_NAMES)[number];

export interface UNetOptions {
  /** Side of what the UNet denoises in pixels: the image in pixel space (16 to 64), the latent grid in latent space. */
  resolution: number;
  /** Channels of what it denoises: 3 (RGB) in pixel space, the autoencoder's latent channels in latent space. */
  imageChannels?: number;
  /** Base width; level i has channels·channelMults[i]. */
  channels: number;
  /** Width multiplier per level, from the full resolution down (each further level halves the side). */
  channelMults: readonly number[];
  /** Residual blocks per level on the way down (one more on the way up, as DDPM). */
  resBlocks: number;
  /** Resolutions with self-attention after each residual block (the middle block always has one). */
  attentionResolutions: readonly number[];
  /** Groups of the group norms (reduced to a divisor of each layer's width). */
  groups: number;
}

/** LDM's first stage (autoencoder.ts): a convolutional encoder down by f = 2^(levels − 1) to a few channels, and its mirror. */
export interface AutoencoderOptions {
  /** Image side in pixels. */
  resolution: number;
  /** Base width; level i has channels·channelMults[i]. */
  channels: number;
  /** Width multiplier per level from the full resolution down; each level after the first halves the side (f = 2^(levels − 1)). */
  channelMults: readonly number[];
  /** Residual blocks per level, in the encoder and the decoder alike. */
  resBlocks: number;
  /** Channels c of the latents (LDM's z_channels; 3 or 4 in its KL-f4/f8 models). */
  latentChannels: number;
  /** Groups of the group norms (reduced to a divisor of each layer's width). */
  groups: number;
  /** Weight of the KL term towards N(0, I) ("KL-reg", LDM §3.1 and Appendix G: 1e-6), against the summed L1 of an image. */
  klWeight: number;
}

/** The UNet on 32×32×4 latents: `shapes`'s network with four input and output channels. */
const LATENT_UNET_32 = { resolution: 32, imageChannels: 4, channels: 32, channelMults: [1, 2, 2], resBlocks: 1, attentionResolutions: [8], groups: 8 } as const;

export const DIFFUSION_PRESETS = {
  tiny: { resolution: 16, channels: 16, channelMults: [1, 2], resBlocks: 1, attentionResolutions: [], groups: 4 },
  // ShapesWorld on a CPU: 32 → 16 → 8 px, attention at 8 (the lowest resolution).
  shapes: { resolution: 32, channels: 32, channelMults: [1, 2, 2], resBlocks: 1, attentionResolutions: [8], groups: 8 },
  // One more level for 64 px; the 64 px level keeps the base width, so it costs about what the 32 px level does.
  shapes64: { resolution: 64, channels: 32, channelMults: [1, 2, 2, 2], resBlocks: 1, attentionResolutions: [8], groups: 8 },
  paper: { resolution: 64, channels: 128, channelMults: [1, 2, 2, 2], resBlocks: 2, attentionResolutions: [16, 8], groups: 32 },
  // Latent space: the UNet on the autoencoder's latents (AUTOENCODER_PRESETS gives the image side).
  tinyLatent: { resolution: 8, imageChannels: 4, channels: 16, channelMults: [1, 2], resBlocks: 1, attentionResolutions: [], groups: 4 },
  latent128: LATENT_UNET_32,
  latent256: LATENT_UNET_32,
} as const satisfies Record<DiffusionPresetName, UNetOptions>;

/** The latent presets' autoencoders: LDM's KL-f4 and KL-f8 layouts (ch_mult (1, 2, 4) and (1, 2, 4, 4)) at CPU widths. */
export const AUTOENCODER_PRESETS = {
  tinyLatent: { resolution: 32, channels: 8, channelMults: [1, 2, 2], resBlocks: 1, latentChannels: 4, groups: 4, klWeight: 1e-6 },
  latent128: { resolution: 128, channels: 16, channelMults: [1, 2, 4], resBlocks: 1, latentChannels: 4, groups: 8, klWeight: 1e-6 },
  latent256: { resolution: 256, channels: 16, channelMults: [1, 2, 4, 4], resBlocks: 1, latentChannels: 4, groups: 8, klWeight: 1e-6 },
} as const satisfies Partial<Record<DiffusionPresetName, AutoencoderOptions>>;

export type LatentPresetName = keyof typeof AUTOENCODER_PRESETS;

/** Whether a preset trains in latent space (an autoencoder first, then the UNet on its latents). */
export const isLatentPreset = (name: DiffusionPresetName): name is LatentPresetName => name in AUTOENCODER_PRESETS;

/** The side of the pictures a preset trains on and generates: the autoencoder's in latent space, the UNet's in pixel space. */
export const imageResolution = (name: DiffusionPresetName): number => (isLatentPreset(name) ? AUTOENCODER_PRESETS[name].resolution : DIFFUSION_PRESETS[name].resolution);

/** The downsampling factor f of an autoencoder: one halving per level after the first. */
export const downsamplingFactor = (options: Pick<AutoencoderOptions, 'channelMults'>): number => 2 ** (options.channelMults.length - 1);

/** The largest side the pixel-space UNet takes: above it the latent presets train on an autoencoder's latents (LDM). */
export const MAX_PIXEL_RESOLUTION = 64;
