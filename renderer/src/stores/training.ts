/**
 * Training: the runs of Lafite's conditional StyleGAN2 and of Lafite2's diffusion model
 * (`runs.list`), starting one as a `gan-train` or `diffusion-train` job, and one run's page: its detail (`runs.get`: configuration, backend,
 * losses, sample steps), kept live by the job's `job.updated` events (each step's losses
 * arrive in its progress and are plotted at once; `runs.get` is asked again when a sample
 * grid is due, the status changes, or every few seconds), its sample grids (`runs.sample`,
 * cached by step), and Pause, Resume and Cancel through the jobs store.
 *
 * @example
 *   const training = useTrainingStore();
 *   await training.load();
 *   const job = await training.start(trainInput(form), trainJobKind(form));  // training-form.ts
 *   if (job) await training.openRun(job.id);
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { DatasetRecord, JobKind, JobRecord, PreflightProblem, PseudoRunRecord, RunDetail, RunSummary } from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { pngDataUrl } from './playground-form.ts';
import type { PerturbationNetwork } from './pseudo-form.ts';
import { appendLivePoint, mergeMetrics, trimLive, type MetricPoint } from './run-metrics.ts';
import { DEFAULT_TRAIN_FORM, type TrainForm } from './training-form.ts';
import { isActive, liveRun, needsRefresh, type RefreshMark } from './training-run.ts';
import { trackCall } from './tracked-call.ts';

/** Points of the loss history `runs.get` returns (longer runs are averaged down to this). */
export const MAX_POINTS = 1000;
/** While a run is active its detail is read again at least this often (backend, ETA, a run of another process). */
export const REFRESH_MS = 5000;

/** A sample grid ready to show: its image as a data URL and what each column shows. */
export interface SampleGrid {
  step: number;
  url: string;
  labels: string[];
}

/** The job kinds that train a run, one per family. */
type TrainJobKind = Extract<JobKind, 'gan-train' | 'diffusion-train'>;

export const useTrainingStore = defineStore('training', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const datasets = ref<DatasetRecord[]>([]);
  const datasetsLoaded = ref(false);
  const runs = ref<RunSummary[]>([]);
  const runsLoaded = ref(false);
  const loading = ref(false);
  /** The last failure of listing or reading a run, for the banner. */
  const error = ref<DisplayError | null>(null);

  async function listRuns(): Promise<void> {
    await trackCall(loading, error, async () => {
      runs.value = await api.call('runs.list', {});
      runsLoaded.value = true;
    });
  }

  async function listDatasets(): Promise<void> {
    await trackCall(loading, error, async () => {
      datasets.value = await api.call('datasets.list', {});
      datasetsLoaded.value = true;
    });
  }

  /** The form's dataset's pseudo runs (retrieval and CLO train on one) and the trained perturbation networks (Lafite_NN). */
  const pseudoRuns = ref<PseudoRunRecord[]>([]);
  const networks = ref<PerturbationNetwork[]>([]);

  /** Reads what a run on `dataset` may condition on; a failure shows in the banner and leaves the lists empty. */
  async function listConditionSources(dataset: string): Promise<void> {
    await trackCall(loading, error, async () => {
      const [runsOfDataset, trained] = await Promise.all([dataset === '' ? Promise.resolve([]) : api.call('pseudo.runs', { dataset }), api.call('pseudo.networks', {})]);
      pseudoRuns.value = runsOfDataset;
      networks.value = trained;
    });
  }

  /** Datasets, runs, and the jobs (for the live status of runs that are going). */
  async function load(): Promise<void> {
    await Promise.all([listDatasets(), listRuns(), jobsStore.load()]);
  }

  /** Runs whose networks a new run may start from (fine-tuning) or the Playground may draw with. */
  const runsWithCheckpoint = computed(() => runs.value.filter((run) => run.hasCheckpoint));

  // Keeps the list current: a training job of either family that starts, stops or resumes changes its row.
  const trainJobsSignature = computed(() =>
    jobsStore.jobs
      .filter((job) => job.kind === 'gan-train' || job.kind === 'diffusion-train')
      .map((job) => `${job.id}:${job.status}:${job.attempts}`)
      .join(' '),
  );
  watch(trainJobsSignature, () => {
    if (runsLoaded.value) void listRuns();
  });

  // Starting ------------------------------------------------------------------------------

  /** The new run's form, kept while the user looks at a run and comes back. */
  const form = ref<TrainForm>({ ...DEFAULT_TRAIN_FORM });
  const starting = ref(false);
  /** Why the run could not start, with the field at fault (`input.steps`). */
  const startError = ref<DisplayError | null>(null);

  /** What would make a run of the form's input fail before its first step (jobs.check): Start is disabled with these. */
  const blockers = ref<PreflightProblem[]>([]);
  let checkSeq = 0;
  /** Asks the API's pre-flight about `input` for a job of `kind`; only the latest answer counts. */
  async function check(input: Record<string, unknown>, kind: TrainJobKind = 'gan-train'): Promise<void> {
    const seq = ++checkSeq;
    try {
      const { problems } = await api.call('jobs.check', { kind, input });
      if (seq === checkSeq) blockers.value = problems;
    } catch {
      if (seq === checkSeq) blockers.value = []; // the start itself will say what is wrong
    }
  }

  /** Starts a `gan-train` or `diffusion-train` job; its record, or null with the reason in `startError`. */
  async function start(input: Record<string, unknown>, kind: TrainJobKind = 'gan-train'): Promise<JobRecord | null> {
    startError.value = null;
    const job = await trackCall(starting, startError, () => api.call('jobs.start', { kind, input }));
    if (job) await jobsStore.refreshJob(job.id);
    return job;
  }

  // One run -------------------------------------------------------------------------------

  const runId = ref<string | null>(null);
  const detail = shallowRef<RunDetail | null>(null);
  const detailLoading = ref(false);
  /** Steps that arrived in progress events after the detail's history ends. */
  const live = shallowRef<MetricPoint[]>([]);
  const samples = shallowRef(new Map<number, SampleGrid>());
  /** The run's job as the jobs store holds it (events keep it current). */
  const runJob = computed(() => (runId.value ? (jobsStore.byId[runId.value] ?? null) : null));
  const liveState = computed(() => (detail.value && detail.value.id === runId.value ? liveRun(detail.value, runJob.value) : null));
  /** The losses to plot: the recorded history, then the live steps. */
  const points = computed(() => (detail.value ? mergeMetrics(detail.value.metrics, live.value) : []));
  const sampleEvery = computed(() => {
    const every = detail.value?.config.sampleEvery;
    return typeof every === 'number' ? every : 100;
  });

  let mark: RefreshMark | null = null;
  let refreshing: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function stopTimer(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  /** While the run is active, reads its detail again after REFRESH_MS (each refresh re-arms it). */
  function armTimer(): void {
    stopTimer();
    const state = liveState.value;
    if (!runId.value || !state || !isActive(state.status)) return;
    timer = setTimeout(() => void refreshDetail(), REFRESH_MS);
  }

  /** Reads the run's detail (one call at a time; a call asked meanwhile waits for it). */
  function refreshDetail(): Promise<void> {
    const id = runId.value;
    if (!id) return Promise.resolve();
    if (refreshing) return refreshing;
    refreshing = (async () => {
      detailLoading.value = true;
      try {
        const next = await api.call('runs.get', { id, maxPoints: MAX_POINTS });
        if (runId.value !== id) return;
        detail.value = next;
        live.value = trimLive(live.value, next.metrics);
        const state = liveRun(next, runJob.value);
        mark = { status: state.status, step: state.step, attempts: state.attempts };
      } catch (caught) {
        if (runId.value === id) error.value = toDisplayError(caught);
      } finally {
        detailLoading.value = false;
        refreshing = null;
        armTimer();
      }
    })();
    return refreshing;
  }

  /** Shows a run's page (null: none); its job is read too, so its status follows events from now on. */
  async function openRun(id: string | null): Promise<void> {
    if (id === runId.value && (id === null || detail.value?.id === id)) return;
    stopTimer();
    runId.value = id;
    detail.value = null;
    live.value = [];
    samples.value = new Map();
    mark = null;
    if (!id) return;
    await Promise.all([jobsStore.refreshJob(id), refreshDetail()]);
  }

  // Each step's losses from the job's progress; the detail again when a grid is due or the status moved.
  watch(runJob, (job) => {
    if (!job || !detail.value || job.id !== runId.value) return;
    const progress = job.progress;
    if (job.status === 'running' && progress?.step !== undefined && progress.metrics) {
      live.value = appendLivePoint(live.value, { step: progress.step, metrics: progress.metrics });
    }
    const state = liveRun(detail.value, job);
    const now = { status: state.status, step: state.step, attempts: state.attempts };
    if (mark && needsRefresh(mark, now, sampleEvery.value)) {
      if (now.attempts !== mark.attempts) live.value = [];
      mark = now;
      void refreshDetail();
    }
  });

  /** The sample grid of `step`, read once and cached. */
  async function loadSample(step: number): Promise<SampleGrid | null> {
    const id = runId.value;
    if (!id) return null;
    const cached = samples.value.get(step);
    if (cached) return cached;
    try {
      const sample = await api.call('runs.sample', { id, step });
      if (runId.value !== id) return null;
      const grid = { step, url: pngDataUrl(sample.png), labels: sample.labels };
      samples.value = new Map(samples.value).set(step, grid);
      return grid;
    } catch (caught) {
      if (runId.value === id) error.value = toDisplayError(caught);
      return null;
    }
  }

  /** Pause, Resume or Cancel the open run, then read its detail again. */
  async function act(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const id = runId.value;
    if (!id) return;
    await jobsStore[action](id);
    await refreshDetail();
  }

  /** Leaves the run's page: no more timed refreshes (opening it again reads it afresh). */
  function closeRun(): void {
    void openRun(null);
  }

  return {
    datasets,
    datasetsLoaded,
    runs,
    runsLoaded,
    runsWithCheckpoint,
    pseudoRuns,
    networks,
    loading,
    error,
    form,
    starting,
    startError,
    blockers,
    check,
    runId,
    detail,
    detailLoading,
    runJob,
    liveState,
    points,
    samples,
    load,
    listRuns,
    listDatasets,
    listConditionSources,
    start,
    openRun,
    closeRun,
    refreshDetail,
    loadSample,
    pause: () => act('pause'),
    resume: () => act('resume'),
    cancel: () => act('cancel'),
    dismissError: () => (error.value = null),
    dismissStartError: () => (startError.value = null),
  };
});
