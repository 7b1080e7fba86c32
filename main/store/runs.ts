/**
 * What a training run records beside its job row: the backend and device of each attempt,
 * the network sizes (`training_runs`), and the losses of every step (`run_metrics`) that the
 * Training view plots. A resumed run first drops the steps after its last checkpoint, so the
 * history always matches the networks it continues from.
 */
import type { Db } from './db.ts';
import { writeTransaction } from './transaction.ts';

export interface RunAttempt {
  backend: string;
  device: string | null;
  /** The step it started from (0 for the first attempt). */
  fromStep: number;
  at: string;
}

export interface TrainingRunRow {
  jobId: string;
  backend: string;
  device: string | null;
  gParams: number;
  dParams: number;
  images: number;
  attempts: RunAttempt[];
}

export type StepMetrics = Record<string, number>;

export class RunStore {
  constructor(private readonly db: Db) {}

  /** Records an attempt of a run (a fresh start or a resume from `fromStep`), and drops the history after that step. */
  beginAttempt(jobId: string, run: Omit<TrainingRunRow, 'jobId' | 'attempts'>, fromStep: number): void {
    const at = new Date().toISOString();
    writeTransaction(this.db, () => {
      const previous = this.get(jobId)?.attempts ?? [];
      const attempts: RunAttempt[] = [...previous, { backend: run.backend, device: run.device, fromStep, at }];
      this.db
        .prepare(
          `INSERT INTO training_runs (job_id, backend, device, g_params, d_params, images, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_id) DO UPDATE SET backend = excluded.backend, device = excluded.device, g_params = excluded.g_params,
             d_params = excluded.d_params, images = excluded.images, attempts = excluded.attempts, updated_at = excluded.updated_at`,
        )
        .run(jobId, run.backend, run.device, run.gParams, run.dParams, run.images, JSON.stringify(attempts), at);
      this.db.prepare('DELETE FROM run_metrics WHERE job_id = ? AND step > ?').run(jobId, fromStep);
    });
  }

  get(jobId: string): TrainingRunRow | undefined {
    const row = this.db.prepare('SELECT * FROM training_runs WHERE job_id = ?').get(jobId) as
      { job_id: string; backend: string; device: string | null; g_params: number; d_params: number; images: number; attempts: string } | undefined;
    if (!row) return undefined;
    return {
      jobId: row.job_id,
      backend: row.backend,
      device: row.device,
      gParams: row.g_params,
      dParams: row.d_params,
      images: row.images,
      attempts: JSON.parse(row.attempts) as RunAttempt[],
    };
  }

  /** Stores the figures of one or more steps at once (one transaction). */
  addMetrics(jobId: string, rows: ReadonlyArray<{ step: number; metrics: StepMetrics }>): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO run_metrics (job_id, step, metrics) VALUES (?, ?, ?)');
    writeTransaction(this.db, () => rows.forEach((row) => insert.run(jobId, row.step, JSON.stringify(row.metrics))));
  }

  /**
   * The history of a run, thinned to at most `maxPoints` rows by averaging consecutive steps
   * (a plot of 100k steps needs no 100k points; averages keep the trend a sample would hide).
   */
  metrics(jobId: string, maxPoints = 1000): { step: number; metrics: StepMetrics }[] {
    const rows = (this.db.prepare('SELECT step, metrics FROM run_metrics WHERE job_id = ? ORDER BY step').all(jobId) as { step: number; metrics: string }[]).map((row) => ({
      step: row.step,
      metrics: JSON.parse(row.metrics) as StepMetrics,
    }));
    const size = Math.ceil(rows.length / Math.max(1, maxPoints));
    if (size <= 1) return rows;
    const thinned: { step: number; metrics: StepMetrics }[] = [];
    for (let i = 0; i < rows.length; i += size) thinned.push(averageRows(rows.slice(i, i + size)));
    return thinned;
  }

  lastStep(jobId: string): number {
    const row = this.db.prepare('SELECT max(step) AS step FROM run_metrics WHERE job_id = ?').get(jobId) as { step: number | null };
    return row.step ?? 0;
  }
}

/** One row for a group of steps: the last step, each figure averaged over the rows that have it. */
function averageRows(group: ReadonlyArray<{ step: number; metrics: StepMetrics }>): { step: number; metrics: StepMetrics } {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const row of group) {
    for (const [name, value] of Object.entries(row.metrics)) {
      if (!Number.isFinite(value)) continue;
      const entry = sums.get(name) ?? { sum: 0, count: 0 };
      entry.sum += value;
      entry.count += 1;
      sums.set(name, entry);
    }
  }
  return { step: group[group.length - 1]!.step, metrics: Object.fromEntries([...sums].map(([name, { sum, count }]) => [name, sum / count])) };
}
