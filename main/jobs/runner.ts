/**
 * Runs long work as jobs in worker threads: a queue (one job at a time by default: the
 * work is compute-bound), progress events, cancel and pause (also from another process, through
 * the jobs table), and resume from the last checkpoint after a pause, a cancel, a failure or a
 * killed process. A pause is a stop the job prepares for: a trainer writes a checkpoint first.
 *
 * @example
 *   const runner = new JobRunner(new JobStore(db), { dataDir, dbPath });
 *   const job = runner.start('backend-benchmark', { size: 256 });
 *   runner.subscribe((job) => console.log(job.status, job.progress?.message));
 *   await runner.waitFor(job.id);
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { jobInputSchemas, type BackendId, type JobKind, type JobProgress, type JobRecord } from '../contract/index.ts';
import { conflict, fromZodError, notFound } from '../contract/errors.ts';
import type { JobStore, StopKind } from '../store/jobs.ts';
import { checkJobPaths } from './input-paths.ts';
import type { FromWorker, WorkerStart } from './protocol.ts';

export interface RunnerOptions {
  dataDir: string;
  dbPath: string;
  /** Backend the workers must use (`--backend`); default: each picks the best available. */
  backend?: BackendId;
  /** Jobs run at the same time. */
  concurrency?: number;
  /** Progress is written to the database and announced at most this often. */
  progressIntervalMs?: number;
  /** A worker that ignores a cancel for this long is terminated. */
  cancelGraceMs?: number;
  /** A worker asked to pause gets this long to write its checkpoint before it is terminated. */
  pauseGraceMs?: number;
  /** How often stop requests from other processes are read, for this process's running and queued jobs. */
  stopPollMs?: number;
  /**
   * A terminated worker that has not exited after this long is stuck in native code, which
   * `worker.terminate()` cannot interrupt (a blocking open of a pipe, a system call that never
   * returns): its job is marked failed with the reason and the queue moves on without it.
   */
  terminateGraceMs?: number;
  /** Tests only: the module a worker loads instead of ./worker.ts (running from the sources). */
  workerModule?: string;
}

interface Running {
  worker: Worker;
  cancelFlag: Int32Array;
  startedAt: number;
  lastProgressAt: number;
  pendingProgress: JobProgress | null;
  /** The largest fraction reported so far: what is shown never goes backwards (a job's phases may estimate their share differently). */
  maxFraction: number;
  cancelTimer?: NodeJS.Timeout;
  /** Set once terminate() was called on a worker that ignored its stop. */
  abandonTimer?: NodeJS.Timeout;
  /** How it was asked to stop, once it was. */
  stopping?: StopKind;
}

type Listener = (job: JobRecord) => void;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The worker script: the TypeScript bootstrap when running from sources, the bundle otherwise. */
function workerEntry(module?: string): { file: string; entry?: string } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { file: join(dirname(here), 'worker-bootstrap.mjs'), entry: module ?? new URL('./worker.ts', import.meta.url).href };
  }
  const bundled = join(dirname(here), 'job-worker.js');
  if (!existsSync(bundled)) throw new Error(`job worker bundle missing: ${bundled}`);
  return { file: bundled };
}

export class JobRunner {
  private readonly running = new Map<string, Running>();
  private readonly queue: string[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly waiters = new Map<string, Array<(job: JobRecord) => void>>();
  private cancelPoll?: NodeJS.Timeout;
  private readonly options: Required<Omit<RunnerOptions, 'backend' | 'workerModule'>> & Pick<RunnerOptions, 'backend' | 'workerModule'>;

  constructor(
    private readonly store: JobStore,
    options: RunnerOptions,
  ) {
    this.options = { concurrency: 1, progressIntervalMs: 200, cancelGraceMs: 10_000, pauseGraceMs: 120_000, stopPollMs: 1000, terminateGraceMs: 5000, ...options };
    store.reapOrphans(isAlive);
  }

  /** Validates the input against the kind's schema, stores the job and queues it. */
  start(kind: JobKind, rawInput: unknown): JobRecord {
    const parsed = jobInputSchemas[kind].safeParse(rawInput ?? {});
    if (!parsed.success) {
      const error = fromZodError(parsed.error, `${kind} job`);
      throw error.field ? Object.assign(error, { field: `input.${error.field}` }) : error;
    }
    checkJobPaths(kind, parsed.data, this.options.dataDir);
    const job = this.store.create(kind, parsed.data, process.pid);
    this.enqueue(job.id);
    return job;
  }

  list(limit: number, status?: JobRecord['status']): JobRecord[] {
    return this.store.list(limit, status);
  }

  get(id: string): JobRecord {
    const job = this.store.get(id);
    if (!job) throw notFound(`no job '${id}'`);
    return job;
  }

  /** Cancels a queued, running or paused job; a job of another process is cancelled by that process. */
  cancel(id: string): JobRecord {
    return this.stop(id, 'cancel');
  }

  /** Pauses a queued or running job: it stops at a checkpoint and waits, `paused`, for resume. */
  pause(id: string): JobRecord {
    return this.stop(id, 'pause');
  }

  private stop(id: string, kind: StopKind): JobRecord {
    const job = this.get(id);
    const verb = kind === 'pause' ? 'paused' : 'cancelled';
    if (job.status === 'paused' && kind === 'cancel') {
      // A paused job holds no worker: cancelling it only closes it (it can still be resumed).
      this.store.finish(id, 'cancelled', {});
      return this.announce(id);
    }
    if (job.status !== 'queued' && job.status !== 'running') {
      throw conflict(`job ${id} is ${job.status}: only queued or running jobs can be ${verb}`);
    }
    const running = this.running.get(id);
    const queuedHere = this.queue.indexOf(id);
    if (running) {
      this.store.requestStop(id, kind);
      this.askToStop(id, running, kind);
    } else if (queuedHere >= 0) {
      this.queue.splice(queuedHere, 1);
      this.settle(id, verb, {});
    } else {
      this.store.requestStop(id, kind); // owned by another process, which polls for this
    }
    return this.get(id);
  }

  /** Starts a paused, interrupted, cancelled or failed job again from its last checkpoint. */
  resume(id: string): JobRecord {
    const job = this.get(id);
    const resumable = ['paused', 'interrupted', 'cancelled', 'failed'] as const;
    const refuse = (status: string) => conflict(`job ${id} is ${status}: only paused, interrupted, cancelled or failed jobs can be resumed`);
    if (!(resumable as readonly string[]).includes(job.status)) throw refuse(job.status);
    // Checked again as it changes: two processes resuming one job must not both run it.
    if (!this.store.markQueued(id, process.pid, resumable)) throw refuse(this.get(id).status);
    this.enqueue(id);
    return this.get(id);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the job has finished, whatever the outcome. */
  waitFor(id: string): Promise<JobRecord> {
    const job = this.get(id);
    if (!['queued', 'running'].includes(job.status)) return Promise.resolve(job);
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  /** Cancels everything this process runs and waits for the workers to stop. */
  async dispose(): Promise<void> {
    for (const id of [...this.queue]) this.cancel(id);
    const ids = [...this.running.keys()];
    ids.forEach((id) => this.cancel(id));
    await Promise.all(ids.map((id) => this.waitFor(id)));
    clearInterval(this.cancelPoll);
  }

  private enqueue(id: string): void {
    this.queue.push(id);
    this.announce(id);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency && this.queue.length > 0) {
      this.launch(this.queue.shift()!);
    }
    if (this.running.size + this.queue.length > 0 && !this.cancelPoll) {
      this.cancelPoll = setInterval(() => this.pollStopRequests(), this.options.stopPollMs);
      this.cancelPoll.unref();
    }
  }

  private launch(id: string): void {
    // A stop another process asked for while the job waited here is honoured, not reset.
    const claim = this.store.claimToRun(id, process.pid);
    if (claim === 'gone') return this.pump();
    if (claim !== 'run') return this.settle(id, claim === 'pause' ? 'paused' : 'cancelled', {});
    const job = this.get(id);
    const { file, entry } = workerEntry(this.options.workerModule);
    const cancelFlag = new SharedArrayBuffer(4);
    const start: WorkerStart = {
      cancelFlag,
      jobId: id,
      kind: job.kind,
      input: job.input,
      resumeState: this.store.checkpointOf(id),
      dataDir: this.options.dataDir,
      dbPath: this.options.dbPath,
      ...(this.options.backend ? { backend: this.options.backend } : {}),
      ...(entry ? { entry } : {}),
    };
    const worker = new Worker(file, { workerData: start });
    const running: Running = { worker, cancelFlag: new Int32Array(cancelFlag), startedAt: Date.now(), lastProgressAt: 0, pendingProgress: null, maxFraction: 0 };
    this.running.set(id, running);
    worker.on('message', (message: FromWorker) => this.onMessage(id, running, message));
    worker.on('error', (error) => this.settle(id, 'failed', { error: { code: 'internal', message: `worker crashed: ${error.message}` } }));
    worker.on('exit', (code) => {
      if (this.running.get(id) === running) {
        if (running.stopping) this.settle(id, running.stopping === 'pause' ? 'paused' : 'cancelled', {});
        else this.settle(id, 'failed', { error: { code: 'internal', message: `worker exited with code ${code} before finishing` } });
      }
    });
    this.announce(id);
  }

  private onMessage(id: string, running: Running, message: FromWorker): void {
    switch (message.type) {
      case 'progress': {
        running.maxFraction = Math.max(running.maxFraction, Math.min(1, message.progress.fraction));
        running.pendingProgress = withEta({ ...message.progress, fraction: running.maxFraction }, Date.now() - running.startedAt);
        if (Date.now() - running.lastProgressAt >= this.options.progressIntervalMs) this.flushProgress(id, running);
        break;
      }
      case 'checkpoint':
        this.store.saveCheckpoint(id, message.state);
        break;
      case 'succeeded':
        this.flushProgress(id, running);
        this.store.saveProgress(id, doneProgress(this.store.get(id)?.progress ?? null)); // announced with the status: not the last phase's "90 % writing PNGs"
        this.settle(id, 'succeeded', { result: message.result });
        break;
      case 'cancelled':
        this.flushProgress(id, running);
        this.settle(id, 'cancelled', {});
        break;
      case 'paused':
        this.flushProgress(id, running);
        this.settle(id, 'paused', {});
        break;
      case 'failed':
        this.flushProgress(id, running);
        this.settle(id, 'failed', { error: message.error });
        break;
    }
  }

  private flushProgress(id: string, running: Running): void {
    if (!running.pendingProgress) return;
    this.store.saveProgress(id, running.pendingProgress);
    running.pendingProgress = null;
    running.lastProgressAt = Date.now();
    this.announce(id);
  }

  /** Raises the worker's stop flag (1 cancel, 2 pause; a cancel overrides a pause) and terminates it if it does not stop in time. */
  private askToStop(id: string, running: Running, kind: StopKind): void {
    if (running.stopping === 'cancel' || running.stopping === kind) return;
    running.stopping = kind;
    Atomics.store(running.cancelFlag, 0, kind === 'pause' ? 2 : 1);
    clearTimeout(running.cancelTimer);
    running.cancelTimer = setTimeout(() => this.terminate(id, running), kind === 'pause' ? this.options.pauseGraceMs : this.options.cancelGraceMs);
  }

  /**
   * Ends a worker that ignored its stop. One stuck in native code survives terminate(): after
   * terminateGraceMs its job is failed with the reason and the queue goes on; the thread is
   * unreferenced so that it alone does not keep the process alive.
   */
  private terminate(id: string, running: Running): void {
    void running.worker.terminate();
    const graceSeconds = (running.stopping === 'pause' ? this.options.pauseGraceMs : this.options.cancelGraceMs) / 1000;
    running.abandonTimer = setTimeout(() => {
      if (this.running.get(id) !== running) return;
      running.worker.unref();
      const message = `the job did not stop within ${graceSeconds} s of being asked to ${running.stopping} and its worker could not be terminated (stuck outside JavaScript): it was abandoned`;
      this.settle(id, 'failed', { error: { code: 'internal', message } });
    }, this.options.terminateGraceMs);
    running.abandonTimer.unref();
  }

  /** Stops asked for by other processes (through the jobs table), for jobs running or queued here. */
  private pollStopRequests(): void {
    for (const [id, kind] of this.store.stopRequests([...this.running.keys(), ...this.queue])) {
      const running = this.running.get(id);
      const queuedHere = this.queue.indexOf(id);
      if (running) this.askToStop(id, running, kind);
      else if (queuedHere >= 0) {
        this.queue.splice(queuedHere, 1);
        this.settle(id, kind === 'pause' ? 'paused' : 'cancelled', {});
      }
    }
  }

  private settle(id: string, status: 'succeeded' | 'failed' | 'cancelled' | 'paused', outcome: Parameters<JobStore['finish']>[2]): void {
    const running = this.running.get(id);
    if (running) {
      clearTimeout(running.cancelTimer);
      clearTimeout(running.abandonTimer);
      this.running.delete(id);
      void running.worker.terminate();
    }
    this.store.finish(id, status, outcome);
    const job = this.announce(id);
    this.waiters.get(id)?.forEach((resolve) => resolve(job));
    this.waiters.delete(id);
    if (this.running.size + this.queue.length === 0) {
      clearInterval(this.cancelPoll);
      this.cancelPoll = undefined;
    }
    this.pump();
  }

  private announce(id: string): JobRecord {
    const job = this.get(id);
    this.listeners.forEach((listener) => listener(job));
    return job;
  }
}

/** A finished job's progress: done, 100 %, no time left; its steps and figures kept. */
export function doneProgress(last: JobProgress | null): JobProgress {
  const { etaMs: _eta, ...rest } = last ?? { fraction: 1, message: 'done' };
  return { ...rest, fraction: 1, message: 'done' };
}

/** Fills in the time left from the fraction done, where the job did not say. */
function withEta(progress: JobProgress, elapsedMs: number): JobProgress {
  if (progress.etaMs !== undefined || progress.fraction <= 0) return progress;
  return { ...progress, etaMs: Math.round((elapsedMs * (1 - progress.fraction)) / progress.fraction) };
}
