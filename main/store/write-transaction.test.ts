import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openDatabase } from './db.ts';

const BOOTSTRAP = new URL('../jobs/worker-bootstrap.mjs', import.meta.url);
const WRITER = new URL('./testing/concurrent-writer.ts', import.meta.url).href;

interface WriterResult {
  failures: number;
  firstError: string | null;
}

/** Starts `writers` threads, each with its own connection, writing through the store at once. */
function runWriters(dbPath: string, writers: number, rounds: number): Promise<WriterResult[]> {
  const barrier = new SharedArrayBuffer(4);
  return Promise.all(
    Array.from(
      { length: writers },
      (_, writer) =>
        new Promise<WriterResult>((resolve, reject) => {
          const worker = new Worker(BOOTSTRAP, { workerData: { entry: WRITER, dbPath, writer, rounds, barrier, writers } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
}

describe('store writes from several connections at once', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('lose nothing to "database is locked": transactions that read first take the write lock at BEGIN', async () => {
    const dbPath = `${dir.path}/lafite.db`;
    openDatabase(dbPath).close(); // migrated once, before the writers race
    const writers = 4;
    const rounds = 150;
    const results = await runWriters(dbPath, writers, rounds);
    expect(results.map((r) => r.firstError).filter(Boolean)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.failures, 0)).toBe(0);
    const db = openDatabase(dbPath);
    const count = (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n;
    db.close();
    expect(count).toBe(writers * rounds * 4);
  });
});
