/** The dataset methods through the service, as every adapter reaches them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solid } from '../../tests/helpers/images.ts';
import { tempDir } from '../../tests/helpers/temp.ts';
import type { DatasetImportResult, JobRecord } from '../contract/index.ts';
import { openService, type Service } from './service.ts';

const dir = tempDir();
let service: Service;
const folder = join(dir.path, 'pictures');

/** Resolves with a job's record once it has ended. */
function ended(id: string): Promise<JobRecord> {
  return new Promise((resolve) => {
    const stop = service.subscribe(({ job }) => {
      if (job.id !== id || job.status === 'running' || job.status === 'queued') return;
      stop();
      resolve(job);
    });
  });
}

async function runToEnd(kind: 'dataset-import', input: Record<string, unknown>): Promise<JobRecord> {
  return ended((await service.call('jobs.start', { kind, input })).id);
}

beforeAll(async () => {
  mkdirSync(folder);
  for (let i = 0; i < 40; i++)
    writeFileSync(
      join(folder, `${String(i).padStart(2, '0')}.png`),
      await solid(48, 40, [i * 6, 100, 200 - i * 4])
        .png()
        .toBuffer(),
    );
  service = openService({ dataDir: join(dir.path, 'data') });
});
afterAll(async () => {
  await service.close();
  dir.remove();
});

describe('datasets.*', () => {
  it('refuses to remove a dataset while its import runs, and removes it after', async () => {
    const job = await service.call('jobs.start', { kind: 'dataset-import', input: { dataset: 'busy', folder, imageSize: 32 } });
    await expect(service.call('datasets.remove', { dataset: 'busy' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(job.id) });
    await ended(job.id);
    expect(await service.call('datasets.remove', { dataset: 'busy' })).toEqual({ dataset: 'busy', deletedImages: 40 });
  });

  it('pages and filters images, serves thumbnails and crops as data URLs, and details one image', async () => {
    const done = await runToEnd('dataset-import', { dataset: 'pics', folder, imageSize: 32 });
    expect((done.result as DatasetImportResult).imported).toBe(40);
    const page = await service.call('datasets.images', { dataset: 'pics', offset: 10, limit: 5 });
    expect(page.total).toBe(40);
    expect(page.images.map((i) => i.path)).toEqual(['10.png', '11.png', '12.png', '13.png', '14.png']);
    const ids = page.images.map((i) => i.id);
    const thumbs = await service.call('datasets.thumbnails', { dataset: 'pics', ids: [...ids, 99999] });
    expect(thumbs.map((t) => t.id)).toEqual(ids);
    expect(thumbs[0]!.url).toMatch(/^data:image\/webp;base64,/);
    const [crop] = await service.call('datasets.thumbnails', { dataset: 'pics', ids: [ids[0]!], size: 'crop' });
    expect(crop!.url).toMatch(/^data:image\/png;base64,/);
    const detail = await service.call('datasets.image', { dataset: 'pics', id: ids[0]! });
    expect(detail).toMatchObject({ path: '10.png', width: 48, height: 40, format: 'png', captionTexts: [] });
    await expect(service.call('datasets.image', { dataset: 'pics', id: 99999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects bad input with the field named and changes nothing', async () => {
    await expect(service.call('datasets.get', { dataset: '../etc' })).rejects.toMatchObject({ code: 'invalid_input', field: 'dataset' });
    await expect(service.call('datasets.fewshot', { dataset: 'pics', pairs: 2, percent: 5 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(service.call('datasets.fewshot', { dataset: 'pics', pairs: 2 })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/captioned/) });
    await expect(service.call('datasets.captions', { dataset: 'pics', file: join(dir.path, 'none.json') })).rejects.toMatchObject({ code: 'invalid_input', field: 'file' });
    await expect(service.call('jobs.start', { kind: 'dataset-import', input: { dataset: 'x', folder: 'relative/path' } })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await service.call('datasets.get', { dataset: 'pics' })).counts).toMatchObject({ imported: 40, captioned: 0, fewShot: 0 });
  });
});
