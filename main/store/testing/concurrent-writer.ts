/**
 * A worker thread for main/store/write-transaction.test.ts: its own connection to a shared
 * database file, then `rounds` store writes that read first (recordFiles looks up an earlier
 * image of the same sha256 before each upsert), started together with the other writers.
 * Posts how many rounds failed and the first error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db.ts';
import { DatasetStore } from '../datasets.ts';

interface WriterStart {
  dbPath: string;
  writer: number;
  rounds: number;
  /** Int32 counter: each writer adds 1 when ready, and all start once it reaches `writers`. */
  barrier: SharedArrayBuffer;
  writers: number;
}

const start = workerData as WriterStart & { entry?: string };
const db = openDatabase(start.dbPath);
const store = new DatasetStore(db);
const dataset = `writer-${start.writer}`;
store.ensure({ id: dataset, folder: `/images/${dataset}`, imageSize: 64, minSize: 8 });

const barrier = new Int32Array(start.barrier);
Atomics.add(barrier, 0, 1);
while (Atomics.load(barrier, 0) < start.writers) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 10);

let failures = 0;
let firstError: string | null = null;
for (let round = 0; round < start.rounds; round++) {
  const files = Array.from({ length: 4 }, (_, i) => ({
    path: `round-${round}/file-${i}.png`,
    bytes: 100,
    mtimeMs: round,
    status: 'imported' as const,
    sha256: `${start.writer}-${round}-${i}`.padEnd(64, '0'),
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    format: 'png',
    width: 64,
    height: 64,
  }));
  try {
    store.recordFiles(dataset, files);
  } catch (error) {
    failures += 1;
    firstError ??= `${(error as { code?: string }).code ?? ''} ${(error as Error).message}`;
  }
}
db.close();
parentPort!.postMessage({ failures, firstError });
