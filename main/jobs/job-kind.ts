/**
 * What a job kind implements. A handler runs inside a worker thread; it reports progress,
 * saves checkpoints it can resume from, and stops when asked to cancel.
 */
import type { z } from 'zod';
import type { BackendId, JobKind, JobProgress, jobInputSchemas } from '../contract/index.ts';
import { LafiteError } from '../contract/errors.ts';

export interface JobContext<State = unknown> {
  jobId: string;
  dataDir: string;
  dbPath: string;
  /** The backend the user forced, if any (the handler calls initBackend with it). */
  backend?: BackendId;
  /** The last checkpoint of an earlier attempt, when the job is resumed. */
  resumeState: State | undefined;
  signal: AbortSignal;
  progress(progress: JobProgress): void;
  /** Saves state a later attempt can continue from (written to the jobs table). */
  checkpoint(state: State): void;
  /** Throws `cancelled` if the user asked to cancel or pause: call it between units of work. */
  throwIfCancelled(): void;
  /**
   * Whether the user asked to cancel or pause, read from the shared flag at once: the signal
   * only turns when the worker's event loop runs its timers, which a loop of compute and
   * promise-only reads (wasm `data()`) may not let it do for a long while.
   */
  stopRequested(): boolean;
  /**
   * Whether the user asked to pause. Every job stops on a pause as on a cancel, at its last
   * checkpoint; a job whose units are long (training) checks this first and saves a checkpoint.
   */
  pauseRequested(): boolean;
}

export type JobInput<K extends JobKind> = z.output<(typeof jobInputSchemas)[K]>;

export interface JobHandler<K extends JobKind, State = unknown> {
  run(input: JobInput<K>, context: JobContext<State>): Promise<unknown>;
}

export const cancelledError = (): LafiteError => new LafiteError('cancelled', 'cancelled by the user');
