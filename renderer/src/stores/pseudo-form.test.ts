import { describe, expect, it } from 'vitest';
import type { VocabularySetRecord } from '../../../main/contract/index.ts';
import { jobInputSchemas } from '../../../main/contract/index.ts';
import { checkSynthForm, DEFAULT_SYNTH_FORM, networksFor, optionGroups, synthInput, vocabularyOptions, type PerturbationNetwork, type SynthForm } from './pseudo-form.ts';

describe('pseudo synthesis form', () => {
  it('starts from the pseudo-synth schema defaults', () => {
    const parsed = jobInputSchemas['pseudo-synth'].parse({ dataset: 'shapes' });
    const { templates, threshold, xi, nn, ...rest } = DEFAULT_SYNTH_FORM;
    expect([templates, threshold, xi, nn]).toEqual(['', '', '', '']);
    expect(parsed).toEqual({ dataset: 'shapes', ...rest });
    expect(jobInputSchemas['pseudo-synth'].safeParse(synthInput('shapes', { ...DEFAULT_SYNTH_FORM })).success).toBe(true);
  });

  it('sends only the options of the methods it runs, leaving empty optional fields out', () => {
    expect(optionGroups({ method: 'clo', cloInit: 'uniform' })).toEqual({ retrieval: false, gaussian: false, clo: true, nn: false });
    expect(optionGroups({ method: 'clo', cloInit: 'gaussian' })).toEqual({ retrieval: false, gaussian: true, clo: true, nn: false });
    expect(optionGroups({ method: 'nn', cloInit: 'retrieval' })).toEqual({ retrieval: false, gaussian: false, clo: false, nn: true });
    expect(synthInput('cats', { ...DEFAULT_SYNTH_FORM, method: 'gaussian', xi: 0.5, form: 'official' })).toEqual({
      dataset: 'cats',
      model: 'shapes-clip',
      method: 'gaussian',
      seed: 0,
      form: 'official',
      xi: 0.5,
    });
    const retrieval = synthInput('cats', { ...DEFAULT_SYNTH_FORM, method: 'retrieval', mode: 'full', threshold: 0.2, templates: 'photos', vocabulary: 'birds' });
    expect(retrieval).toEqual({
      dataset: 'cats',
      model: 'shapes-clip',
      method: 'retrieval',
      seed: 0,
      vocabulary: 'birds',
      templates: 'photos',
      k: 5,
      m: 5,
      mode: 'full',
      threshold: 0.2,
      refineSteps: 0,
    });
    expect(jobInputSchemas['pseudo-synth'].safeParse(retrieval).success).toBe(true);
    // NN: the network alone; with `all`, only when one is chosen.
    const nn = synthInput('cats', { ...DEFAULT_SYNTH_FORM, method: 'nn', nn: 'shapes-nn' });
    expect(nn).toEqual({ dataset: 'cats', model: 'shapes-clip', method: 'nn', seed: 0, nn: 'shapes-nn' });
    expect(jobInputSchemas['pseudo-synth'].safeParse(nn).success).toBe(true);
    expect(synthInput('cats', { ...DEFAULT_SYNTH_FORM, nn: 'shapes-nn' }).nn).toBe('shapes-nn');
    expect(synthInput('cats', { ...DEFAULT_SYNTH_FORM, method: 'gaussian', nn: 'shapes-nn' })).not.toHaveProperty('nn');
    expect(synthInput('cats', { ...DEFAULT_SYNTH_FORM })).not.toHaveProperty('nn');
  });

  it('checks the form field by field, only in the groups it uses', () => {
    expect(checkSynthForm({ ...DEFAULT_SYNTH_FORM })).toEqual({});
    const bad: SynthForm = { ...DEFAULT_SYNTH_FORM, k: 0, m: 2.5, keepCore: '', threshold: 1.5, xi: -1, cloSteps: 2000, cloStepSize: -1, cloTau: 0, cloBatch: 1, seed: -1 };
    expect(Object.keys(checkSynthForm(bad)).sort()).toEqual(['cloBatch', 'cloStepSize', 'cloSteps', 'cloTau', 'k', 'keepCore', 'm', 'seed', 'threshold', 'xi']);
    expect(Object.keys(checkSynthForm({ ...bad, method: 'gaussian' })).sort()).toEqual(['seed', 'xi']);
    expect(checkSynthForm({ ...DEFAULT_SYNTH_FORM, form: 'official', xi: 2 }).xi).toMatch(/0 to 1/);
    expect(checkSynthForm({ ...DEFAULT_SYNTH_FORM, mode: 'full', keepCore: '' })).toEqual({});
    expect(checkSynthForm({ ...DEFAULT_SYNTH_FORM, refineSteps: 21 }).refineSteps).toMatch(/0 to 20/);
    expect(Object.keys(checkSynthForm({ ...DEFAULT_SYNTH_FORM, method: 'nn' }))).toEqual(['nn']);
    expect(checkSynthForm({ ...DEFAULT_SYNTH_FORM, method: 'nn', nn: 'shapes-nn' })).toEqual({});
  });

  it('offers the vocabulary sets with the saved ones marked, and the networks of the chosen encoder', () => {
    const set = (id: string, source: VocabularySetRecord['source']): VocabularySetRecord => ({
      id,
      description: '',
      source,
      hasDefault: source === 'default',
      vocabularies: [],
      templates: [],
    });
    const sets = [set('birds', 'default'), set('shapes', 'saved'), set('mine', 'saved')];
    expect(vocabularyOptions(sets, 'shapes')).toEqual([
      { id: 'birds', label: 'birds' },
      { id: 'shapes', label: 'shapes (saved)' },
      { id: 'mine', label: 'mine (saved)' },
    ]);
    expect(vocabularyOptions(sets, 'gone').map((option) => option.id)).toEqual(['gone', 'birds', 'shapes', 'mine']);
    expect(vocabularyOptions(sets, '')).toHaveLength(3);
    const network = (name: string, model: string): PerturbationNetwork => ({ name, model, dim: 64, hidden: 16, steps: 10, meanCosine: 0.5, pairs: 40 });
    expect(networksFor([network('a', 'shapes-clip'), network('b', 'clip-vit-b32')], 'shapes-clip').map((n) => n.name)).toEqual(['a']);
  });
});
