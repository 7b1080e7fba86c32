import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GenerationRecord, JobRecord, RunSummary } from '../../../main/contract/index.ts';
import { installApiClient } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { DEFAULT_PLAY_FORM, generateInput } from './playground-form.ts';
import { usePlaygroundStore } from './playground.ts';
import { fakeApi, settle } from './testing/fake-api.ts';
import { jobRecord } from './testing/job-record.ts';

const run = (id: string, hasCheckpoint: boolean): RunSummary => ({
  id,
  status: 'succeeded',
  family: 'gan',
  dataset: 'shapes',
  model: 'shapes-clip',
  preset: 'tiny',
  pseudo: 'gaussian',
  steps: 12,
  step: 12,
  backend: 'wasm',
  device: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  last: null,
  samples: 3,
  hasCheckpoint,
  init: null,
  pseudoRun: null,
  nn: null,
});

const generation = (id: string, prompt: string): GenerationRecord => ({
  id,
  run: 'aaaa0000-0001',
  status: 'succeeded',
  prompt,
  image: null,
  mix: 0.5,
  n: 2,
  seed: 0,
  truncation: 1,
  step: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  error: null,
});

describe('playground store', () => {
  let history: GenerationRecord[];
  let api: ReturnType<typeof fakeApi>;

  beforeEach(() => {
    history = [generation('cafe0000-0001', 'a blue square')];
    api = fakeApi({
      'runs.list': () => [run('bbbb0000-0001', false), run('aaaa0000-0001', true)],
      'jobs.list': () => [],
      'runs.generations': () => [...history],
      'runs.generated': ({ id }) => ({ id, images: [{ name: 'seed0-0.png', png: id }] }),
      'jobs.start': ({ input }) => jobRecord({ id: 'feed0000-0002', kind: 'gan-generate', status: 'queued', input }),
    });
    installApiClient(api.client);
    setActivePinia(createPinia());
    useJobsStore().listen();
  });

  it('chooses the newest run that can draw, generates, shows the images, and shows an older generation again', async () => {
    const store = usePlaygroundStore();
    await store.load('bbbb0000-0001'); // no checkpoint: not a choice
    await settle();
    expect(store.usableRuns.map((r) => r.id)).toEqual(['aaaa0000-0001']);
    expect(store.runId).toBe('aaaa0000-0001');
    expect(store.generations.map((g) => g.prompt)).toEqual(['a blue square']);
    expect(store.shownId).toBe('cafe0000-0001'); // the run's latest images, shown at once

    const input = generateInput('aaaa0000-0001', { ...DEFAULT_PLAY_FORM, prompt: 'a red circle', n: 2 });
    const job = (await store.generate(input)) as JobRecord;
    expect(api.calls.find((call) => call.method === 'jobs.start')?.input).toEqual({ kind: 'gan-generate', input });
    expect(store.busy).toBe(true);

    history.unshift(generation(job.id, 'a red circle'));
    api.emit({ ...job, status: 'succeeded', attempts: 1 });
    await settle();
    expect(store.busy).toBe(false);
    expect(store.shownId).toBe(job.id);
    expect(store.shownImages).toEqual([{ name: 'seed0-0.png', url: `data:image/png;base64,${job.id}` }]);
    expect(store.generations.map((g) => g.prompt)).toEqual(['a red circle', 'a blue square']);

    await store.showGeneration('cafe0000-0001');
    expect(store.shown?.prompt).toBe('a blue square');
    await store.showGeneration(job.id); // cached: not read again
    expect(api.calls.filter((call) => call.method === 'runs.generated').length).toBe(2);
  });

  it('says why a generation failed', async () => {
    const store = usePlaygroundStore();
    await store.load();
    const job = (await store.generate(generateInput('aaaa0000-0001', { ...DEFAULT_PLAY_FORM, prompt: 'x' }))) as JobRecord;
    api.emit({ ...job, status: 'failed', attempts: 1, error: { code: 'invalid_input', message: 'cannot read the image' } });
    await settle();
    expect(store.generateError?.message).toBe('cannot read the image');
    expect(store.shownId).toBe('cafe0000-0001'); // the earlier images stay
  });
});
