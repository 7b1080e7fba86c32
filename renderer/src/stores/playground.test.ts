import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GalleryItem, GenerationRecord, JobRecord, PngSettings, RunDetail, RunSummary } from '../../../main/contract/index.ts';
import { installApiClient } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { DEFAULT_PLAY_FORM, generateInput, settingsForm } from './playground-form.ts';
import { usePlaygroundStore } from './playground.ts';
import { DEFAULT_SAMPLING_FORM, samplingFormOf } from './sampling-form.ts';
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
  sampling: null,
  step: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  error: null,
});

/** A diffusion picture's settings, as its PNG carries them. */
const PNG: PngSettings = {
  format: 1,
  software: 'Lafite Studio',
  run: 'aaaa0000-0001',
  step: 12,
  family: 'diffusion',
  model: 'shapes-clip',
  dataset: 'shapes',
  preset: 'tiny',
  prompt: 'a green star',
  image: null,
  mix: 0.5,
  seed: 4,
  n: 2,
  index: 1,
  truncation: 1,
  sampling: { sampler: 'ddpm', steps: 12, eta: 0, guidance: 4.5 },
  size: 16,
  generation: 'cafe0000-0009',
  createdAt: '2026-01-01T00:00:00.000Z',
};

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
      'runs.get': () => ({ snapshotSteps: [] }) as unknown as RunDetail,
      'gallery.pngSettings': ({ png }) => ({ settings: png === 'gan' ? { ...PNG, family: 'gan', sampling: null } : PNG, text: {}, reason: null }),
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

  it("restores a diffusion picture's sampling from its PNG, and a GAN picture leaves the sampling as it was", async () => {
    const store = usePlaygroundStore();
    await store.load();
    await store.restoreFromPng('seed4-1.png', 'diffusion');
    expect(store.sampling).toEqual({ sampler: 'ddpm', steps: 12, eta: 0, guidance: 4.5 });
    expect(store.form).toMatchObject({ prompt: 'a green star', seed: 4, n: 2 });
    expect(store.restored?.message).toBe('Restored from seed4-1.png: run aaaa0000-0001, step 12, seed 4, DDPM 12 steps · guidance 4.5.');
    store.sampling = { ...DEFAULT_SAMPLING_FORM };
    await store.restoreFromPng('gan.png', 'gan');
    expect(store.sampling).toEqual(DEFAULT_SAMPLING_FORM);
  });

  it("fills the sampling from a gallery picture's Use settings (the gallery store's call)", async () => {
    await usePlaygroundStore().load();
    const item: GalleryItem = {
      generation: 'cafe0000-0009',
      run: 'aaaa0000-0001',
      step: 12,
      prompt: 'a green star',
      image: null,
      mix: 0.5,
      seed: 4,
      n: 2,
      index: 1,
      truncation: 1,
      sampling: { sampler: 'ddim', steps: 7, eta: 0.25, guidance: 2 },
      name: 'seed4-1.png',
      createdAt: '2026-01-01T00:00:00.000Z',
      status: 'succeeded',
    };
    usePlaygroundStore().useSettings(item.run, settingsForm(item), samplingFormOf(item.sampling));
    expect(usePlaygroundStore().sampling).toEqual({ sampler: 'ddim', steps: 7, eta: 0.25, guidance: 2 });
    expect(usePlaygroundStore().form).toMatchObject({ prompt: 'a green star', seed: 4, n: 2 });
  });
});
