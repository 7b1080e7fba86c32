/**
 * Runs: the training runs (`runs.list`) side by side with their evaluations
 * (`runs.evaluations`), which runs are plotted, and evaluating a run at its latest step as a
 * `gan-eval` job, on the dataset's captions or on prompts typed one a line (`lafite eval --prompts`). The jobs store's `job.updated` events tell which evaluations are going and
 * when one is done (then the evaluations are read again). Runs are renamed (`runs.rename`) and
 * removed with their files (`runs.remove`) after a confirmation in a bar above the table.
 *
 * @example
 *   const runs = useRunsStore();
 *   await runs.load();
 *   runs.toggle(runs.rows[0].run.id);
 *   await runs.evaluate(runs.rows[0].run.id, 500);
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { EvaluationRecord, JobRecord, RunSummary } from '../../../main/contract/index.ts';
import { useApiClient, type DisplayError } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { bestFigures, compareRows, visibleMetrics } from './runs-compare.ts';
import { promptLines } from './training-form.ts';
import { isActive } from './training-run.ts';
import { trackCall, trackItemCall } from './tracked-call.ts';

/** Images an evaluation generates unless the user says otherwise (the `gan-eval` default). */
export const DEFAULT_EVAL_IMAGES = 500;
/** Seed of an evaluation's prompts and noise: the same for every run, so their figures compare. */
export const EVAL_SEED = 0;

/** The run a `gan-eval` job measures, or null for any other job. */
function evalRunOf(job: JobRecord): string | null {
  if (job.kind !== 'gan-eval' || typeof job.input !== 'object' || job.input === null) return null;
  const run = (job.input as { run?: unknown }).run;
  return typeof run === 'string' ? run : null;
}

export const useRunsStore = defineStore('runs', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const runs = shallowRef<RunSummary[]>([]);
  const evaluations = shallowRef<EvaluationRecord[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  /** The last failure of reading runs or evaluations, or of starting an evaluation. */
  const error = ref<DisplayError | null>(null);
  /** Runs whose `jobs.start` call is in flight. */
  const startingIds = ref<Set<string>>(new Set());
  /** The runs whose figures are plotted. */
  const selected = ref<Set<string>>(new Set());
  /** Images per evaluation, per run (the row's n field). */
  const evalImages = ref<Record<string, number>>({});
  /** Prompts to evaluate on, one a line (blank lines ignored); empty: the dataset's captions. */
  const evalPrompts = ref('');

  const rows = computed(() => compareRows(runs.value, evaluations.value));
  /** Per training run, whether Resume can work (`RunSummary.resumable`: stopped, and a checkpoint or a reason a second try gets past). */
  const resumable = computed(() => Object.fromEntries(runs.value.map((run) => [run.id, run.resumable ?? false])) as Record<string, boolean>);
  const metrics = computed(() => visibleMetrics(evaluations.value));
  const best = computed(() => bestFigures(rows.value, metrics.value));
  /** Selected runs in the table's order (the charts' line order). */
  const selectedIds = computed(() => runs.value.map((run) => run.id).filter((id) => selected.value.has(id)));

  /** Per run, its newest `gan-eval` job that the jobs store holds (events keep it current). */
  const evalJobs = computed(() => {
    const byRun: Record<string, JobRecord> = {};
    for (const job of jobsStore.jobs) {
      const run = evalRunOf(job);
      if (run && !byRun[run]) byRun[run] = job; // jobs are newest first
    }
    return byRun;
  });
  /** Whether an evaluation of `run` is going (or being started). */
  const isEvaluating = (run: string): boolean => startingIds.value.has(run) || (evalJobs.value[run] !== undefined && isActive(evalJobs.value[run]!.status));

  async function readEvaluations(): Promise<void> {
    evaluations.value = await api.call('runs.evaluations', {});
  }

  /** Runs and their evaluations. */
  async function refresh(): Promise<void> {
    await trackCall(loading, error, async () => {
      const [nextRuns] = await Promise.all([api.call('runs.list', {}), readEvaluations()]);
      runs.value = nextRuns;
      loaded.value = true;
    });
  }

  /** Runs, their evaluations, and the jobs (for the evaluations that are going). */
  async function load(): Promise<void> {
    await Promise.all([refresh(), jobsStore.load()]);
  }

  // An evaluation that finishes adds a record; a training run that moves changes its row.
  const signature = computed(() =>
    jobsStore.jobs
      .filter((job) => job.kind === 'gan-eval' || job.kind === 'gan-train' || job.kind === 'diffusion-train')
      .map((job) => `${job.id}:${job.status}`)
      .join(' '),
  );
  watch(signature, () => {
    if (loaded.value) void refresh();
  });

  /** Starts a `gan-eval` job of `run` at its latest kept step with `images` prompts; false when it could not start (see `error`). */
  async function evaluate(run: string, images: number): Promise<boolean> {
    error.value = null;
    const prompts = promptLines(evalPrompts.value);
    const input = { run, n: images, seed: EVAL_SEED, ...(prompts.length > 0 ? { prompts } : {}) };
    const job = await trackItemCall(startingIds, run, error, () => api.call('jobs.start', { kind: 'gan-eval', input }));
    if (job) await jobsStore.refreshJob(job.id);
    return job !== null;
  }

  // Tidying: rename and remove, each asked for in a bar above the table ----------------------

  /** The run whose Rename or Remove bar is open, and which. */
  const managing = ref<{ run: string; action: 'rename' | 'remove' } | null>(null);
  /** A rename or remove call in flight. */
  const managingBusy = ref(false);
  /** The last failure of a rename or remove (shown in the bar; a busy run, a name taken). */
  const manageError = ref<DisplayError | null>(null);

  function ask(run: string, action: 'rename' | 'remove'): void {
    managing.value = { run, action };
    manageError.value = null;
  }

  function closeManage(): void {
    managing.value = null;
    manageError.value = null;
  }

  /** Names `run` (`runs.rename`); true when it was. */
  async function rename(run: string, name: string): Promise<boolean> {
    const renamed = await trackCall(managingBusy, manageError, () => api.call('runs.rename', { id: run, name: name.trim() }));
    if (!renamed) return false;
    runs.value = runs.value.map((r) => (r.id === run ? { ...r, name: renamed.name ?? null } : r));
    closeManage();
    return true;
  }

  /** Deletes `run`, its files, generations and evaluations (`runs.remove`); true when it was. */
  async function remove(run: string): Promise<boolean> {
    const removed = await trackCall(managingBusy, manageError, () => api.call('runs.remove', { id: run }));
    if (!removed) return false;
    closeManage();
    const next = new Set(selected.value);
    next.delete(run);
    selected.value = next;
    await Promise.all([refresh(), jobsStore.load()]);
    return true;
  }

  function toggle(run: string): void {
    const next = new Set(selected.value);
    if (!next.delete(run)) next.add(run);
    selected.value = next;
  }

  function setImages(run: string, images: number): void {
    evalImages.value = { ...evalImages.value, [run]: images };
  }

  return {
    runs,
    evaluations,
    loaded,
    loading,
    error,
    selected,
    selectedIds,
    evalImages,
    evalPrompts,
    rows,
    resumable,
    metrics,
    best,
    evalJobs,
    isEvaluating,
    load,
    refresh,
    evaluate,
    toggle,
    setImages,
    managing,
    managingBusy,
    manageError,
    ask,
    closeManage,
    rename,
    remove,
    imagesOf: (run: string): number => evalImages.value[run] ?? DEFAULT_EVAL_IMAGES,
    dismissError: () => (error.value = null),
  };
});
