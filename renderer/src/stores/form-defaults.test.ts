import { describe, expect, it } from 'vitest';
import {
  DATASET_IMPORT_OPTIONS,
  DIFFUSION_TRAIN_JOB_OPTIONS,
  GAN_GENERATE_OPTIONS,
  GAN_TRAIN_JOB_OPTIONS,
  PSEUDO_SYNTH_OPTIONS,
  optionDefaults,
  type OptionTable,
} from '../../../main/contract/index.ts';
import { DEFAULT_IMPORT_SIZES } from './datasets-import.ts';
import { DEFAULT_PLAY_FORM } from './playground-form.ts';
import { DEFAULT_SYNTH_FORM } from './pseudo-form.ts';
import { DEFAULT_SAMPLING_FORM } from './sampling-form.ts';
import { DEFAULT_TRAIN_FORM, withFamily } from './training-form.ts';

/** Each form field that has a default in the job's option table starts from it. */
function expectTableDefaults(form: object, table: OptionTable, fields: readonly string[]): void {
  const defaults = optionDefaults(table);
  for (const field of fields) expect((form as Record<string, unknown>)[field], field).toEqual(defaults[field]);
}

describe('the forms start from the option tables’ defaults', () => {
  it('training (gan-train)', () => {
    const fields = Object.keys(optionDefaults(GAN_TRAIN_JOB_OPTIONS)).filter((field) => field in DEFAULT_TRAIN_FORM);
    expect(fields.length).toBeGreaterThan(15);
    expectTableDefaults(DEFAULT_TRAIN_FORM, GAN_TRAIN_JOB_OPTIONS, fields);
  });
  it('training (diffusion-train)', () => {
    const form = withFamily(DEFAULT_TRAIN_FORM, 'diffusion');
    const fields = Object.keys(optionDefaults(DIFFUSION_TRAIN_JOB_OPTIONS)).filter((field) => field in form);
    expect(fields).toEqual(expect.arrayContaining(['learningRate', 'condDrop', 'ema', 'noiseSchedule', 'timesteps', 'sampleSteps', 'sampleGuidance']));
    expectTableDefaults(form, DIFFUSION_TRAIN_JOB_OPTIONS, fields);
  });
  it('pseudo-feature synthesis (pseudo-synth)', () => {
    const fields = Object.keys(optionDefaults(PSEUDO_SYNTH_OPTIONS));
    expectTableDefaults(DEFAULT_SYNTH_FORM, PSEUDO_SYNTH_OPTIONS, fields); // every default of the table is a field of the form
  });
  it('Playground (gan-generate, with a diffusion run’s sampling)', () => {
    expectTableDefaults({ ...DEFAULT_PLAY_FORM, ...DEFAULT_SAMPLING_FORM }, GAN_GENERATE_OPTIONS, Object.keys(optionDefaults(GAN_GENERATE_OPTIONS)));
  });
  it('dataset import (dataset-import)', () => {
    expectTableDefaults(DEFAULT_IMPORT_SIZES, DATASET_IMPORT_OPTIONS, Object.keys(optionDefaults(DATASET_IMPORT_OPTIONS)));
  });
});
