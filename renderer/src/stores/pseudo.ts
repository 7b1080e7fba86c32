/**
 * Pseudo-captions: Lafite's and Lafite2's pseudo text features of a dataset, made
 * inspectable. The datasets to choose from (`datasets.list`), the vocabulary sets and trained
 * perturbation networks a synthesis may use (`vocabulary.list`, `pseudo.networks`), the
 * stored runs of the chosen dataset with its real captions' statistics (`pseudo.stats`), a
 * synthesis as a `pseudo-synth` job followed through the jobs store's events, the cosine
 * distributions of Lafite2 Figure 1 per method and for the real captions, and the selected
 * run's images a page at a time with their captions and scores (`pseudo.captions`) and
 * thumbnails (`datasets.thumbnails`).
 *
 * @example
 *   const pseudo = usePseudoStore();
 *   await pseudo.load();
 *   pseudo.chooseDataset('shapes');
 *   await pseudo.startSynth(synthInput('shapes', DEFAULT_SYNTH_FORM));  // pseudo-form.ts
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type {
  CosineDistribution,
  DatasetRecord,
  JobRecord,
  Output,
  PseudoMethodName,
  PseudoRunRecord,
  PseudoSynthResult,
  VocabularySetRecord,
} from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { isCancellable } from './job-order.ts';
import { useJobsStore } from './jobs.ts';
import { DEFAULT_SYNTH_FORM, type PerturbationNetwork } from './pseudo-form.ts';
import { trackCall } from './tracked-call.ts';

/** Images per page of the explorer (`pseudo.captions` takes at most 500). */
export const EXPLORER_PAGE_SIZE = 12;

/** The real captions' cosine distributions (Lafite2 Figure 1), when the dataset has captions and their features are cached. */
export type CaptionStats = NonNullable<Output<'pseudo.stats'>['captions']>;

/** Names of the methods in the UI's words. */
export const METHOD_LABELS: Record<PseudoMethodName, string> = { gaussian: 'Gaussian', nn: 'NN', retrieval: 'Retrieval', clo: 'CLO' };
/** Methods in the order charts and legends list them (Lafite first, then Lafite2). */
export const METHOD_ORDER: readonly PseudoMethodName[] = ['gaussian', 'nn', 'retrieval', 'clo'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The dataset a `pseudo-synth` job works on. */
export function datasetOfSynth(job: JobRecord): string | null {
  return isObject(job.input) && typeof job.input.dataset === 'string' ? job.input.dataset : null;
}

/** A `pseudo-synth` result, or null when the value does not have its shape. */
export function parseSynthResult(value: unknown): PseudoSynthResult | null {
  if (!isObject(value) || typeof value.dataset !== 'string' || typeof value.images !== 'number' || !Array.isArray(value.runs)) return null;
  if (!value.runs.every((run) => isObject(run) && typeof run.id === 'string' && typeof run.method === 'string' && typeof run.reused === 'boolean')) return null;
  return value as unknown as PseudoSynthResult;
}

/** A run id as tables show it: its first 8 hex digits. */
export const shortRunId = (id: string): string => id.slice(0, 8);

/** Newest first (the API's order too; kept when runs arrive from elsewhere). */
export const newestFirst = (runs: readonly PseudoRunRecord[]): PseudoRunRecord[] => [...runs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

/** What a diagnostics series shows: a method's features, or the dataset's real captions (the `method-captions` colour). */
export type SeriesKey = PseudoMethodName | 'captions';

/** One series as the diagnostics charts and legend draw them: a method's run, or the real captions. */
export interface DiagnosticSeries {
  key: SeriesKey;
  label: string;
  /** The run drawn; null for the real captions. */
  runId: string | null;
  imageText: CosineDistribution;
  textText: CosineDistribution;
}

/**
 * Lafite2 Figure 1's series: the real captions first (when there are statistics for them),
 * then one per method that has a complete run of `model` with statistics: the selected run
 * for its own method, the newest run for the others. Methods in METHOD_ORDER.
 */
export function diagnosticSeries(runs: readonly PseudoRunRecord[], selectedId: string | null, model: string, captions: CaptionStats | null = null): DiagnosticSeries[] {
  const sorted = newestFirst(runs).filter((run) => run.model === model && run.complete && run.stats);
  const series: DiagnosticSeries[] = captions ? [{ key: 'captions', label: 'Real captions', runId: null, imageText: captions.imageText, textText: captions.textText }] : [];
  const selected = sorted.find((run) => run.id === selectedId);
  for (const method of METHOD_ORDER) {
    const run = selected?.method === method ? selected : sorted.find((candidate) => candidate.method === method);
    if (run?.stats) series.push({ key: method, label: METHOD_LABELS[method], runId: run.id, imageText: run.stats.imageText, textText: run.stats.textText });
  }
  return series;
}

/** A histogram's counts as fractions of its total, so distributions of different sizes compare. */
export function toFractions(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total > 0 ? count / total : 0));
}

const figure = (value: unknown, digits = 3): string => (typeof value === 'number' ? String(Number(value.toFixed(digits))) : '—');

/** What a run was made with, in a line: the options of its method (from its stored configuration). */
export function runSettings(run: PseudoRunRecord): string {
  const c = run.config;
  const retrieval = (): string => {
    const core = c.mode === 'iterative' ? `, r ${figure(c.keepCore)}` : '';
    const threshold = typeof c.threshold === 'number' ? ` · ≥ ${figure(c.threshold)}` : '';
    const templates = c.templates !== undefined && c.templates !== c.vocabulary ? `/${String(c.templates)}` : '';
    const refine = typeof c.refineSteps === 'number' && c.refineSteps > 0 ? ` · refine ${figure(c.refineSteps)}` : '';
    return `${String(c.vocabulary)}${templates} · k ${figure(c.k)}, m ${figure(c.m)} · ${String(c.mode)}${core}${threshold}${refine}`;
  };
  const gaussian = (): string => `ξ ${figure(c.xi)} (${String(c.form)})`;
  const seed = ` · seed ${figure(c.seed)}`;
  if (run.method === 'retrieval') return retrieval() + seed;
  if (run.method === 'nn') return `network ${String(c.nn)}${seed}`;
  if (run.method === 'gaussian') return gaussian() + seed;
  if (run.method === 'clo') {
    const init = c.init === 'retrieval' ? `from retrieval (${retrieval()})` : c.init === 'gaussian' ? `from Gaussian ${gaussian()}` : `from ${String(c.init)}`;
    return `K ${figure(c.steps)}, η ${figure(c.stepSize)}, τ ${figure(c.tau)}, batch ${figure(c.batch)} · ${init}${seed}`;
  }
  return Object.entries(c)
    .filter(([key]) => !['method', 'model', 'images'].includes(key))
    .map(([key, value]) => `${key} ${typeof value === 'number' ? figure(value) : String(value)}`)
    .join(' · ');
}

/** The run's key figures from its summary, in a line; '' when it has none. Its nearest-caption cosine has a column of its own. */
export function runFigures(run: PseudoRunRecord): string {
  const s = run.summary ?? {};
  const parts: string[] = [];
  if (s.distinctPrompts !== undefined) {
    const saved = s.encodingsSaved !== undefined ? `, ${figure(s.encodingsSaved, 1)}× fewer` : '';
    parts.push(`${s.distinctPrompts} prompts encoded of ${s.naivePrompts ?? '—'}${saved}`);
  }
  if (s.imagesWithoutPrompt) parts.push(`${s.imagesWithoutPrompt} images without a prompt`);
  if (s.meanLogLikelihoodGain !== undefined) parts.push(`log-likelihood ${s.meanLogLikelihoodGain >= 0 ? '+' : ''}${figure(s.meanLogLikelihoodGain)} per image`);
  if (s.trainedMeanCosine !== undefined) parts.push(`network's trained cos(h′, h) ${figure(s.trainedMeanCosine)}`);
  const known = new Set(['distinctPrompts', 'naivePrompts', 'encodingsSaved', 'imagesWithoutPrompt', 'meanLogLikelihoodGain', 'trainedMeanCosine', 'nearestCaptionCosine']);
  for (const [key, value] of Object.entries(s)) if (!known.has(key)) parts.push(`${key} ${figure(value)}`);
  return parts.join(' · ');
}

/** One image of the explorer: its captions (or feature scores) best first. */
export type ExplorerImage = { id: number; path: string; captions: { prompt: string | null; score: number }[] };

export const usePseudoStore = defineStore('pseudo', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const datasets = ref<DatasetRecord[]>([]);
  const datasetsLoaded = ref(false);
  const datasetId = ref<string | null>(null);
  const runs = ref<PseudoRunRecord[]>([]);
  const runsLoading = ref(false);
  /** Runs of `runsFor` are in `runs` (null until a dataset's runs have answered). */
  const runsFor = ref<string | null>(null);
  const loading = ref(false);
  /** The last failure of listing or exploring, for the banner. */
  const error = ref<DisplayError | null>(null);
  const selectedRunId = ref<string | null>(null);
  const selectedRun = computed(() => runs.value.find((run) => run.id === selectedRunId.value) ?? null);
  /** The encoder the diagnostics are about: the selected run's, else the newest run's, else the default. */
  const statsModel = computed(() => selectedRun.value?.model ?? runs.value[0]?.model ?? DEFAULT_SYNTH_FORM.model);
  /** The real captions' statistics for `captionsModel` (null: none, or not encoded with it yet). */
  const captions = shallowRef<CaptionStats | null>(null);
  /** The encoder `captions` answered for; null until `pseudo.stats` has answered for this dataset. */
  const captionsModel = ref<string | null>(null);
  const series = computed(() => diagnosticSeries(runs.value, selectedRunId.value, statsModel.value, captionsModel.value === statsModel.value ? captions.value : null));
  /** Why the diagnostics lack a real-captions series: the dataset has no captions, or they are not encoded with `statsModel` yet (a synthesis does it); null otherwise. */
  const missingCaptions = computed<'none' | 'not-encoded' | null>(() => {
    if (captionsModel.value !== statsModel.value || captions.value) return null;
    const dataset = datasets.value.find((candidate) => candidate.id === datasetId.value);
    return dataset?.counts.captions === 0 ? 'none' : 'not-encoded';
  });
  /** Runs the last synthesis of this dataset found stored and used again. */
  const reusedIds = ref<Set<string>>(new Set());

  // Datasets and runs --------------------------------------------------------------------

  async function listDatasets(): Promise<void> {
    await trackCall(loading, error, async () => {
      datasets.value = await api.call('datasets.list', {});
      datasetsLoaded.value = true;
      if (datasetId.value && !datasets.value.some((dataset) => dataset.id === datasetId.value)) chooseDataset(null);
      if (!datasetId.value && datasets.value[0]) chooseDataset(datasets.value[0].id);
    });
  }

  /**
   * The runs of the chosen dataset, newest first, with its real captions' statistics for the
   * diagnostics' encoder (`pseudo.stats`); the selection kept when it is still there, else the
   * newest run. Answers for another dataset or encoder than the current ones are dropped.
   */
  async function listRuns(): Promise<void> {
    const dataset = datasetId.value;
    const model = statsModel.value;
    if (!dataset) return;
    await trackCall(runsLoading, error, async () => {
      const answer = await api.call('pseudo.stats', { dataset, model });
      if (datasetId.value !== dataset || statsModel.value !== model) return;
      runs.value = newestFirst(answer.runs);
      runsFor.value = dataset;
      captions.value = answer.captions;
      captionsModel.value = model;
      if (!runs.value.some((run) => run.id === selectedRunId.value)) selectRun(runs.value[0]?.id ?? null);
    });
  }
  // A selected run of another encoder: its real captions' statistics (the runs come again with them).
  watch(statsModel, (model) => {
    if (runsFor.value === datasetId.value && captionsModel.value !== model) void listRuns();
  });

  // Vocabulary sets and networks ----------------------------------------------------------

  /** Vocabulary and template sets: the defaults and this data folder's saved ones. */
  const vocabularySets = ref<VocabularySetRecord[]>([]);
  /** Trained perturbation networks (Lafite eq. 2), of every encoder. */
  const networks = ref<PerturbationNetwork[]>([]);
  const choicesLoading = ref(false);

  async function listChoices(): Promise<void> {
    await trackCall(choicesLoading, error, async () => {
      [vocabularySets.value, networks.value] = await Promise.all([api.call('vocabulary.list', {}), api.call('pseudo.networks', {})]);
    });
  }

  /** The datasets, the sets and networks to synthesise with, and a `pseudo-synth` job still running from before (a reload, another window). */
  async function load(): Promise<void> {
    const before = datasetId.value;
    await Promise.all([listDatasets(), listChoices(), jobsStore.load()]);
    if (before && before === datasetId.value) await listRuns();
    if (synthJobId.value) return;
    const running = jobsStore.jobs.find((job) => job.kind === 'pseudo-synth' && isCancellable(job));
    if (running) synthJobId.value = running.id;
  }

  function chooseDataset(id: string | null): void {
    if (id === datasetId.value) return;
    datasetId.value = id;
    runs.value = [];
    runsFor.value = null;
    captions.value = null;
    captionsModel.value = null;
    reusedIds.value = new Set();
    selectRun(null);
    forgetThumbnails();
    if (id) void listRuns();
  }

  // Synthesis ----------------------------------------------------------------------------

  const synthJobId = ref<string | null>(null);
  const startedSynth = shallowRef<JobRecord | null>(null);
  const synthStarting = ref(false);
  /** Why the synthesis could not start (with the field at fault) or how it failed. */
  const synthError = ref<DisplayError | null>(null);
  const synthJob = computed(() => (synthJobId.value ? (jobsStore.byId[synthJobId.value] ?? startedSynth.value) : null));
  const synthesising = computed(() => synthJob.value !== null && isCancellable(synthJob.value));
  const synthResult = computed(() => (synthJob.value?.status === 'succeeded' ? parseSynthResult(synthJob.value.result) : null));

  function startSynth(input: Record<string, unknown>): Promise<JobRecord | null> {
    synthError.value = null;
    return trackCall(synthStarting, synthError, async () => {
      const job = await api.call('jobs.start', { kind: 'pseudo-synth', input });
      startedSynth.value = job;
      synthJobId.value = job.id;
      return job;
    });
  }

  function cancelSynth(): Promise<void> {
    return synthJobId.value ? jobsStore.cancel(synthJobId.value) : Promise.resolve();
  }

  /** Once per synthesis that ends: its failure shown, and its dataset's runs read again (with the reused ones marked). */
  const handledJobs = new Set<string>();
  watch(
    () => (synthJob.value && !isCancellable(synthJob.value) ? synthJob.value : null),
    async (job) => {
      if (!job || handledJobs.has(job.id)) return;
      handledJobs.add(job.id);
      if (job.error) synthError.value = toDisplayError(new Error(job.error.message));
      const dataset = datasetOfSynth(job);
      if (dataset !== datasetId.value) return;
      const result = parseSynthResult(job.result);
      if (result) reusedIds.value = new Set(result.runs.filter((run) => run.reused).map((run) => run.id));
      await listRuns();
    },
  );

  // Explorer -----------------------------------------------------------------------------

  const explorerOffset = ref(0);
  /** Images of the selected run's dataset; null until the first page answers. */
  const explorerTotal = ref<number | null>(null);
  const explorerImages = shallowRef<readonly ExplorerImage[]>([]);
  const explorerLoading = ref(false);
  /** Thumbnail data URLs of the chosen dataset, by image id. */
  const thumbnails = shallowRef(new Map<number, string>());
  /** Bumped whenever the run or page changes: answers to older calls are dropped. */
  let explorerGeneration = 0;

  function forgetThumbnails(): void {
    thumbnails.value = new Map();
  }

  async function fetchThumbnails(dataset: string, ids: readonly number[]): Promise<void> {
    const wanted = ids.filter((id) => !thumbnails.value.has(id));
    if (wanted.length === 0) return;
    const found = await api.call('datasets.thumbnails', { dataset, ids: wanted });
    if (datasetId.value !== dataset) return;
    const next = new Map(thumbnails.value);
    for (const { id, url } of found) next.set(id, url);
    thumbnails.value = next;
  }

  /** Loads the page of the selected run's images starting at `offset`, then their thumbnails. */
  async function showPage(offset: number): Promise<void> {
    const run = selectedRun.value;
    if (!run) return;
    const asked = ++explorerGeneration;
    explorerOffset.value = offset;
    explorerLoading.value = true;
    try {
      const page = await api.call('pseudo.captions', { run: run.id, offset, limit: EXPLORER_PAGE_SIZE });
      if (asked !== explorerGeneration) return;
      explorerImages.value = page.images.map((image) => ({ ...image, captions: [...image.captions].sort((a, b) => b.score - a.score) }));
      explorerTotal.value = page.total;
      await fetchThumbnails(
        run.dataset,
        page.images.map((image) => image.id),
      );
    } catch (caught) {
      if (asked === explorerGeneration) error.value = toDisplayError(caught);
    } finally {
      if (asked === explorerGeneration) explorerLoading.value = false;
    }
  }

  function selectRun(id: string | null): void {
    if (id === selectedRunId.value && (id === null || explorerTotal.value !== null)) return;
    selectedRunId.value = id;
    explorerGeneration += 1;
    explorerImages.value = [];
    explorerTotal.value = null;
    explorerOffset.value = 0;
    explorerLoading.value = false;
    if (id) void showPage(0);
  }

  return {
    datasets,
    datasetsLoaded,
    datasetId,
    runs,
    runsFor,
    runsLoading,
    loading,
    error,
    selectedRunId,
    selectedRun,
    statsModel,
    captions,
    captionsModel,
    missingCaptions,
    series,
    vocabularySets,
    networks,
    choicesLoading,
    reusedIds,
    synthJob,
    synthesising,
    synthStarting,
    synthResult,
    synthError,
    explorerOffset,
    explorerTotal,
    explorerImages,
    explorerLoading,
    thumbnails,
    load,
    listDatasets,
    listRuns,
    listChoices,
    chooseDataset,
    selectRun,
    showPage,
    startSynth,
    cancelSynth,
    dismissError: () => (error.value = null),
    dismissSynthError: () => (synthError.value = null),
  };
});
