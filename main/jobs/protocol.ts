/** Messages between the job runner and a job's worker thread. */
import type { BackendId, ErrorPayload, JobKind, JobProgress } from '../contract/index.ts';

/** What a worker is started with (its `workerData`). */
export interface WorkerStart {
  jobId: string;
  kind: JobKind;
  /** Already validated against the kind's schema. */
  input: unknown;
  /** The last checkpoint of an earlier attempt, if resuming. */
  resumeState: unknown;
  backend?: BackendId;
  dataDir: string;
  dbPath: string;
  /**
   * One Int32 the runner sets to 1 to cancel, 2 to pause. Shared memory rather than a message: a
   * worker busy in synchronous or microtask-only work never sees a message, but reads this.
   */
  cancelFlag: SharedArrayBuffer;
  /** Only for the TypeScript bootstrap: the module to load. */
  entry?: string;
}

export type FromWorker =
  | { type: 'progress'; progress: JobProgress }
  | { type: 'checkpoint'; state: unknown }
  | { type: 'succeeded'; result: unknown }
  | { type: 'cancelled' }
  | { type: 'paused' }
  | { type: 'failed'; error: ErrorPayload };
