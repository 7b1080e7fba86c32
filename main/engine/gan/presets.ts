/**
 * Network presets of the conditional StyleGAN2 (Lafite §3.2): `tiny` for tests, `shapes` for
 * the ShapesWorld demo on a CPU, `shapes64` for ShapesWorld at 64 px (shapes drawn large enough
 * to tell apart), `paper` for Lafite's 256 px model. Channels halve as the
 * resolution doubles, from `channelBase / resolution`, capped at `channelMax` (StyleGAN2).
 */
export type PresetName = 'tiny' | 'shapes' | 'shapes64' | 'paper';

/** How the text feature enters each layer's style (LAFITE_REFERENCE.md, Generator). */
export type ConditionForm =
  /** The paper: s = A(w), c = FC₂(h), u = A′([s, c]). */
  | 'paper'
  /** The official code: u = A([w, c]) with c = FC₂(h). */
  | 'official';

export interface NetworkOptions {
  /** Output side in pixels: a power of two from 16 to 256. */
  resolution: number;
  /** Latent z and intermediate w sizes. */
  zDim: number;
  wDim: number;
  /** Fully connected layers of the mapping network z → w. */
  mappingLayers: number;
  /** Channels at resolution r: min(channelMax, channelBase / r). */
  channelBase: number;
  channelMax: number;
  /** Width of each layer's text MLP FC₂ (the text feature's own size in the official code). */
  textHidden: number;
  condition: ConditionForm;
}

export const PRESETS = {
  tiny: { resolution: 16, zDim: 32, wDim: 32, mappingLayers: 2, channelBase: 512, channelMax: 32, textHidden: 32, condition: 'paper' },
  // Sized for a CPU: a training step of batch 8 took 6.7 s with 128 channels, 0.73 s with these (0.5M parameters).
  shapes: { resolution: 32, zDim: 64, wDim: 64, mappingLayers: 4, channelBase: 1024, channelMax: 48, textHidden: 64, condition: 'paper' },
  // `shapes` with one more block: 16 channels at 64 px (channelBase / 64), so the extra block costs about as much as the 32 px one.
  // ENVIRONMENT.md measured 6.5 images/s on wasm before the faster conv kernels; channelMax 64 there was 2.8 images/s.
  shapes64: { resolution: 64, zDim: 64, wDim: 64, mappingLayers: 4, channelBase: 1024, channelMax: 48, textHidden: 64, condition: 'paper' },
  paper: { resolution: 256, zDim: 512, wDim: 512, mappingLayers: 8, channelBase: 32768, channelMax: 512, textHidden: 512, condition: 'paper' },
} as const satisfies Record<PresetName, NetworkOptions>;

/** Channels at a resolution. */
export const channelsAt = (options: NetworkOptions, resolution: number): number => Math.min(options.channelMax, Math.floor(options.channelBase / resolution));

/** The resolutions of the synthesis blocks: 4, 8, …, options.resolution. */
export function blockResolutions(options: NetworkOptions): number[] {
  const log2 = Math.log2(options.resolution);
  if (!Number.isInteger(log2) || options.resolution < 16 || options.resolution > 256)
    throw new RangeError(`resolution must be a power of two from 16 to 256, got ${options.resolution}`);
  return Array.from({ length: log2 - 1 }, (_, i) => 4 * 2 ** i);
}
