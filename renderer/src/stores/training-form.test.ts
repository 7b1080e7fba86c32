import { describe, expect, it } from 'vitest';
import { jobInputSchemas } from '../../../main/contract/index.ts';
import { checkTrainForm, DEFAULT_TRAIN_FORM, fieldOfPath, PRESET_GUIDES, promptLines, trainInput, withPreset, type TrainForm } from './training-form.ts';

const form = (overrides: Partial<TrainForm> = {}): TrainForm => ({ ...DEFAULT_TRAIN_FORM, dataset: 'shapes', ...overrides });

describe('training form', () => {
  it('starts from the gan-train schema defaults (shapes preset, Gaussian features)', () => {
    const parsed = jobInputSchemas['gan-train'].parse({ dataset: 'shapes' });
    expect(jobInputSchemas['gan-train'].parse(trainInput(form()))).toEqual(parsed);
    expect(parsed).toMatchObject({ preset: 'shapes', pseudo: 'gaussian' });
    expect(checkTrainForm(form())).toEqual({});
  });

  it('fills in the schedule a preset suggests, and keeps the rest', () => {
    const tiny = withPreset(form({ seed: 7 }), 'tiny');
    expect(tiny).toMatchObject({ preset: 'tiny', seed: 7, ...PRESET_GUIDES.tiny.schedule });
    expect(PRESET_GUIDES.paper.resolution).toBe(256);
    for (const preset of ['tiny', 'shapes', 'shapes64', 'paper'] as const) expect(checkTrainForm(withPreset(form(), preset))).toEqual({});
  });

  it('sends the sample prompts one a line, the schedule only for retrieval or CLO, fine-tuning only when chosen', () => {
    expect(promptLines(' a red circle \n\n a blue square')).toEqual(['a red circle', 'a blue square']);
    const input = trainInput(form({ samplePrompts: 'a red circle\n\na blue square', schedule: true, init: 'abcdef12-3456' }));
    expect(input).toMatchObject({ samplePrompts: ['a red circle', 'a blue square'], init: 'abcdef12-3456' });
    expect(input).not.toHaveProperty('schedule'); // Gaussian: no schedule
    const retrieval = trainInput(form({ pseudo: 'retrieval', schedule: true, scheduleStart: 100, scheduleEnd: 500, scheduleShare: 0.8 }));
    expect(retrieval.schedule).toEqual({ kind: 'linear', startStep: 100, endStep: 500, finalShare: 0.8 });
    expect(jobInputSchemas['gan-train'].safeParse(retrieval).success).toBe(true);
    expect(trainInput(form({ pseudo: 'clo', schedule: true, scheduleShare: '' })).schedule).toEqual({ kind: 'linear', startStep: 0, endStep: 1000 });
    expect(trainInput(form())).not.toHaveProperty('samplePrompts');
    expect(trainInput(form())).not.toHaveProperty('init');
    expect(trainInput(form())).not.toHaveProperty('minutes'); // no time budget unless one is typed
    expect(trainInput(form({ minutes: 10 }))).toMatchObject({ minutes: 10 });
    expect(checkTrainForm(form({ minutes: 0 })).minutes).toBe('More than 0.');
  });

  it("refuses what the API's schema refuses, field by field, in words", () => {
    const problems = checkTrainForm(form({ dataset: '', steps: 0, batchSize: 1, learningRate: 0, seed: 1.5, xi: '', freezeD: 17 }));
    expect(problems).toEqual({
      dataset: 'Choose a dataset.',
      steps: 'At least 1.',
      batchSize: 'At least 2.',
      learningRate: 'More than 0.',
      seed: 'A whole number.',
      xi: 'Required.',
      freezeD: 'At most 16.',
    });
    const many = Array.from({ length: 17 }, (_, i) => `prompt ${i}`).join('\n');
    expect(checkTrainForm(form({ samplePrompts: many })).samplePrompts).toBe('At most 16 prompts.');
    expect(checkTrainForm(form({ samplePrompts: `ok\n${'x'.repeat(1001)}` })).samplePrompts).toBe('Prompt 2: At most 1,000 characters.');
    const schedule = checkTrainForm(form({ pseudo: 'retrieval', schedule: true, scheduleStart: 500, scheduleEnd: 100 }));
    expect(schedule).toEqual({ scheduleEnd: 'After the start step.' });
  });

  it("maps the API's field paths to the form's fields", () => {
    expect(fieldOfPath('input.steps')).toBe('steps');
    expect(fieldOfPath('input.schedule.endStep')).toBe('scheduleEnd');
    expect(fieldOfPath(['schedule', 'startStep'])).toBe('scheduleStart');
    expect(fieldOfPath(['samplePrompts', 3])).toBe('samplePrompts');
    expect(fieldOfPath('input.unknown')).toBeNull();
  });
});
