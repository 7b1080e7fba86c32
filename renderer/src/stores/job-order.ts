/**
 * Which of two copies of the same job is newer. Records arrive from call results and from
 * events in any order, and carry no revision number, so we order them by what only moves
 * forward: attempts, then the status phase, then progress.
 */
import type { JobRecord, JobStatus } from '../../../main/contract/index.ts';

const PHASE: Record<JobStatus, number> = {
  queued: 0,
  running: 1,
  succeeded: 2,
  failed: 2,
  cancelled: 2,
  interrupted: 2,
  paused: 2,
};

/** Whether `incoming` is older than `current` and should be dropped. */
export function isStaleJob(incoming: JobRecord, current: JobRecord): boolean {
  if (incoming.attempts !== current.attempts) return incoming.attempts < current.attempts;
  const phaseIn = PHASE[incoming.status];
  const phaseCurrent = PHASE[current.status];
  if (phaseIn !== phaseCurrent) return phaseIn < phaseCurrent;
  if (incoming.status === 'running' && current.status === 'running') {
    return (incoming.progress?.fraction ?? 0) < (current.progress?.fraction ?? 0);
  }
  return false;
}

/** Whether a job can still be cancelled. */
export const isCancellable = (job: JobRecord): boolean => job.status === 'queued' || job.status === 'running';

/** Whether a job can be resumed (run again from where it stopped). */
export const isResumable = (job: JobRecord): boolean => job.status === 'paused' || job.status === 'interrupted' || job.status === 'cancelled' || job.status === 'failed';
