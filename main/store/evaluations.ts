/**
 * Evaluations of training runs (`evaluations`): one row per `gan-eval` job, keyed by the run
 * and the step of the generator it measured, so the Runs view can plot metrics over steps and
 * compare runs. The figures are JSON (their names depend on what could be measured: an
 * attribute accuracy only on ShapesWorld, R-precision only with 100 prompts or more).
 */
import type { Db } from './db.ts';

export interface EvaluationRow {
  jobId: string;
  runId: string;
  step: number;
  images: number;
  metrics: Record<string, number>;
  createdAt: string;
}

export class EvaluationStore {
  constructor(private readonly db: Db) {}

  add(row: Omit<EvaluationRow, 'createdAt'>): void {
    this.db
      .prepare('INSERT OR REPLACE INTO evaluations (job_id, run_id, step, images, metrics, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.jobId, row.runId, row.step, row.images, JSON.stringify(row.metrics), new Date().toISOString());
  }

  /** A run's evaluations by step (all runs' when `runId` is undefined), oldest first. */
  list(runId?: string): EvaluationRow[] {
    const rows = (
      runId
        ? this.db.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY step, created_at').all(runId)
        : this.db.prepare('SELECT * FROM evaluations ORDER BY run_id, step, created_at').all()
    ) as { job_id: string; run_id: string; step: number; images: number; metrics: string; created_at: string }[];
    return rows.map((row) => ({
      jobId: row.job_id,
      runId: row.run_id,
      step: row.step,
      images: row.images,
      metrics: JSON.parse(row.metrics) as Record<string, number>,
      createdAt: row.created_at,
    }));
  }
}
