/**
 * gallery.* on a store with two finished generations (their PNGs written with settings chunks):
 * the list across runs and by run, the settings of a PNG in base64, export as a zip and into a
 * folder (never over a file, only files a generation recorded); a diffusion run's generations
 * keep their sampling (sampler, steps, η, guidance) in the list, the history and the PNG.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { JobStore } from '../store/jobs.ts';
import { encodeSettingsPng, generationSettings, readPngSettings } from '../jobs/png-settings.ts';
import { jobInputSchemas, pngGenerateInput } from '../contract/index.ts';
import { RunCatalog } from '../store/run-catalog.ts';
import { RunStore } from '../store/runs.ts';
import { exportGallery, listGallery, pngSettings } from './gallery.ts';
import { listGenerations } from './runs.ts';

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

describe("a diffusion run's generations keep how they sampled", () => {
  const dir = tempDir();
  let db: Db;
  let jobs: JobStore;
  const sampling = { steps: 12, sampler: 'ddpm', eta: 0.3, guidance: 4.5 };
  const runs: Record<'gan' | 'diffusion', string> = { gan: '', diffusion: '' };

  beforeAll(() => {
    db = openDatabase(join(dir.path, 'lafite.db'));
    jobs = new JobStore(db);
    runs.gan = jobs.create('gan-train', { dataset: 'shapes', model: 'shapes-clip', preset: 'tiny' }, process.pid).id;
    runs.diffusion = jobs.create('diffusion-train', { dataset: 'shapes', model: 'shapes-clip', preset: 'tiny' }, process.pid).id;
    for (const family of ['gan', 'diffusion'] as const) {
      // As jobs.start stores it: the parsed input, the sampling fields filled in for a GAN run too.
      const input = jobInputSchemas['gan-generate'].parse({ run: runs[family], prompt: 'a red circle', n: 1, seed: 5, ...(family === 'diffusion' ? sampling : {}) });
      const job = jobs.create('gan-generate', input, process.pid);
      const folder = join(dir.path, 'generated', job.id);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, 'seed5-0.png');
      const facts = { generation: job.id, run: runs[family], step: 8, family, train: { model: 'shapes-clip', dataset: 'shapes', preset: 'tiny' }, input };
      writeFileSync(file, encodeSettingsPng(new Uint8Array(2 * 2 * 3), 2, generationSettings(facts, 0, 2)));
      jobs.finish(job.id, 'succeeded', { result: { run: runs[family], prompt: input.prompt, files: [file], msPerImage: 1, step: 8 } });
    }
  });
  afterAll(() => {
    db.close();
    dir.remove();
  });

  it('lists a diffusion generation with its sampler, steps, η and guidance, a GAN generation with none', () => {
    const items = listGallery(jobs, undefined, 100);
    expect(items.find((item) => item.run === runs.diffusion)?.sampling).toEqual(sampling);
    expect(items.find((item) => item.run === runs.gan)?.sampling).toBeNull();
    const stores = { jobs, runs: new RunStore(db), catalog: new RunCatalog(db), dataDir: dir.path };
    expect(listGenerations(stores, runs.diffusion, 10).map((generation) => generation.sampling)).toEqual([sampling]);
    expect(listGenerations(stores, runs.gan, 10).map((generation) => generation.sampling)).toEqual([null]);
  });

  it('writes the sampling into both chunks of the PNG, and draws it again from them with the same sampling', () => {
    const item = listGallery(jobs, runs.diffusion, 10)[0]!;
    const read = pngSettings(readFileSync(join(dir.path, 'generated', item.generation, item.name)).toString('base64'));
    expect(read.settings).toMatchObject({ family: 'diffusion', sampling });
    expect(read.text.parameters).toMatch(/Sampler: ddpm, Steps: 12, Eta: 0\.3, CFG scale: 4\.5/);
    const again = jobInputSchemas['gan-generate'].parse(pngGenerateInput(read.settings!));
    expect(again).toMatchObject({ run: runs.diffusion, prompt: 'a red circle', seed: 5, n: 1, ...sampling });
  });
});
