/**
 * Issue 19's checks and polish for the command line, through the real `lafite` command on a
 * small ShapesWorld dataset: a diffusion-train job that would fail before its first step is
 * refused creating nothing, as gan-train's are (a misspelled dataset, missing retrieval
 * features, a fine-tune of another UNet or of a GAN run, the paper preset on a CPU backend), and
 * a generation from a diffusion run with more steps than its noise levels; a diffusion run is
 * removed with its generation (rows and files); `runs list` says a time budget as "N min
 * budget"; `jobs list` names jobs for people with their prompt or dataset, and a finished job
 * reads "done" (its stored progress at 100 %); import says how many pictures were enlarged to
 * the crop size; pictures drawn into the data folder's pictures/ folder can be imported.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetImportResult, DiffusionTrainResult, GenerateResult, JobRecord, RunSummary } from '../../main/contract/index.ts';
import { openDatabase } from '../../main/store/db.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');
const lafite = lafiteJsonIn(dataDir);
const cli = (...args: string[]) => runCli(['--data-dir', dataDir, ...args]);
const jobCount = async (): Promise<number> => (await lafite<JobRecord[]>('jobs', 'list', '--limit', '1000')).length;

/** A tiny diffusion run: 16 px, T = 10 noise levels, 2 steps with a checkpoint, and a 5 minute budget it never reaches. */
const DIFFUSION = ['train', '--family', 'diffusion', '--dataset', 'shapes', '--preset', 'tiny', '--timesteps', '10', '--sample-steps', '2'];
const SHORT = ['--steps', '2', '--minutes', '5', '--batch-size', '4', '--checkpoint-every', '2', '--sample-every', '2'];

let imported: DatasetImportResult;
let runId = '';

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '8', '--size', '32', '--out', folder, '--captions');
  imported = await lafite<DatasetImportResult>('dataset', 'import', folder, '--name', 'shapes', '--size', '48'); // 32 px pictures, 48 px crops
  const result = await lafite<DiffusionTrainResult>(...DIFFUSION, ...SHORT);
  runId = result.folder.split(/[\\/]/).at(-1)!;
}, 600_000);
afterAll(() => dir.remove());

describe('diffusion pre-flight', () => {
  it('refuses a diffusion-train job that would fail before its first step, creating nothing', async () => {
    const before = await jobCount();
    const misspelled = await cli(...DIFFUSION, '--dataset', 'shapse');
    expect(misspelled.code).toBe(3);
    expect(misspelled.stderr).toMatch(/no dataset 'shapse': did you mean 'shapes'\?/);
    const retrieval = await cli(...DIFFUSION, '--pseudo', 'retrieval');
    expect(retrieval.code).toBe(2);
    expect(retrieval.stderr).toMatch(/no retrieval pseudo-captions for shapes-clip: synthesise them first/);
    const split = await cli(...DIFFUSION, '--subset', 'train');
    expect(split.stderr).toMatch(/has no training split/);
    const otherUnet = await cli('train', '--family', 'diffusion', '--dataset', 'shapes', '--preset', 'shapes', '--init', runId.slice(0, 8));
    expect(otherUnet.code).toBe(2);
    expect(otherUnet.stderr).toMatch(/is a tiny UNet on shapes-clip: fine-tune it with --family diffusion --preset tiny/);
    const { backend } = await lafite<{ backend: string }>('info');
    if (['wasm', 'cpu'].includes(backend)) {
      const paper = await cli('train', '--family', 'diffusion', '--dataset', 'shapes', '--preset', 'paper');
      expect(paper.code).toBe(5);
      expect(paper.stderr).toMatch(/the diffusion paper preset .* needs a GPU backend/);
    }
    const tooMany = await cli('generate', '--run', runId, '--prompt', 'a red circle'); // 50 steps by default, T = 10
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/has T = 10 noise levels/);
    expect(await jobCount()).toBe(before);
  }, 400_000);

  it('refuses to fine-tune a GAN run as a diffusion model', async () => {
    const gan = await cli('train', '--family', 'diffusion', '--dataset', 'shapes', '--preset', 'tiny', '--init', 'shapes-pretrained');
    expect(gan.code).toBe(2);
    expect(gan.stderr).toMatch(/is a gan-train run: a diffusion-train job fine-tunes only a run of its own family/);
  }, 120_000);
});

describe('command-line polish', () => {
  it('says the time budget in runs list, names jobs for people, and reads a finished job as done', async () => {
    const generated = await lafite<GenerateResult>('generate', '--run', runId.slice(0, 8), '--prompt', 'two blue squares', '--n', '1', '--steps', '2');
    expect(existsSync(generated.files[0]!)).toBe(true);

    const runs = await cli('runs', 'list');
    expect(runs.stdout).toMatch(new RegExp(`${runId}.*step 2/5 min budget`));

    const jobs = await cli('jobs', 'list');
    expect(jobs.stdout).toMatch(/Generate images\s+“two blue squares” · run [0-9a-f]{8}\s+succeeded\s+done/);
    expect(jobs.stdout).toMatch(/Train diffusion model\s+dataset shapes · tiny\s+succeeded\s+done/);
    expect(jobs.stdout).not.toMatch(/gan-generate/);
    const records = await lafite<JobRecord[]>('jobs', 'list');
    const ran = records.filter((j) => j.status === 'succeeded' && j.id !== 'shapes-pretrained'); // the shipped run was installed, not run
    for (const job of ran) expect(job.progress).toMatchObject({ fraction: 1, message: 'done' });
  }, 400_000);

  it('says how many pictures the import enlarged to the crop size', async () => {
    expect(imported.upscaled).toEqual({ count: 8, smallestSide: 32, imageSize: 48 });
    await lafite('shapes', 'generate', '--n', '3', '--size', '32', '--seed', '5', '--out', join(dir.path, 'more'));
    const human = await cli('dataset', 'import', join(dir.path, 'more'), '--name', 'more', '--size', '48');
    expect(human.stdout).toMatch(/3 images were smaller than the 48 px crops \(the smallest 32 px\) and enlarged to 48 px/);
    const same = await lafite<DatasetImportResult>('dataset', 'import', join(dir.path, 'more'), '--name', 'more-32', '--size', '32');
    expect(same.upscaled).toBeUndefined();
  }, 300_000);

  it('imports pictures drawn into the data folder’s pictures folder, and nothing else inside the data folder', async () => {
    const drawn = join(dataDir, 'pictures', 'drawn');
    await lafite('shapes', 'generate', '--n', '2', '--size', '32', '--out', drawn);
    expect((await lafite<DatasetImportResult>('dataset', 'import', drawn, '--name', 'drawn', '--size', '32')).imported).toBe(2);
    const caches = await cli('dataset', 'import', join(dataDir, 'datasets'), '--name', 'caches');
    expect(caches.code).toBe(2);
    expect(caches.stderr).toMatch(/inside Lafite's own data folder/);
  }, 300_000);

  it('removes a diffusion run with its generation: rows in one go, then its folder', async () => {
    const run = (await lafite<RunSummary[]>('runs', 'list')).find((r) => r.id === runId)!;
    expect(run).toMatchObject({ family: 'diffusion', minutes: 5, diskBytes: expect.any(Number) });
    const removed = await lafite<{ id: string; removedJobs: number; freedBytes: number }>('runs', 'remove', runId.slice(0, 8), '--yes');
    expect(removed).toMatchObject({ id: runId, removedJobs: 2 });
    expect(existsSync(join(dataDir, 'runs', runId))).toBe(false);
    const db = openDatabase(join(dataDir, 'lafite.db'));
    expect((db.prepare("SELECT count(*) AS n FROM jobs WHERE id = ? OR json_extract(input, '$.run') = ?").get(runId, runId) as { n: number }).n).toBe(0);
    db.close();
  }, 300_000);
});
