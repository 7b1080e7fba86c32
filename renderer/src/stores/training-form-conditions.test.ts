import { describe, expect, it } from 'vitest';
import { jobInputSchemas, type PseudoRunRecord } from '../../../main/contract/index.ts';
import { checkTrainForm, DEFAULT_TRAIN_FORM, retrievalRunsFor, trainInput, usesRetrievalRun, type TrainForm } from './training-form.ts';

const form = (overrides: Partial<TrainForm> = {}): TrainForm => ({ ...DEFAULT_TRAIN_FORM, dataset: 'shapes', ...overrides });
const pseudoRun = (id: string, fields: Partial<PseudoRunRecord> = {}): PseudoRunRecord => ({
  id,
  dataset: 'shapes',
  method: 'retrieval',
  model: 'shapes-clip',
  config: { m: 5 },
  stats: null,
  summary: null,
  complete: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('training form: the conditions of Lafite2 and Lafite_NN', () => {
  it('starts from the schema’s CLO defaults, the newest pseudo run and no network', () => {
    const parsed = jobInputSchemas['gan-train'].parse({ dataset: 'shapes' });
    expect(DEFAULT_TRAIN_FORM).toMatchObject({ cloSteps: parsed.cloSteps, cloStepSize: parsed.cloStepSize, cloTau: parsed.cloTau, cloInit: parsed.cloInit, pseudoRun: '', nn: '' });
  });

  it('sends the pseudo run with retrieval or CLO from retrieval, CLO’s options with CLO, the network with nn', () => {
    const retrieval = trainInput(form({ pseudo: 'retrieval', pseudoRun: 'aaaaaaaaaaaaaaaa', cloSteps: 3 }));
    expect(retrieval).toMatchObject({ pseudoRun: 'aaaaaaaaaaaaaaaa' });
    expect(retrieval).not.toHaveProperty('cloSteps');
    const clo = trainInput(form({ pseudo: 'clo', pseudoRun: 'aaaaaaaaaaaaaaaa', cloSteps: 3, cloStepSize: 0.2, cloTau: 0.5 }));
    expect(clo).toMatchObject({ pseudoRun: 'aaaaaaaaaaaaaaaa', cloSteps: 3, cloStepSize: 0.2, cloTau: 0.5, cloInit: 'retrieval' });
    expect(jobInputSchemas['gan-train'].safeParse(clo).success).toBe(true);
    const uniform = trainInput(form({ pseudo: 'clo', cloInit: 'uniform', pseudoRun: 'aaaaaaaaaaaaaaaa' }));
    expect(uniform).not.toHaveProperty('pseudoRun'); // uniform starts use no pseudo run
    expect(usesRetrievalRun(form({ pseudo: 'clo', cloInit: 'gaussian' }))).toBe(false);
    expect(trainInput(form({ pseudo: 'gaussian', pseudoRun: 'aaaaaaaaaaaaaaaa', nn: 'net' }))).not.toHaveProperty('pseudoRun');
    expect(trainInput(form({ pseudo: 'nn', nn: 'net' }))).toMatchObject({ pseudo: 'nn', nn: 'net' });
    expect(checkTrainForm(form({ pseudo: 'nn', nn: 'net' }))).toEqual({});
  });

  it('asks for a network with nn and for CLO’s numbers with CLO', () => {
    expect(checkTrainForm(form({ pseudo: 'nn' }))).toEqual({ nn: 'Choose a trained network (lafite pseudo train-nn).' });
    expect(checkTrainForm(form({ pseudo: 'clo', cloSteps: '', cloTau: 0 }))).toMatchObject({ cloSteps: 'Required.', cloTau: expect.any(String) });
  });

  it('offers the complete retrieval runs of the encoder only', () => {
    const runs = [pseudoRun('a'), pseudoRun('b', { method: 'gaussian' }), pseudoRun('c', { complete: false }), pseudoRun('d', { model: 'clip-vit-b32' }), pseudoRun('e')];
    expect(retrievalRunsFor(runs, 'shapes-clip').map((run) => run.id)).toEqual(['a', 'e']);
  });
});
