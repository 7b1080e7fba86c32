/**
 * Models: the CLIP encoders the model manager knows (`models.list`, `models.add`,
 * `models.remove`), and their long work as jobs through the jobs store: `model-download`
 * (registry ids) and `model-eval` (zero-shot color/shape accuracy and modality gap on
 * held-out ShapesWorld renders). Downloads and evaluations are read back from the jobs the
 * jobs store holds, so they stay live through `job.updated` events and survive a reload.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Input, JobKind, JobRecord, ModelRecord } from '../../../main/contract/index.ts';
import { useApiClient, type DisplayError } from '../api/index.ts';
import { useJobsStore } from './jobs.ts';
import { modelOfEval, parseEvalResult, registryIdOfDownload, type ModelEvalResult } from './model-jobs.ts';
import { trackCall, trackItemCall } from './tracked-call.ts';

export type { ModelEvalResult } from './model-jobs.ts';

/** Held-out images per evaluation unless the caller says otherwise (the API's default). */
export const DEFAULT_EVAL_IMAGES = 1000;

/** The latest job of `kind` per key (`keyOf` returns null for jobs that do not count). */
function latestJobBy(jobs: readonly JobRecord[], kind: JobKind, keyOf: (job: JobRecord) => string | null): Record<string, JobRecord> {
  const latest: Record<string, JobRecord> = {};
  for (const job of jobs) {
    if (job.kind !== kind) continue;
    const key = keyOf(job);
    if (key !== null && !latest[key]) latest[key] = job; // `jobs` is newest first
  }
  return latest;
}

export const useModelsStore = defineStore('models', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const models = ref<ModelRecord[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  /** The last failure of a list or remove call, for the banner. */
  const error = ref<DisplayError | null>(null);
  /** The last failure of `models.add`, shown beside the form (its `field` names the input at fault). */
  const addError = ref<DisplayError | null>(null);
  const adding = ref(false);
  /** Ids with a remove call in flight. */
  const removingIds = ref<Set<string>>(new Set());

  const byId = computed(() => Object.fromEntries(models.value.map((model) => [model.id, model])));

  /** The newest `model-download` job per model id (running, or how the last one ended). */
  const downloads = computed(() => latestJobBy(jobsStore.jobs, 'model-download', registryIdOfDownload));
  /** The newest `model-eval` job per model id. */
  const evaluations = computed(() => latestJobBy(jobsStore.jobs, 'model-eval', modelOfEval));
  /** The newest succeeded evaluation's result per model id. */
  const evalResults = computed(() => {
    const results: Record<string, ModelEvalResult> = {};
    for (const job of jobsStore.jobs) {
      if (job.kind !== 'model-eval' || job.status !== 'succeeded') continue;
      const result = parseEvalResult(job.result);
      if (result && !results[result.model]) results[result.model] = result;
    }
    return results;
  });

  async function list(): Promise<void> {
    await trackCall(loading, error, async () => {
      models.value = await api.call('models.list', {});
      loaded.value = true;
      error.value = null;
    });
  }

  /** The models and the jobs their downloads and evaluations live in. */
  async function load(): Promise<void> {
    await Promise.all([list(), jobsStore.load()]);
  }

  /** Registers a CLIP folder in place; returns the record, or null with `addError` set. */
  function add(input: Input<'models.add'>): Promise<ModelRecord | null> {
    addError.value = null;
    return trackCall(adding, addError, async () => {
      const model = await api.call('models.add', input);
      await list();
      return model;
    });
  }

  /** Forgets a model (a downloaded one's files are deleted, a user's folder never is). */
  async function remove(id: string): Promise<boolean> {
    const removed = await trackItemCall(removingIds, id, error, async () => {
      await api.call('models.remove', { id });
      models.value = models.value.filter((model) => model.id !== id);
      error.value = null;
      return true;
    });
    return removed ?? false;
  }

  /** Starts a `model-download` job for a registry id; its progress arrives as job events. */
  function download(id: string, mirror?: string): Promise<JobRecord | null> {
    return jobsStore.start('model-download', mirror ? { id, mirror } : { id });
  }

  /** Starts a `model-eval` job on `n` held-out ShapesWorld renders. */
  function evaluate(id: string, n: number = DEFAULT_EVAL_IMAGES): Promise<JobRecord | null> {
    return jobsStore.start('model-eval', { model: id, n });
  }

  const cancelJob = (jobId: string): Promise<void> => jobsStore.cancel(jobId);

  function dismissError(): void {
    error.value = null;
  }

  function dismissAddError(): void {
    addError.value = null;
  }

  // A finished download installs a model: list again once per newly succeeded download.
  const seenDownloads = new Set<string>();
  watch(
    () =>
      Object.values(downloads.value)
        .filter((job) => job.status === 'succeeded')
        .map((job) => job.id),
    (succeeded) => {
      const fresh = succeeded.filter((jobId) => !seenDownloads.has(jobId));
      for (const jobId of fresh) seenDownloads.add(jobId);
      if (fresh.length > 0 && loaded.value) void list();
    },
  );

  return {
    models,
    byId,
    loading,
    loaded,
    error,
    addError,
    adding,
    removingIds,
    downloads,
    evaluations,
    evalResults,
    list,
    load,
    add,
    remove,
    download,
    evaluate,
    cancelJob,
    dismissError,
    dismissAddError,
  };
});
