/**
 * What the desktop shell shows of the jobs the engine runs, as pure functions of the job
 * events it has seen (no Electron import, unit-tested): the taskbar's progress value,
 * whether the machine must stay awake, whether quitting needs a confirmation, and the
 * notice for a job that ended.
 *
 *   const tracker = new JobTracker();
 *   const ended = tracker.update(job);        // the job's record when it just left 'running'
 *   win.setProgressBar(tracker.taskbarProgress());
 */
import type { JobRecord } from '../main/contract/index.ts';

/** Electron's setProgressBar: below 0 removes the bar, above 1 shows it indeterminate. */
export const PROGRESS_NONE = -1;
export const PROGRESS_INDETERMINATE = 2;

/** States in which a job still has work to do in this process. */
const ACTIVE = new Set<JobRecord['status']>(['queued', 'running']);

/** A job kind in words (`gan-train` → `gan train`), for notifications and dialogs. */
export function jobLabel(job: Pick<JobRecord, 'kind'>): string {
  return job.kind.replace(/-/g, ' ');
}

/** The taskbar value for these active jobs: none, indeterminate until one reports, else the mean fraction. */
export function taskbarProgress(active: readonly Pick<JobRecord, 'status' | 'progress'>[]): number {
  if (active.length === 0) return PROGRESS_NONE;
  const fractions = active.flatMap((job) => (job.status === 'running' && job.progress ? [Math.min(1, Math.max(0, job.progress.fraction))] : []));
  if (fractions.length === 0) return PROGRESS_INDETERMINATE;
  return fractions.reduce((sum, f) => sum + f, 0) / active.length; // queued jobs count as 0
}

/** What a confirmation dialog before quitting says; null when nothing is running and quitting needs no question. */
export function quitQuestion(active: readonly Pick<JobRecord, 'kind' | 'status'>[]): { message: string; detail: string } | null {
  if (active.length === 0) return null;
  const running = active.filter((job) => job.status === 'running');
  const names = [...new Set(active.map(jobLabel))].join(', ');
  const count = active.length === 1 ? 'A job is' : `${active.length} jobs are`;
  return {
    message: `${count} still ${running.length > 0 ? 'running' : 'waiting'} (${names}). Quit anyway?`,
    detail: 'Quitting stops them cleanly: training keeps its last checkpoint and every job can be resumed from the Jobs view after the next start.',
  };
}

/** The notification for a job that left 'running'; null for a cancel (the user asked for it). */
export function endNotice(job: Pick<JobRecord, 'kind' | 'status' | 'error'>): { title: string; body: string } | null {
  const label = jobLabel(job);
  switch (job.status) {
    case 'succeeded':
      return { title: `Finished: ${label}`, body: 'The job is done; its results are in the app.' };
    case 'failed':
      return { title: `Failed: ${label}`, body: job.error?.message ?? 'The job stopped with an error; the Jobs view says why.' };
    case 'interrupted':
    case 'paused':
      return { title: `Stopped: ${label}`, body: 'The job can be resumed from the Jobs view.' };
    default:
      return null;
  }
}

/** The jobs seen through `job.updated` events, by id. */
export class JobTracker {
  private readonly jobs = new Map<string, JobRecord>();

  /** Records a job's new state; returns it when it has just ended after running (for a notice). */
  update(job: JobRecord): JobRecord | null {
    const before = this.jobs.get(job.id);
    if (ACTIVE.has(job.status)) {
      this.jobs.set(job.id, job);
      return null;
    }
    this.jobs.delete(job.id);
    return before?.status === 'running' ? job : null;
  }

  /** Jobs queued or running, oldest first. */
  active(): JobRecord[] {
    return [...this.jobs.values()];
  }

  /** Whether any job runs (the machine should not sleep). */
  busy(): boolean {
    return this.jobs.size > 0;
  }

  taskbarProgress(): number {
    return taskbarProgress(this.active());
  }

  quitQuestion(): { message: string; detail: string } | null {
    return quitQuestion(this.active());
  }
}
