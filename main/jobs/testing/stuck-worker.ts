/**
 * Tests only (runner.test.ts): a job worker that, for a backend-benchmark of size 13, blocks in
 * a system call for a few seconds, where worker.terminate() cannot reach it (as a recursive
 * mkdir in /proc or the open of a named pipe would, for good); any other job runs as usual.
 */
import { execFileSync } from 'node:child_process';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, WorkerStart } from '../protocol.ts';

export const STUCK_SIZE = 13;
export const STUCK_SECONDS = 4;

// Imported by the test for its constants too: only a worker thread runs the job.
if (!isMainThread) {
  const start = workerData as WorkerStart;
  if ((start.input as { size?: number }).size === STUCK_SIZE) {
    parentPort!.postMessage({ type: 'progress', progress: { fraction: 0, message: 'about to block' } } satisfies FromWorker);
    execFileSync('sleep', [String(STUCK_SECONDS)]);
  } else await import('../worker.ts');
}
