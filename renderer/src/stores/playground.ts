/**
 * The Playground: images from a trained run for a prompt, an image, or both. The runs that
 * have a checkpoint (`runs.list`), the chosen run's generations (`runs.generations`, the
 * history), a generation as a `gan-generate` job followed through the jobs store's events,
 * and the images of a finished generation (`runs.generated`, cached by generation).
 *
 * @example
 *   const playground = usePlaygroundStore();
 *   await playground.load();
 *   playground.chooseRun(runId);
 *   await playground.generate(generateInput(runId, { ...DEFAULT_PLAY_FORM, prompt: 'a red circle' }));  // playground-form.ts
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { GenerationRecord, JobRecord, RunSummary } from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { isCancellable } from './job-order.ts';
import { useJobsStore } from './jobs.ts';
import { DEFAULT_PLAY_FORM, pngDataUrl, type PlayForm } from './playground-form.ts';
import { DEFAULT_SAMPLING_FORM, type SamplingForm } from './sampling-form.ts';
import { trackCall } from './tracked-call.ts';

/** One generated image, ready to show and save. */
export interface GeneratedImage {
  name: string;
  url: string;
}

export const usePlaygroundStore = defineStore('playground', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const runs = ref<RunSummary[]>([]);
  const runsLoaded = ref(false);
  const loading = ref(false);
  /** The last failure of listing or reading, for the banner. */
  const error = ref<DisplayError | null>(null);
  const runId = ref<string | null>(null);
  /** Runs a generator can draw with: those with a checkpoint. */
  const usableRuns = computed(() => runs.value.filter((run) => run.hasCheckpoint));
  const run = computed(() => runs.value.find((candidate) => candidate.id === runId.value) ?? null);

  async function listRuns(): Promise<void> {
    await trackCall(loading, error, async () => {
      runs.value = await api.call('runs.list', {});
      runsLoaded.value = true;
    });
  }

  // History -------------------------------------------------------------------------------

  const generations = ref<GenerationRecord[]>([]);
  /** The run whose generations `generations` holds. */
  const generationsFor = ref<string | null>(null);
  /** The generation whose images are shown. */
  const shownId = ref<string | null>(null);
  const images = shallowRef(new Map<string, GeneratedImage[]>());
  const shownImages = computed(() => (shownId.value ? (images.value.get(shownId.value) ?? null) : null));
  const shown = computed(() => generations.value.find((generation) => generation.id === shownId.value) ?? null);
  const imagesLoading = ref(false);

  async function listGenerations(): Promise<void> {
    const id = runId.value;
    if (!id) return;
    try {
      const list = await api.call('runs.generations', { id });
      if (runId.value !== id) return;
      generations.value = list;
      generationsFor.value = id;
      // A run just chosen shows its latest images.
      const latest = list.find((generation) => generation.status === 'succeeded');
      if (shownId.value === null && latest) void showGeneration(latest.id);
    } catch (caught) {
      if (runId.value === id) error.value = toDisplayError(caught);
    }
  }

  /** Shows a finished generation's images, read once and cached. */
  async function showGeneration(id: string): Promise<void> {
    shownId.value = id;
    if (images.value.has(id)) return;
    imagesLoading.value = true;
    try {
      const answer = await api.call('runs.generated', { id });
      images.value = new Map(images.value).set(
        id,
        answer.images.map((image) => ({ name: image.name, url: pngDataUrl(image.png) })),
      );
    } catch (caught) {
      if (shownId.value === id) error.value = toDisplayError(caught);
    } finally {
      imagesLoading.value = false;
    }
  }

  /** The runs, then the chosen run (or the newest one with a checkpoint), its history and its latest images. */
  async function load(preferred: string | null = null): Promise<void> {
    await Promise.all([listRuns(), jobsStore.load()]);
    const wanted = preferred ?? runId.value;
    chooseRun(usableRuns.value.some((candidate) => candidate.id === wanted) ? wanted : (usableRuns.value[0]?.id ?? null));
  }

  function chooseRun(id: string | null): void {
    if (id === runId.value && generationsFor.value === id) return;
    runId.value = id;
    generations.value = [];
    generationsFor.value = null;
    shownId.value = null;
    if (id) void listGenerations();
  }

  // Generating ----------------------------------------------------------------------------

  /** The form, kept while the user looks elsewhere. */
  const form = ref<PlayForm>({ ...DEFAULT_PLAY_FORM });
  /** How a diffusion run samples (steps, sampler, η, guidance): kept across runs, sent only for a diffusion run. */
  const sampling = ref<SamplingForm>({ ...DEFAULT_SAMPLING_FORM });
  const jobId = ref<string | null>(null);
  const startedJob = shallowRef<JobRecord | null>(null);
  const generating = ref(false);
  /** Why the generation could not start (with the field at fault), or how it failed. */
  const generateError = ref<DisplayError | null>(null);
  const job = computed(() => (jobId.value ? (jobsStore.byId[jobId.value] ?? startedJob.value) : null));
  const busy = computed(() => generating.value || (job.value !== null && isCancellable(job.value)));

  /** Starts a `gan-generate` job; its images show when it ends. */
  async function generate(input: Record<string, unknown>): Promise<JobRecord | null> {
    generateError.value = null;
    const started = await trackCall(generating, generateError, () => api.call('jobs.start', { kind: 'gan-generate', input }));
    if (started) {
      startedJob.value = started;
      jobId.value = started.id;
      await listGenerations();
    }
    return started;
  }

  /** Once per generation that ends: its images shown and the history read again, or its failure shown. */
  const handled = new Set<string>();
  watch(
    () => (job.value && !isCancellable(job.value) ? job.value : null),
    async (ended) => {
      if (!ended || handled.has(ended.id)) return;
      handled.add(ended.id);
      if (ended.status === 'succeeded') await showGeneration(ended.id);
      else generateError.value = ended.error ? toDisplayError(new Error(ended.error.message)) : { code: 'cancelled', message: `The generation was ${ended.status}.` };
      await listGenerations();
    },
  );

  return {
    runs,
    runsLoaded,
    usableRuns,
    run,
    runId,
    loading,
    error,
    generations,
    generationsFor,
    shownId,
    shown,
    shownImages,
    imagesLoading,
    form,
    sampling,
    job,
    busy,
    generating,
    generateError,
    load,
    listRuns,
    chooseRun,
    listGenerations,
    showGeneration,
    generate,
    dismissError: () => (error.value = null),
    dismissGenerateError: () => (generateError.value = null),
  };
});
