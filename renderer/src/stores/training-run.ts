/**
 * One training run as its page shows it: the buttons its status allows, its live figures
 * (from the job's `job.updated` events where there are newer ones than `runs.get`'s), when the
 * page should ask `runs.get` again, and which sample grids the timeline shows. Pure: no store,
 * no API.
 *
 * @example
 *   const live = liveRun(detail, jobsStore.byId[detail.id] ?? null);
 *   if (runActions(live.status).pause) await training.pause(detail.id);
 */
import type { JobRecord, JobStatus, RunDetail, RunSummary } from '../../../main/contract/index.ts';

/** Which of Pause, Resume and Cancel a run in `status` offers (jobs.pause, jobs.resume, jobs.cancel accept exactly these). */
export interface RunActions {
  pause: boolean;
  resume: boolean;
  cancel: boolean;
}

/** `resumable`: the API's word that a resume can work (false for a run refused at its first step, with no checkpoint); unknown counts as yes. */
export function runActions(status: JobStatus, resumable?: boolean): RunActions {
  const active = status === 'queued' || status === 'running';
  const stopped = status === 'paused' || status === 'interrupted' || status === 'cancelled' || status === 'failed';
  return { pause: active, cancel: active || status === 'paused', resume: stopped && resumable !== false };
}

/** Whether a run is working or waiting to (its figures still move). */
export const isActive = (status: JobStatus): boolean => status === 'queued' || status === 'running';

/** What the run page shows in its header and facts, the newest of `runs.get` and the job's events. */
export interface LiveRun {
  status: JobStatus;
  /** The last step done, and the steps asked for. */
  step: number;
  total: number;
  fraction: number;
  imagesPerSecond: number | null;
  /** Time left, while it runs. */
  etaMs: number | null;
  /** What it does now, in words. */
  message: string | null;
  attempts: number;
}

/** The run's live state: the job record's status and progress when there is one (events keep it current), else the detail's. */
export function liveRun(detail: RunDetail, job: JobRecord | null): LiveRun {
  const progress = job?.progress ?? null;
  const status = job?.status ?? detail.status;
  const step = progress?.step ?? detail.step;
  const total = progress?.total ?? detail.steps;
  const imagesPerSecond = progress?.metrics?.imagesPerSecond ?? detail.last?.imagesPerSecond ?? null;
  const etaMs = isActive(status) ? (progress?.etaMs ?? detail.progress?.etaMs ?? null) : null;
  return {
    status,
    step,
    total,
    fraction: total > 0 ? Math.min(1, step / total) : 0,
    imagesPerSecond,
    etaMs,
    message: progress?.message ?? detail.progress?.message ?? null,
    attempts: job?.attempts ?? detail.attempts.length,
  };
}

/** What the page knew when it last asked `runs.get`. */
export interface RefreshMark {
  status: JobStatus;
  step: number;
  attempts: number;
}

/**
 * Whether `runs.get` should be asked again: the status or the attempt changed (paused, resumed,
 * finished), or the step passed a multiple of `sampleEvery` (a new sample grid).
 */
export function needsRefresh(last: RefreshMark, now: RefreshMark, sampleEvery: number): boolean {
  if (now.status !== last.status || now.attempts !== last.attempts) return true;
  const every = Math.max(1, sampleEvery);
  return Math.floor(now.step / every) > Math.floor(last.step / every);
}

/** At most `count` sample steps, evenly spread, the first and the last always among them. */
export function timelineSteps(steps: readonly number[], count: number): number[] {
  if (steps.length <= count) return [...steps];
  if (count <= 1) return steps.length > 0 ? [steps[steps.length - 1]!] : [];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(steps[Math.round((i * (steps.length - 1)) / (count - 1))]!);
  return [...picked];
}

/** An id as lists show it: a job's hexadecimal id by its first 8 characters; a built-in run's name (shapes-pretrained) whole. */
export const shortId = (id: string): string => (/^[0-9a-f-]+$/.test(id) ? id.slice(0, 8) : id);

/** What a run trains, in a line: dataset, preset and conditions. */
export const runLine = (run: Pick<RunSummary, 'dataset' | 'preset' | 'pseudo'>): string => `${run.dataset} · ${run.preset} · ${run.pseudo}`;

/** A number of parameters as "512k" or "1.2M". */
export function formatParams(count: number | null): string {
  if (count === null) return '—';
  if (count >= 1e6) return `${Number((count / 1e6).toPrecision(3))}M`;
  if (count >= 1e3) return `${Math.round(count / 1e3)}k`;
  return String(count);
}

/** Images per second with a sensible number of digits. */
export const formatRate = (value: number | null): string => (value === null ? '—' : value >= 100 ? String(Math.round(value)) : value.toPrecision(3));

/** The run hash routes: its page in the Training view, and the Playground with it chosen. */
export const runHref = (id: string): string => `#/training/${id}`;
export const playgroundHref = (id: string): string => `#/playground/${id}`;

/** A run's goal in steps for people: its time budget when it has one (it stops there, long before `steps`), else the steps asked for. */
export const stepGoal = (run: Pick<RunSummary, 'steps' | 'minutes'>): string => (run.minutes ? `${run.minutes.toLocaleString('en')} min budget` : run.steps.toLocaleString('en'));
