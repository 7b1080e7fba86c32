/**
 * Ids as people type them and checks before a job is made, through the real `lafite` command:
 * 8-character prefixes (as the UI and reports show them) and run names work wherever ids do;
 * an ambiguous prefix lists its matches; anything not found exits 3 with "no … 'x'" and the
 * closest name; a job that would fail before its first step is refused, creating nothing;
 * runs are renamed and removed (files and rows); `dataset captions` counts why entries were
 * not added.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionImportResult, GenerateResult, JobRecord, RunDetail, RunSummary, TrainResult } from '../../main/contract/index.ts';
import { openDatabase } from '../../main/store/db.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');
const lafite = lafiteJsonIn(dataDir);
const cli = (...args: string[]) => runCli(['--data-dir', dataDir, ...args]);
const jobCount = async (): Promise<number> => (await lafite<JobRecord[]>('jobs', 'list', '--limit', '1000')).length;

let run: TrainResult & { id: string };

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '12', '--size', '32', '--out', folder, '--captions');
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '32');
  await lafite('dataset', 'import', folder, '--name', 'shapes-copy', '--size', '32');
  const result = await lafite<TrainResult>('train', '--dataset', 'shapes', '--preset', 'tiny', '--steps', '2', '--batch-size', '4', '--checkpoint-every', '2', '--no-con-g');
  const runs = await lafite<RunSummary[]>('runs', 'list');
  run = { ...result, id: runs.find((r) => r.id !== 'shapes-pretrained')!.id };
}, 180_000);
afterAll(() => dir.remove());

describe('short ids', () => {
  it('accepts the 8-character prefix the UI shows for runs, jobs and generation', async () => {
    const short = run.id.slice(0, 8);
    expect((await lafite<RunDetail>('runs', 'show', short)).id).toBe(run.id);
    expect((await lafite<JobRecord>('jobs', 'show', short)).id).toBe(run.id);
    const generated = await lafite<GenerateResult>('generate', '--run', short, '--prompt', 'a red circle', '--n', '1', '--out', join(dir.path, 'out'));
    expect(generated.run).toBe(run.id);
    expect(existsSync(generated.files[0]!)).toBe(true);
  }, 60_000);

  it('accepts a unique prefix of a dataset, and lists the matches of an ambiguous one', async () => {
    expect((await lafite<{ id: string }>('dataset', 'show', 'shapes-c')).id).toBe('shapes-copy');
    const ambiguous = await cli('dataset', 'images', 'shap');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/'shap' is the start of 2 datasets \(shapes, shapes-copy\): type more of it/);
  });
});

describe('not found', () => {
  it('exits 3 with "no training run" for generate, and creates no job', async () => {
    const before = await jobCount();
    const missing = await cli('generate', '--run', 'does-not-exist', '--prompt', 'a red circle');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no training run 'does-not-exist'/);
    expect(await jobCount()).toBe(before);
  });

  it('exits 3 for a misspelled dataset in train and in dataset show, naming the closest', async () => {
    const before = await jobCount();
    const train = await cli('train', '--dataset', 'shapse', '--preset', 'tiny');
    const show = await cli('dataset', 'show', 'shapse');
    for (const result of [train, show]) {
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/no dataset 'shapse': did you mean 'shapes'\?/);
    }
    expect(await jobCount()).toBe(before); // no failed run left behind
  });
});

describe('checks before a run is made', () => {
  it('refuses missing features and the paper preset on a CPU backend, creating nothing', async () => {
    const before = await jobCount();
    const retrieval = await cli('train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'retrieval');
    expect(retrieval.code).toBe(2);
    expect(retrieval.stderr).toMatch(/no retrieval pseudo-captions for shapes-clip: synthesise them first: lafite pseudo synth --dataset shapes --method retrieval/);
    const nn = await cli('train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'nn', '--nn', 'missing-net');
    expect(nn.code).toBe(3);
    expect(nn.stderr).toMatch(/no perturbation network 'missing-net'/);
    const split = await cli('train', '--dataset', 'shapes', '--preset', 'tiny', '--subset', 'train');
    expect(split.stderr).toMatch(/has no training split/);
    const { backend } = await lafite<{ backend: string }>('info');
    if (['wasm', 'cpu', 'node'].includes(backend)) {
      const paper = await cli('train', '--dataset', 'shapes', '--preset', 'paper');
      expect(paper.code).toBe(5);
      expect(paper.stderr).toMatch(/the paper preset .* needs a GPU backend/);
    }
    expect(await jobCount()).toBe(before);
  });
});

describe('runs rename and remove', () => {
  it('names a run, usable wherever its id is, and removes its files and rows only with --yes', async () => {
    const renamed = await lafite<RunSummary>('runs', 'rename', run.id.slice(0, 8), 'first-try');
    expect(renamed).toMatchObject({ id: run.id, name: 'first-try' });
    expect((await lafite<RunDetail>('runs', 'show', 'first-try')).id).toBe(run.id);
    expect((await lafite<RunSummary[]>('runs', 'list')).find((r) => r.id === run.id)).toMatchObject({ name: 'first-try', diskBytes: expect.any(Number) });
    expect((await cli('runs', 'rename', 'shapes-pretrained', 'first-try')).code).toBe(4); // names are unique

    const unconfirmed = await cli('runs', 'remove', 'first-try');
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    expect(existsSync(run.folder)).toBe(true);

    const removed = await lafite<{ id: string; removedJobs: number; freedBytes: number }>('runs', 'remove', 'first-try', '--yes');
    expect(removed).toMatchObject({ id: run.id, removedJobs: 2 }); // the run and its generation
    expect(removed.freedBytes).toBeGreaterThan(0);
    expect(existsSync(run.folder)).toBe(false);
    expect((await cli('runs', 'show', run.id)).code).toBe(3);
    const db = openDatabase(join(dataDir, 'lafite.db'));
    for (const table of ['training_runs', 'run_metrics', 'job_names']) {
      expect((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE job_id = ?`).get(run.id) as { n: number }).n).toBe(0);
    }
    expect((db.prepare("SELECT count(*) AS n FROM jobs WHERE json_extract(input, '$.run') = ?").get(run.id) as { n: number }).n).toBe(0);
    db.close();
    expect((await cli('runs', 'remove', 'shapes-pretrained', '--yes')).code).toBe(4); // shipped: it would come back
  }, 60_000);
});

describe('dataset captions', () => {
  it('counts why entries were not added', async () => {
    const file = join(dir.path, 'captions.jsonl');
    const lines = [
      { file: '00000.png', caption: 'a red circle' },
      { file: '00000.png', caption: 'a red circle' },
      { file: 'nope.png', caption: 'a blue square' },
      { file: '00001.png', caption: '' },
    ];
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    const result = await lafite<CaptionImportResult>('dataset', 'captions', 'shapes-copy', file);
    expect(result.added).toBe(1);
    expect(result.notAdded).toEqual(
      expect.arrayContaining([
        { reason: 'empty caption', count: 1, examples: [] },
        { reason: 'names no image of the dataset', count: 1, examples: ['nope.png'] },
        { reason: 'the image has this caption already', count: 1, examples: [] },
      ]),
    );
    const human = await cli('dataset', 'captions', 'shapes-copy', file);
    expect(human.stdout).toMatch(/4 entries not added:/);
    expect(human.stdout).toMatch(/names no image of the dataset \(e\.g\. nope\.png\)/);
  });
});
