import { describe, expect, it } from 'vitest';
import { DIFFUSION_SAMPLING_OPTIONS, trainingJobSchemas } from '../../../main/contract/index.ts';
import { DEFAULT_PLAY_FORM, generateInput } from './playground-form.ts';
import { checkSamplingForm, DEFAULT_SAMPLING_FORM, isDiffusionRun, samplingInput, samplingLine } from './sampling-form.ts';

describe('the Playground’s diffusion sampling (issue 16)', () => {
  it('starts from the option table’s defaults', () => {
    for (const field of ['steps', 'sampler', 'eta', 'guidance'] as const) expect(DEFAULT_SAMPLING_FORM[field], field).toBe(DIFFUSION_SAMPLING_OPTIONS[field].default);
  });

  it('sends the fields gan-generate takes, η only for DDIM', () => {
    const input = { ...generateInput('run', { ...DEFAULT_PLAY_FORM, prompt: 'a red circle' }), ...samplingInput({ ...DEFAULT_SAMPLING_FORM, steps: 10, guidance: 5 }) };
    expect(trainingJobSchemas['gan-generate'].parse(input)).toMatchObject({ steps: 10, sampler: 'ddim', eta: 0, guidance: 5 });
    expect(samplingInput({ ...DEFAULT_SAMPLING_FORM, sampler: 'ddpm' })).not.toHaveProperty('eta');
  });

  it('refuses what the schema refuses, and steps past the run’s T', () => {
    expect(checkSamplingForm(DEFAULT_SAMPLING_FORM)).toEqual({});
    expect(checkSamplingForm({ ...DEFAULT_SAMPLING_FORM, steps: 0, guidance: 31 })).toEqual({ steps: 'At least 1.', guidance: 'At most 30.' });
    expect(checkSamplingForm({ ...DEFAULT_SAMPLING_FORM, steps: 2.5 })).toEqual({ steps: 'A whole number.' });
    expect(checkSamplingForm({ ...DEFAULT_SAMPLING_FORM, eta: '' })).toEqual({ eta: 'Required.' });
    expect(checkSamplingForm({ ...DEFAULT_SAMPLING_FORM, steps: 200 }, 100)).toEqual({ steps: 'At most 100 (the run’s T).' });
  });

  it('tells a diffusion run from a GAN run, and puts the sampling in a line', () => {
    expect(isDiffusionRun({ family: 'diffusion' })).toBe(true);
    expect(isDiffusionRun({ family: 'gan' })).toBe(false);
    expect(isDiffusionRun(null)).toBe(false);
    expect(samplingLine({ sampler: 'ddim', steps: 25, eta: 0, guidance: 3 })).toBe('DDIM 25 steps · η 0 · guidance 3');
    expect(samplingLine({ sampler: 'ddpm', steps: 100, eta: 0, guidance: 1 })).toBe('DDPM 100 steps · guidance 1');
  });
});
