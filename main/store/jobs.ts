/**
 * Queries on the `jobs` table. Rows hold JSON text; this module turns them into
 * `JobRecord`s and back. It knows nothing of workers or tensors.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorPayload, JobKind, JobProgress, JobRecord, JobStatus } from '../contract/index.ts';
import type { Db } from './db.ts';
import { writeTransaction } from './transaction.ts';

interface JobRow {
  id: string;
  kind: string;
  status: string;
  input: string;
  progress: string | null;
  checkpoint: string | null;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  owner_pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** How a running job is asked to stop: cancel, or pause (stop at a checkpoint, to be resumed). */
export type StopKind = 'cancel' | 'pause';

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const now = (): string => new Date().toISOString();

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    status: row.status as JobStatus,
    input: parse(row.input),
    progress: parse(row.progress) as JobProgress | null,
    result: parse(row.result),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export class JobStore {
  constructor(private readonly db: Db) {}

  /** A new queued job, owned by process `pid` until it finishes. */
  create(kind: JobKind, input: unknown, pid: number): JobRecord {
    const id = randomUUID();
    this.db.prepare('INSERT INTO jobs (id, kind, status, input, owner_pid, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, kind, 'queued', JSON.stringify(input), pid, now());
    return this.get(id)!;
  }

  /**
   * A finished job with a fixed id, as shipped (the built-in pre-trained run): inserted, or
   * replaced when the shipped files changed. Never touches a job of another kind under that id.
   */
  installFinished(id: string, kind: JobKind, input: unknown, result: unknown): void {
    const at = now();
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, status, input, result, created_at, started_at, finished_at) VALUES (?, ?, 'succeeded', ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET input = excluded.input, result = excluded.result, status = 'succeeded', finished_at = excluded.finished_at
         WHERE jobs.kind = excluded.kind`,
      )
      .run(id, kind, JSON.stringify(input), JSON.stringify(result), at, at, at);
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toRecord(row);
  }

  list(limit: number, status?: JobStatus): JobRecord[] {
    const rows = status
      ? this.db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY created_at DESC LIMIT ?').all(status, limit)
      : this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(limit);
    return (rows as JobRow[]).map(toRecord);
  }

  /** Jobs of one kind, newest first; `inputRun`: only those whose input names this run (generations of a training run). */
  listOfKind(kind: JobKind, limit: number, inputRun?: string): JobRecord[] {
    const rows = inputRun
      ? this.db.prepare("SELECT * FROM jobs WHERE kind = ? AND json_extract(input, '$.run') = ? ORDER BY created_at DESC LIMIT ?").all(kind, inputRun, limit)
      : this.db.prepare('SELECT * FROM jobs WHERE kind = ? ORDER BY created_at DESC LIMIT ?').all(kind, limit);
    return (rows as JobRow[]).map(toRecord);
  }

  checkpointOf(id: string): unknown {
    const row = this.db.prepare('SELECT checkpoint FROM jobs WHERE id = ?').get(id) as { checkpoint: string | null } | undefined;
    return parse(row?.checkpoint ?? null);
  }

  /** Asks the process that owns the job to cancel or pause it (it may be another process). */
  requestStop(id: string, kind: StopKind): void {
    this.db.prepare('UPDATE jobs SET cancel_requested = ? WHERE id = ?').run(kind === 'pause' ? 2 : 1, id);
  }

  /** Which of these jobs someone asked to cancel or pause. */
  stopRequests(ids: string[]): Map<string, StopKind> {
    if (ids.length === 0) return new Map();
    const rows = this.db.prepare(`SELECT id, cancel_requested AS request FROM jobs WHERE cancel_requested > 0 AND id IN (${ids.map(() => '?').join(',')})`).all(...ids) as {
      id: string;
      request: number;
    }[];
    return new Map(rows.map((row) => [row.id, row.request === 2 ? 'pause' : 'cancel']));
  }

  ownerOf(id: string): number | null {
    const row = this.db.prepare('SELECT owner_pid FROM jobs WHERE id = ?').get(id) as { owner_pid: number | null } | undefined;
    return row?.owner_pid ?? null;
  }

  /**
   * Takes a queued job to run it: `'run'` once it is `running`, owned by `pid`. A stop asked for
   * while it was queued (by any process) wins instead: `'cancel'` or `'pause'`, the job left
   * queued for the caller to settle. `'gone'` when it is no longer queued (cancelled meanwhile,
   * or taken by another process).
   */
  claimToRun(id: string, pid: number): 'run' | StopKind | 'gone' {
    return writeTransaction(this.db, () => {
      const row = this.db.prepare('SELECT status, cancel_requested AS request FROM jobs WHERE id = ?').get(id) as { status: string; request: number } | undefined;
      if (row?.status !== 'queued') return 'gone';
      if (row.request > 0) return row.request === 2 ? 'pause' : 'cancel';
      this.db
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, owner_pid = ?, started_at = ?,
             finished_at = NULL, error_code = NULL, error_message = NULL WHERE id = ?`,
        )
        .run(pid, now(), id);
      return 'run';
    });
  }

  /**
   * Queues a stopped job again for `pid`, only from one of `from` (the check and the change are
   * one statement): false when its status is another, e.g. another process resumed it first.
   */
  markQueued(id: string, pid: number, from: readonly JobStatus[]): boolean {
    const result = this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', owner_pid = ?, cancel_requested = 0, finished_at = NULL
         WHERE id = ? AND status IN (${from.map(() => '?').join(',')})`,
      )
      .run(pid, id, ...from);
    return result.changes === 1;
  }

  saveProgress(id: string, progress: JobProgress): void {
    this.db.prepare('UPDATE jobs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
  }

  saveCheckpoint(id: string, state: unknown): void {
    this.db.prepare('UPDATE jobs SET checkpoint = ? WHERE id = ?').run(JSON.stringify(state), id);
  }

  finish(id: string, status: Exclude<JobStatus, 'queued' | 'running'>, outcome: { result?: unknown; error?: ErrorPayload }): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = ?, result = ?, error_code = ?, error_message = ?, owner_pid = NULL, finished_at = ?
         WHERE id = ?`,
      )
      .run(status, outcome.result === undefined ? null : JSON.stringify(outcome.result), outcome.error?.code ?? null, outcome.error?.message ?? null, now(), id);
  }

  /**
   * Jobs left `running` or `queued` by a process that no longer exists (killed, crashed)
   * become `interrupted`, so they can be resumed from their last checkpoint.
   */
  reapOrphans(isAlive: (pid: number) => boolean): string[] {
    const mark = this.db.prepare(
      `UPDATE jobs SET status = 'interrupted', owner_pid = NULL, finished_at = ?,
         error_code = 'interrupted', error_message = 'the process running this job stopped' WHERE id = ?`,
    );
    // Read and mark under one write lock: another process may be starting one of these jobs.
    return writeTransaction(this.db, () => {
      const rows = this.db.prepare(`SELECT id, owner_pid FROM jobs WHERE status IN ('running', 'queued')`).all() as Pick<JobRow, 'id' | 'owner_pid'>[];
      const orphans = rows.filter((row) => row.owner_pid === null || !isAlive(row.owner_pid)).map((row) => row.id);
      orphans.forEach((id) => mark.run(now(), id));
      return orphans;
    });
  }
}
