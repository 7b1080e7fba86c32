import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../main/contract/index.ts';
import { jobInputSchemas } from '../../../main/contract/index.ts';
import { installApiClient } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { demoGenerateInput, demoImportInput, joinPath, suggestedFolder, useShapesDemoStore } from './shapes-demo.ts';
import { fakeApi, settle } from './testing/fake-api.ts';
import { jobRecord } from './testing/job-record.ts';
import { useTrainingStore } from './training.ts';

describe('ShapesWorld demo dataset', () => {
  it('suggests the data folder’s pictures folder (the one an import takes inside it), with its own separator', () => {
    expect(suggestedFolder('/home/me/.config/Lafite Studio')).toBe('/home/me/.config/Lafite Studio/pictures/shapes-world');
    expect(suggestedFolder('/tmp/data/')).toBe('/tmp/data/pictures/shapes-world');
    expect(suggestedFolder('C:\\Users\\me\\Lafite')).toBe('C:\\Users\\me\\Lafite\\pictures\\shapes-world');
    expect(joinPath('/data/', 'x')).toBe('/data/x');
    expect(jobInputSchemas['shapes-generate'].safeParse(demoGenerateInput('/work/shapes')).success).toBe(true);
    expect(jobInputSchemas['dataset-import'].safeParse(demoImportInput('/work/shapes')).success).toBe(true);
    expect(demoImportInput('/work/shapes')).toEqual({ dataset: 'shapes', folder: '/work/shapes', imageSize: 64 });
  });

  describe('store', () => {
    let api: ReturnType<typeof fakeApi>;
    let datasets: { id: string }[];
    let jobs: number;

    beforeEach(() => {
      datasets = [];
      jobs = 0;
      api = fakeApi({
        'jobs.start': ({ kind, input }) => jobRecord({ id: `feed0000-000${++jobs}`, kind, status: 'queued', input }),
        'datasets.captions': () => ({}) as never,
        'datasets.list': () => datasets as never,
      });
      installApiClient(api.client);
      setActivePinia(createPinia());
      useJobsStore().listen();
    });

    it('draws, imports, attaches the captions, and lists the datasets again', async () => {
      const store = useShapesDemoStore();
      await store.make('/work/shapes');
      expect(store.stage).toBe('drawing');
      const drawing = store.job as JobRecord;
      expect(drawing.kind).toBe('shapes-generate');
      api.emit({ ...drawing, status: 'succeeded', attempts: 1 });
      await settle();
      expect(store.stage).toBe('importing');
      const importing = store.job as JobRecord;
      expect(importing.input).toEqual(demoImportInput('/work/shapes'));
      datasets = [{ id: 'shapes' }];
      api.emit({ ...importing, status: 'succeeded', attempts: 1 });
      await settle();
      expect(store.stage).toBe('done');
      expect(api.calls.find((call) => call.method === 'datasets.captions')?.input).toEqual({ dataset: 'shapes', file: '/work/shapes/metadata.jsonl' });
      expect(useTrainingStore().datasets.map((d) => d.id)).toEqual(['shapes']);
    });

    it('stops and says why when a job fails', async () => {
      const store = useShapesDemoStore();
      await store.make('/work/shapes');
      api.emit({ ...(store.job as JobRecord), status: 'failed', attempts: 1, error: { code: 'invalid_input', message: 'the folder is not empty' } });
      await settle();
      expect(store.stage).toBe('idle');
      expect(store.error?.message).toBe('the folder is not empty');
    });
  });
});
