/**
 * Network presets of the diffusion model's UNet (engine/diffusion/unet.ts), named as the GAN's
 * (engine/gan/presets.ts): `tiny` for tests, `shapes` for ShapesWorld at 32 px on a CPU,
 * `shapes64` for ShapesWorld at 64 px, `paper` a GPU-sized pixel-space UNet at 64 px (DDPM's
 * CIFAR-10 widths: 128 channels, ×(1, 2, 2, 2), two residual blocks a level, attention at 16
 * and 8). Measured parameter counts at 64-d conditions: presets.test.ts prints them.
 *
 * Pixel space only: 128 px and above need LDM's autoencoder latent space, which is not built
 * (refused with a message by `diffusionPreset`).
 */
export const DIFFUSION_PRESET_NAMES = ['tiny', 'shapes', 'shapes64', 'paper'] as const;
export type DiffusionPresetName = (typeof DIFFUSION_PRESET_NAMES)[number];

export interface UNetOptions {
  /** Image side in pixels (pixel space: 16 to 64). */
  resolution: number;
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

export const DIFFUSION_PRESETS = {
  tiny: { resolution: 16, channels: 16, channelMults: [1, 2], resBlocks: 1, attentionResolutions: [], groups: 4 },
  // ShapesWorld on a CPU: 32 → 16 → 8 px, attention at 8 (the lowest resolution).
  shapes: { resolution: 32, channels: 32, channelMults: [1, 2, 2], resBlocks: 1, attentionResolutions: [8], groups: 8 },
  // One more level for 64 px; the 64 px level keeps the base width, so it costs about what the 32 px level does.
  shapes64: { resolution: 64, channels: 32, channelMults: [1, 2, 2, 2], resBlocks: 1, attentionResolutions: [8], groups: 8 },
  paper: { resolution: 64, channels: 128, channelMults: [1, 2, 2, 2], resBlocks: 2, attentionResolutions: [16, 8], groups: 32 },
} as const satisfies Record<DiffusionPresetName, UNetOptions>;

/** The largest side the pixel-space UNet takes: above it LDM trains on an autoencoder's latents (not built here). */
export const MAX_PIXEL_RESOLUTION = 64;
