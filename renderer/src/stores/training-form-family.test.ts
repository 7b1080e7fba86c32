import { describe, expect, it } from 'vitest';
import { DIFFUSION_OWN_OPTIONS, diffusionJobSchemas, GAN_TRAIN_JOB_OPTIONS, jobInputSchemas } from '../../../main/contract/index.ts';
import { checkTrainForm, DEFAULT_TRAIN_FORM, presetGuide, presetGuides, presetOrder, trainInput, trainJobKind, withFamily, withPreset, type TrainForm } from './training-form.ts';

const form = (overrides: Partial<TrainForm> = {}): TrainForm => ({ ...DEFAULT_TRAIN_FORM, dataset: 'shapes', ...overrides });
const diffusion = (overrides: Partial<TrainForm> = {}): TrainForm => ({ ...withFamily(form(), 'diffusion'), ...overrides });

describe('the training form’s model family (issue 16)', () => {
  it('starts as a GAN with the diffusion options at their option table’s defaults', () => {
    expect(DEFAULT_TRAIN_FORM.family).toBe('gan');
    for (const field of ['condDrop', 'ema', 'noiseSchedule', 'timesteps', 'sampleSteps', 'sampleGuidance'] as const) {
      expect(DEFAULT_TRAIN_FORM[field], field).toBe(DIFFUSION_OWN_OPTIONS[field].default);
    }
  });

  it('switches the learning rate to the family’s default unless the user changed it', () => {
    expect(diffusion().learningRate).toBe(DIFFUSION_OWN_OPTIONS.learningRate.default);
    expect(withFamily(diffusion(), 'gan').learningRate).toBe(GAN_TRAIN_JOB_OPTIONS.learningRate.default);
    expect(withFamily(form({ learningRate: 0.01 }), 'diffusion').learningRate).toBe(0.01);
  });

  it('sends a diffusion-train input its schema takes, without the GAN’s own fields', () => {
    const input = trainInput(withPreset(diffusion({ condDrop: 0.2, timesteps: 100, sampleSteps: 5, sampleGuidance: 2, noiseSchedule: 'linear' }), 'tiny'));
    expect(trainJobKind(diffusion())).toBe('diffusion-train');
    expect(input).not.toHaveProperty('conG');
    expect(input).not.toHaveProperty('freezeD');
    const parsed = diffusionJobSchemas['diffusion-train'].parse(input);
    expect(parsed).toMatchObject({ preset: 'tiny', condDrop: 0.2, timesteps: 100, sampleSteps: 5, sampleGuidance: 2, noiseSchedule: 'linear', learningRate: 0.0005 });
    expect(jobInputSchemas['diffusion-train'].safeParse(input).success).toBe(true);
  });

  it('sends the GAN’s input without the diffusion fields', () => {
    const input = trainInput(form());
    expect(trainJobKind(form())).toBe('gan-train');
    for (const field of ['condDrop', 'ema', 'noiseSchedule', 'timesteps', 'sampleSteps', 'sampleGuidance']) expect(input).not.toHaveProperty(field);
    expect(jobInputSchemas['gan-train'].safeParse(input).success).toBe(true);
  });

  it('checks a diffusion form by the diffusion schema', () => {
    expect(checkTrainForm(diffusion())).toEqual({});
    expect(checkTrainForm(diffusion({ condDrop: 1.5 }))).toEqual({ condDrop: 'At most 1.' });
    expect(checkTrainForm(diffusion({ timesteps: '' }))).toMatchObject({ timesteps: 'Required.' });
    expect(checkTrainForm(diffusion({ timesteps: 20, sampleSteps: 50 }))).toEqual({ sampleSteps: '--sample-steps can be at most --timesteps.' });
    expect(checkTrainForm(form({ condDrop: 1.5 }))).toEqual({}); // a GAN form does not send it
  });

  it('shows each family’s preset sizes', () => {
    expect(presetGuide('gan', 'paper').resolution).toBe(256);
    expect(presetGuide('diffusion', 'paper').resolution).toBe(64);
    expect(presetGuide('diffusion', 'tiny').resolution).toBe(16);
    expect(presetGuide('diffusion', 'latent128').resolution).toBe(128);
    expect(presetGuide('diffusion', 'latent256').resolution).toBe(256);
  });

  it('offers the latent presets to the diffusion model only, with the autoencoder phase’s options', () => {
    expect(presetOrder('diffusion')).toEqual(DIFFUSION_OWN_OPTIONS.preset.choices);
    expect(presetOrder('gan')).toEqual(GAN_TRAIN_JOB_OPTIONS.preset.choices);
    expect(presetGuides('gan').latent128).toBeUndefined();
    const latent = withPreset(diffusion(), 'latent128');
    const input = trainInput({ ...latent, autoencoderSteps: 300 });
    expect(diffusionJobSchemas['diffusion-train'].parse(input)).toMatchObject({
      preset: 'latent128',
      autoencoderSteps: 300,
      autoencoderLr: DIFFUSION_OWN_OPTIONS.autoencoderLr.default,
    });
    expect(trainInput(diffusion())).not.toHaveProperty('autoencoderSteps'); // pixel space has no autoencoder
    expect(checkTrainForm({ ...latent, autoencoderSteps: '' })).toMatchObject({ autoencoderSteps: 'Required.' });
    expect(withFamily(latent, 'gan')).toMatchObject({ family: 'gan', preset: 'shapes' }); // the GAN has no latent preset
  });
});
