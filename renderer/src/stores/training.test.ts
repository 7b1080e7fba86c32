import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord, RunDetail } from '../../../main/contract/index.ts';
import { installApiClient } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { fakeApi, settle } from './testing/fake-api.ts';
import { jobRecord } from './testing/job-record.ts';
import { DEFAULT_TRAIN_FORM, trainInput, withPreset } from './training-form.ts';
import { useTrainingStore } from './training.ts';

const RUN = 'feed0000-0001';
const losses = (step: number) => ({ dLoss: 1 / step, gLoss: step, conDReal: 0.5, conDFake: 0.6, conG: 0, imagesPerSecond: 40 });

describe('training store', () => {
  /** What the fake engine has recorded: the steps `runs.get` returns, and its sample steps. */
  let recorded: number[];
  let samples: number[];
  let job: JobRecord;
  let api: ReturnType<typeof fakeApi>;
  let store: ReturnType<typeof useTrainingStore>;

  const detail = (): RunDetail => ({
    id: RUN,
    status: job.status,
    family: 'gan',
    dataset: 'shapes',
    model: 'shapes-clip',
    preset: 'tiny',
    pseudo: 'gaussian',
    steps: 12,
    step: recorded.at(-1) ?? 0,
    backend: 'wasm',
    device: null,
    createdAt: job.createdAt,
    finishedAt: null,
    last: null,
    samples: samples.length,
    hasCheckpoint: samples.length > 0,
    init: null,
    pseudoRun: null,
    nn: null,
    config: { sampleEvery: 4 },
    gParams: 1,
    dParams: 1,
    images: 24,
    attempts: [],
    metrics: recorded.map((step) => ({ step, metrics: losses(step) })),
    sampleSteps: [...samples],
    snapshotSteps: [...samples],
    sampleLabels: ['00000.png'],
    progress: null,
    error: null,
  });
  const progress = (step: number) => ({ fraction: step / 12, message: `step ${step} of 12`, step, total: 12, metrics: losses(step) });

  beforeEach(() => {
    recorded = [];
    samples = [];
    job = jobRecord({ id: RUN, kind: 'gan-train', status: 'queued' });
    api = fakeApi({
      'datasets.list': () => [],
      'runs.list': () => [],
      'jobs.list': () => [job],
      'jobs.get': () => job,
      'jobs.start': ({ input }) => (job = jobRecord({ ...job, input })),
      'jobs.pause': () => job,
      'runs.get': () => detail(),
      'runs.sample': ({ step }) => ({ step, png: `png${step}`, labels: ['00000.png'] }),
    });
    installApiClient(api.client);
    setActivePinia(createPinia());
    useJobsStore().listen();
    store = useTrainingStore();
  });

  afterEach(() => store.closeRun());

  it('starts a gan-train job with the form’s input', async () => {
    await store.load();
    const input = trainInput(withPreset({ ...DEFAULT_TRAIN_FORM, dataset: 'shapes' }, 'tiny'));
    expect((await store.start(input))?.id).toBe(RUN);
    expect(api.calls.find((call) => call.method === 'jobs.start')?.input).toEqual({ kind: 'gan-train', input });
  });

  it('plots each step as it arrives, and reads the run again when a sample grid is due', async () => {
    await store.openRun(RUN);
    const reads = () => api.calls.filter((call) => call.method === 'runs.get').length;
    expect(reads()).toBe(1);
    for (const step of [1, 2, 3]) {
      recorded.push(step);
      job = { ...job, status: 'running', attempts: 1, progress: progress(step) };
      api.emit(job);
      await settle();
    }
    // The attempt changed with the first step (queued → running): one more read; then none until the grid.
    expect(reads()).toBe(2);
    expect(store.points.map((point) => point.step)).toEqual([1, 2, 3]);
    expect(store.liveState).toMatchObject({ status: 'running', step: 3, imagesPerSecond: 40 });

    recorded.push(4);
    samples.push(4);
    job = { ...job, progress: progress(4) };
    api.emit(job);
    await settle();
    expect(reads()).toBe(3);
    expect(store.detail?.sampleSteps).toEqual([4]);
    expect(store.points.map((point) => point.step)).toEqual([1, 2, 3, 4]);
    expect((await store.loadSample(4))?.url).toBe('data:image/png;base64,png4');
    expect(store.samples.get(4)?.labels).toEqual(['00000.png']);

    // Pause: the job stops, the page reads the run again and offers Resume.
    await store.pause();
    job = { ...job, status: 'paused' };
    api.emit(job);
    await settle();
    expect(api.calls.some((call) => call.method === 'jobs.pause')).toBe(true);
    expect(store.liveState?.status).toBe('paused');
    expect(store.detail?.status).toBe('paused');
  });
});
