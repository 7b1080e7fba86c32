/**
 * gallery.* on a store with two finished generations (their PNGs written with settings chunks):
 * the list across runs and by run, the settings of a PNG in base64, export as a zip and into a
 * folder (never over a file, only files a generation recorded).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { JobStore } from '../store/jobs.ts';
import { encodeSettingsPng, generationSettings, readPngSettings } from '../jobs/png-settings.ts';
import { exportGallery, listGallery, pngSettings } from './gallery.ts';

const RUN_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const RUN_B = 'bbbbbbbb-0000-4000-8000-000000000002';

describe('gallery', () => {
  const dir = tempDir();
  let db: Db;
  let jobs: JobStore;
  const generations: string[] = [];

  beforeAll(() => {
    db = openDatabase(join(dir.path, 'lafite.db'));
    jobs = new JobStore(db);
    for (const [run, seed] of [
      [RUN_A, 3],
      [RUN_B, 8],
    ] as const) {
      const input = { run, prompt: `prompt ${seed}`, mix: 0.5, n: 2, seed, truncation: 0.9 };
      const job = jobs.create('gan-generate', input, process.pid);
      const folder = join(dir.path, 'generated', job.id);
      mkdirSync(folder, { recursive: true });
      const files = [0, 1].map((index) => {
        const file = join(folder, `seed${seed}-${index}.png`);
        const facts = { generation: job.id, run, step: 40, family: 'gan', train: { model: 'shapes-clip', dataset: 'shapes', preset: 'tiny' }, input };
        writeFileSync(file, encodeSettingsPng(new Uint8Array(2 * 2 * 3).fill(index * 100), 2, generationSettings(facts, index, 2)));
        return file;
      });
      jobs.finish(job.id, 'succeeded', { result: { run, prompt: input.prompt, files, msPerImage: 1, step: 40 } });
      generations.push(job.id);
    }
    jobs.create('gan-generate', { run: RUN_A, prompt: 'queued', mix: 0.5, n: 1, seed: 0, truncation: 1 }, process.pid); // not finished: not listed
  });
  afterAll(() => {
    db.close();
    dir.remove();
  });

  it('lists every image of the finished generations, each generation’s in order, or one run’s', () => {
    const all = listGallery(jobs, undefined, 100); // newest generation first (both made in one instant here: either order)
    expect(all.map((item) => [item.run, item.name, item.index, item.step]).sort()).toEqual([
      [RUN_A, 'seed3-0.png', 0, 40],
      [RUN_A, 'seed3-1.png', 1, 40],
      [RUN_B, 'seed8-0.png', 0, 40],
      [RUN_B, 'seed8-1.png', 1, 40],
    ]);
    expect(all.filter((item) => item.run === RUN_B).map((item) => item.index)).toEqual([0, 1]);
    expect(listGallery(jobs, RUN_A, 100).map((item) => item.prompt)).toEqual(['prompt 3', 'prompt 3']);
  });

  it('reads a PNG’s settings from base64, and refuses what is no PNG', () => {
    const file = join(dir.path, 'generated', generations[0]!, 'seed3-1.png');
    expect(pngSettings(readFileSync(file).toString('base64')).settings).toMatchObject({ run: RUN_A, seed: 3, index: 1, step: 40 });
    expect(() => pngSettings(Buffer.from('nope').toString('base64'))).toThrow(/png: not a PNG/);
  });

  it('zips the chosen pictures with their chunks and a metadata.jsonl', async () => {
    const result = await exportGallery(jobs, dir.path, [{ generation: generations[1]!, name: 'seed8-1.png' }], undefined);
    expect('zip' in result).toBe(true);
    const zip = unzipSync(Buffer.from((result as { zip: string }).zip, 'base64'));
    const name = `lafite-bbbbbbbb-${generations[1]!.slice(0, 8)}-seed8-1.png`;
    expect(Object.keys(zip).sort()).toEqual([name, 'metadata.jsonl']);
    expect(readPngSettings(zip[name]!).settings).toMatchObject({ seed: 8, index: 1 });
    expect(JSON.parse(new TextDecoder().decode(zip['metadata.jsonl']))).toMatchObject({ file: name, generation: generations[1], settings: { prompt: 'prompt 8' } });
  });

  it('copies into a folder, never over a file, and only files a generation recorded', async () => {
    const folder = join(dir.path, 'out');
    const images = generations.map((generation, k) => ({ generation, name: `seed${k === 0 ? 3 : 8}-0.png` }));
    const result = await exportGallery(jobs, dir.path, images, folder);
    expect(result).toMatchObject({ folder, files: expect.arrayContaining([expect.stringMatching(/^metadata-.*\.jsonl$/)]) });
    expect(readdirSync(folder).filter((name) => name.endsWith('.png'))).toHaveLength(2);
    await expect(exportGallery(jobs, dir.path, images.slice(0, 1), folder)).rejects.toMatchObject({ code: 'conflict' });
    await expect(exportGallery(jobs, dir.path, [{ generation: generations[0]!, name: 'other.png' }], folder)).rejects.toMatchObject({ code: 'not_found' });
    await expect(exportGallery(jobs, dir.path, [{ generation: RUN_A, name: 'seed3-0.png' }], folder)).rejects.toMatchObject({ code: 'not_found' });
  });
});
