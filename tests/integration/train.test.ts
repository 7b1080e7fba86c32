/**
 * Training through the real `lafite` command on a small ShapesWorld dataset (tiny preset):
 * a run killed with kill -9 resumes from its last checkpoint with its loss history intact,
 * writes sample grids, and its generator draws PNGs for a prompt; captions train it
 * supervised; missing inputs get clear messages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainResult } from '../../main/api/contract.ts';
import { readCheckpointState } from '../../main/engine/gan/checkpoint.ts';
import { openDatabase } from '../../main/store/db.ts';
import { runCli, spawnUntilStep } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');

async function lafite<T>(...args: string[]): Promise<T> {
  const { code, stdout, stderr } = await runCli(['--json', '--data-dir', dataDir, ...args]);
  if (code !== 0) throw new Error(`lafite ${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '24', '--size', '32', '--out', folder, '--captions');
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '32');
});
afterAll(() => dir.remove());

describe('lafite train and generate', () => {
  let runId = '';

  it('resumes a killed run from its last checkpoint, history intact, with sample grids', async () => {
    const args = ['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--steps', '8', '--batch-size', '4', '--checkpoint-every', '4', '--sample-every', '4'];
    const { child, jobId } = await spawnUntilStep(args, 5);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('close', done));
    runId = jobId;
    const db = openDatabase(join(dataDir, 'lafite.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const result = await lafite<TrainResult>('train', '--resume', runId);
    expect(result).toMatchObject({ steps: 8, images: 24, backend: expect.any(String) });
    const state = (await readCheckpointState(join(result.folder, 'checkpoint.bin'))) as { step: number; history: { step: number; dLoss: number }[] };
    expect(state.step).toBe(8);
    expect(state.history.map((row) => row.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const row of state.history) expect(Number.isFinite(row.dLoss)).toBe(true);
    for (const step of ['0000004', '0000008']) expect(existsSync(join(result.folder, 'samples', `step-${step}.png`))).toBe(true);
    const grid = await sharp(join(result.folder, 'samples', 'step-0000008.png')).metadata();
    expect([grid.width, grid.height]).toEqual([16 * 8, 16]); // 8 samples of 16 px in a row
  }, 180_000);

  it('draws PNGs for a prompt from the trained run, and refuses an empty prompt', async () => {
    const out = join(dir.path, 'generated');
    const result = await lafite<{ files: string[] }>('generate', '--run', runId, '--prompt', 'two red circles', '--n', '2', '--seed', '5', '--out', out);
    expect(result.files).toHaveLength(2);
    const meta = await sharp(result.files[0]!).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([16, 16, 3]);
    const again = await lafite<{ files: string[] }>('generate', '--run', runId, '--prompt', 'two red circles', '--n', '2', '--seed', '5', '--out', join(dir.path, 'again'));
    expect(readFileSync(again.files[0]!)).toEqual(readFileSync(result.files[0]!)); // the same seed draws the same picture
    const empty = await runCli(['--data-dir', dataDir, 'generate', '--run', runId, '--prompt', '  ', '--out', out]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty prompt/);
  });

  it('trains on real captions, and says what is missing for retrieval conditions', async () => {
    const noCaptions = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'captions', '--steps', '1']);
    expect(noCaptions.stderr).toMatch(/no captions/);
    await lafite('dataset', 'captions', 'shapes', join(folder, 'metadata.jsonl'));
    const supervised = await lafite<TrainResult>('train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'captions', '--steps', '2', '--batch-size', '4', '--no-con-g');
    expect(supervised.steps).toBe(2);
    const noRetrieval = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'retrieval', '--steps', '1']);
    expect(noRetrieval.stderr).toMatch(/lafite pseudo synth --dataset shapes --method retrieval/);
  }, 120_000);
});
