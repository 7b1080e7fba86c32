import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EvaluationRecord, JobRecord } from '../../../main/contract/index.ts';
import { installApiClient } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { useRunsStore } from './runs.ts';
import { fakeApi, settle } from './testing/fake-api.ts';
import { jobRecord } from './testing/job-record.ts';
import { evaluation, runSummary } from './testing/run-records.ts';

const RUN = 'aaaa0000-0001';
const JOB = 'eeee0000-0001';

describe('runs store', () => {
  let evaluations: EvaluationRecord[];
  let job: JobRecord;
  let api: ReturnType<typeof fakeApi>;
  let store: ReturnType<typeof useRunsStore>;

  beforeEach(async () => {
    evaluations = [evaluation(RUN, 4, 1, { fdClip: 2, clipScore: 20 })];
    job = jobRecord({ id: JOB, kind: 'gan-eval', status: 'queued', input: { run: RUN, n: 20, seed: 0 } });
    api = fakeApi({
      'runs.list': () => [runSummary(RUN)],
      'runs.evaluations': () => evaluations,
      'jobs.list': () => [],
      'jobs.get': () => job,
      'jobs.start': () => job,
    });
    setActivePinia(createPinia());
    installApiClient(api.client);
    useJobsStore().listen();
    store = useRunsStore();
    await store.load();
  });

  it('lists runs with their latest figures, and plots the selected ones', () => {
    expect(store.rows.map((row) => [row.run.id, row.figures.fdClip])).toEqual([[RUN, 2]]);
    expect(store.selectedIds).toEqual([]);
    store.toggle(RUN);
    expect(store.selectedIds).toEqual([RUN]);
    store.toggle(RUN);
    expect(store.selectedIds).toEqual([]);
  });

  it('evaluates a run as a gan-eval job, is busy until the job ends, then reads the evaluations again', async () => {
    store.setImages(RUN, 20);
    expect(await store.evaluate(RUN, store.imagesOf(RUN))).toBe(true);
    expect(api.calls.find((call) => call.method === 'jobs.start')?.input).toEqual({ kind: 'gan-eval', input: { run: RUN, n: 20, seed: 0 } });
    expect(store.isEvaluating(RUN)).toBe(true);

    api.emit((job = { ...job, status: 'running', progress: { fraction: 0.5, message: 'generated and encoded 10 of 20 images' } }));
    await settle();
    expect(store.evalJobs[RUN]?.progress?.fraction).toBe(0.5);
    expect(store.isEvaluating(RUN)).toBe(true);

    evaluations = [...evaluations, evaluation(RUN, 8, 2, { fdClip: 1, clipScore: 22 })];
    api.emit((job = { ...job, status: 'succeeded', progress: null }));
    await settle();
    expect(store.isEvaluating(RUN)).toBe(false);
    expect(store.rows[0]!.evaluations).toBe(2);
    expect(store.rows[0]!.figures.fdClip).toBe(1);
  });

  it('evaluates on the typed prompts, one a line, instead of the captions', async () => {
    store.evalPrompts = ' a picture of three yellow hearts \n\ntwo stars, both blue\n';
    expect(await store.evaluate(RUN, 20)).toBe(true);
    expect(api.calls.find((call) => call.method === 'jobs.start')?.input).toEqual({
      kind: 'gan-eval',
      input: { run: RUN, n: 20, seed: 0, prompts: ['a picture of three yellow hearts', 'two stars, both blue'] },
    });
  });

  it('keeps a refused start in its error', async () => {
    api = fakeApi({ 'runs.list': () => [runSummary(RUN)], 'runs.evaluations': () => evaluations }); // no jobs.start: the call fails
    setActivePinia(createPinia());
    installApiClient(api.client);
    store = useRunsStore();
    expect(await store.evaluate(RUN, 20)).toBe(false);
    expect(store.error).not.toBeNull();
    expect(store.isEvaluating(RUN)).toBe(false);
  });
});
