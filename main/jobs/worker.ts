/**
 * The entry of every job's worker thread: loads the kind's handler, runs it, and reports
 * progress, checkpoints and the outcome to the runner. Cancel and pause arrive through a
 * shared flag (1 cancel, 2 pause): both abort the signal; a pause is reported as such.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LafiteError, toErrorPayload } from '../contract/errors.ts';
import { checkJobPaths } from './input-paths.ts';
import { cancelledError, type JobContext } from './job-kind.ts';
import { jobHandlers } from './kinds/index.ts';
import type { FromWorker, WorkerStart } from './protocol.ts';

const port = parentPort!;
const start = workerData as WorkerStart;
const controller = new AbortController();
const cancelFlag = new Int32Array(start.cancelFlag);
const post = (message: FromWorker): void => port.postMessage(message);

/** Turns the runner's shared stop flag into the abort signal handlers see. */
function cancelRequested(): boolean {
  if (!controller.signal.aborted && Atomics.load(cancelFlag, 0) !== 0) controller.abort();
  return controller.signal.aborted;
}
const pauseRequested = (): boolean => Atomics.load(cancelFlag, 0) === 2;
// Handlers that wait on I/O see the signal without polling.
const watch = setInterval(cancelRequested, 100);

const context: JobContext = {
  jobId: start.jobId,
  dataDir: start.dataDir,
  dbPath: start.dbPath,
  backend: start.backend,
  resumeState: start.resumeState ?? undefined,
  signal: controller.signal,
  progress: (progress) => post({ type: 'progress', progress }),
  checkpoint: (state) => post({ type: 'checkpoint', state }),
  throwIfCancelled() {
    if (cancelRequested()) throw cancelledError();
  },
  stopRequested: cancelRequested,
  pauseRequested,
};

async function main(): Promise<void> {
  try {
    checkJobPaths(start.kind, start.input, start.dataDir); // again: the folder may have changed since the job was started
    const handler = await jobHandlers[start.kind]();
    const result = await handler.run(start.input as never, context);
    post({ type: 'succeeded', result });
  } catch (error) {
    if (error instanceof LafiteError && error.code === 'cancelled') post({ type: pauseRequested() ? 'paused' : 'cancelled' });
    else post({ type: 'failed', error: toErrorPayload(error) });
  } finally {
    clearInterval(watch);
    port.close(); // lets the thread end once the last message is out
  }
}

void main();
