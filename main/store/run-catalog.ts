/**
 * The user's handle on training runs: a name per run (`job_names`, unique, usable wherever
 * the run's id is) and removing a run's rows (its job, losses, record, evaluations, and the
 * generation and evaluation jobs made from it) in one transaction. Its files are the caller's
 * to delete after the rows (a crash between the two leaves unused files, never rows without files).
 */
import type { Db } from './db.ts';
import { writeTransaction } from './transaction.ts';

/** Job kinds that name a training run in their input's `run`: removed with it. */
const RUN_CHILD_KINDS = ['gan-generate', 'gan-eval'] as const;

export class RunCatalog {
  constructor(private readonly db: Db) {}

  /** The names of these jobs (those that have one). */
  names(ids?: readonly string[]): Map<string, string> {
    const rows = (
      ids
        ? ids.length === 0
          ? []
          : this.db.prepare(`SELECT job_id, name FROM job_names WHERE job_id IN (${ids.map(() => '?').join(',')})`).all(...ids)
        : this.db.prepare('SELECT job_id, name FROM job_names').all()
    ) as { job_id: string; name: string }[];
    return new Map(rows.map((row) => [row.job_id, row.name]));
  }

  /** The job a name belongs to. */
  byName(name: string): string | undefined {
    return (this.db.prepare('SELECT job_id FROM job_names WHERE name = ?').get(name) as { job_id: string } | undefined)?.job_id;
  }

  /** Names job `id`; false when another job has that name already. */
  rename(id: string, name: string): boolean {
    return writeTransaction(this.db, () => {
      const owner = this.byName(name);
      if (owner !== undefined && owner !== id) return false;
      this.db
        .prepare('INSERT INTO job_names (job_id, name, updated_at) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at')
        .run(id, name, new Date().toISOString());
      return true;
    });
  }

  /** Generation and evaluation jobs of run `id` that are queued or running. */
  activeChildren(id: string): { id: string; kind: string; status: string }[] {
    return this.db
      .prepare(
        `SELECT id, kind, status FROM jobs WHERE kind IN (${RUN_CHILD_KINDS.map(() => '?').join(',')})
           AND json_extract(input, '$.run') = ? AND status IN ('queued', 'running')`,
      )
      .all(...RUN_CHILD_KINDS, id) as { id: string; kind: string; status: string }[];
  }

  /**
   * Deletes run `id`'s rows, and its generation and evaluation jobs, in one transaction, unless
   * one of them is queued or running then (checked under the write lock). Returns how many jobs
   * went (the run's own included), or the job that is busy.
   */
  remove(id: string): { removedJobs: number } | { busy: { id: string; kind: string; status: string } } {
    return writeTransaction(this.db, () => {
      const own = this.db.prepare("SELECT id, kind, status FROM jobs WHERE id = ? AND status IN ('queued', 'running')").get(id) as
        { id: string; kind: string; status: string } | undefined;
      const busy = own ?? this.activeChildren(id)[0];
      if (busy) return { busy };
      const children = this.db
        .prepare(`DELETE FROM jobs WHERE kind IN (${RUN_CHILD_KINDS.map(() => '?').join(',')}) AND json_extract(input, '$.run') = ?`)
        .run(...RUN_CHILD_KINDS, id).changes;
      const ownRow = this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id).changes; // cascades: training_runs, run_metrics, evaluations, job_names
      return { removedJobs: children + ownRow };
    });
  }
}
