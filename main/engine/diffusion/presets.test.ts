import { describe, expect, it } from 'vitest';
import { DIFFUSION_PRESETS as CONTRACT_PRESETS } from '../../contract/diffusion.ts';
import { AUTOENCODER_PRESETS, DIFFUSION_PRESET_NAMES, DIFFUSION_PRESETS, downsamplingFactor, imageResolution, isLatentPreset, MAX_PIXEL_RESOLUTION } from './presets.ts';

describe('the diffusion presets', () => {
  it('are the ones the API offers, by the same names', () => {
    expect([...CONTRACT_PRESETS]).toEqual([...DIFFUSION_PRESET_NAMES]);
    expect(Object.keys(DIFFUSION_PRESETS)).toEqual([...DIFFUSION_PRESET_NAMES]);
  });

  it('run the UNet on pixels up to 64 px and on an autoencoder’s latents above (LDM)', () => {
    for (const name of DIFFUSION_PRESET_NAMES) {
      const unet = DIFFUSION_PRESETS[name];
      if (!isLatentPreset(name)) {
        expect(unet.resolution, name).toBeLessThanOrEqual(MAX_PIXEL_RESOLUTION);
        expect(imageResolution(name)).toBe(unet.resolution);
        continue;
      }
      const autoencoder = AUTOENCODER_PRESETS[name];
      expect(unet, name).toMatchObject({ resolution: autoencoder.resolution / downsamplingFactor(autoencoder), imageChannels: autoencoder.latentChannels });
      expect(imageResolution(name)).toBe(autoencoder.resolution);
    }
    expect([imageResolution('latent128'), imageResolution('latent256')]).toEqual([128, 256]);
    expect([downsamplingFactor(AUTOENCODER_PRESETS.latent128), downsamplingFactor(AUTOENCODER_PRESETS.latent256)]).toEqual([4, 8]);
  });
});
