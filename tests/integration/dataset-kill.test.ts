/**
 * An import killed with SIGKILL in the middle leaves a database that opens cleanly with whole
 * batches only; running the import again finishes with the right counts and no file twice.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/store/db.ts';
import { runCli, spawnUntilStep } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const IMAGES = 320;

describe('kill -9 during a dataset import', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('keeps the database consistent, and a re-run imports the rest', async () => {
    const dataDir = join(dir.path, 'data');
    const folder = join(dir.path, 'shapes');
    const generated = await runCli(['--data-dir', dataDir, 'shapes', 'generate', '--n', String(IMAGES), '--size', '40', '--out', folder]);
    expect(generated.code, generated.stderr).toBe(0);

    const args = ['--data-dir', dataDir, 'dataset', 'import', folder, '--name', 'shapes', '--size', '32'];
    const { child } = await spawnUntilStep(args, 64);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));

    const db = openDatabase(join(dataDir, 'lafite.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const partial = (db.prepare("SELECT count(*) AS n FROM images WHERE dataset_id = 'shapes'").get() as { n: number }).n;
    db.close();
    expect(partial).toBeGreaterThanOrEqual(64);
    expect(partial).toBeLessThan(IMAGES);
    expect(partial % 32).toBe(0); // whole batches only

    const rerun = await runCli(['--json', ...args]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout.trim().split('\n').pop()!) as {
      unchanged: number;
      imported: number;
      duplicate: number;
      counts: { files: number; imported: number; duplicate: number };
    };
    expect(result.unchanged).toBe(partial);
    expect(result.imported + result.duplicate).toBe(IMAGES - partial);
    expect(result.counts.files).toBe(IMAGES);
    expect(result.counts.imported + result.counts.duplicate).toBe(IMAGES);

    const after = openDatabase(join(dataDir, 'lafite.db'));
    const distinct = after.prepare("SELECT count(DISTINCT path) AS paths, count(*) AS rows FROM images WHERE dataset_id = 'shapes'").get();
    after.close();
    expect(distinct).toEqual({ paths: IMAGES, rows: IMAGES });
  });
});
