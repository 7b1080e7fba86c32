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
import type { GenerationRecord, JobRecord, PngSettingsResult, RunSummary } from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { isCancellable } from './job-order.ts';
import { useJobsStore } from './jobs.ts';
import { DEFAULT_PLAY_FORM, pngDataUrl, settingsForm, type PlayForm } from './playground-form.ts';
import { DEFAULT_SAMPLING_FORM, samplingFormOf, samplingLine, type SamplingForm } from './sampling-form.ts';
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
    if (id !== runId.value) form.value = { ...form.value, step: '' }; // another run's steps are not this one's
    runId.value = id;
    generations.value = [];
    generationsFor.value = null;
    shownId.value = null;
    snapshotSteps.value = [];
    stepsFor.value = null;
    if (id) {
      void listGenerations();
      void listSteps(id);
    }
  }

  // Steps: the generators a run kept (one per checkpoint), for the step picker ------------

  /** Steps of the chosen run with a kept generator, oldest first; empty when it kept only its latest. */
  const snapshotSteps = ref<number[]>([]);
  /** The run whose steps `snapshotSteps` holds. */
  const stepsFor = ref<string | null>(null);

  async function listSteps(id: string): Promise<void> {
    try {
      const detail = await api.call('runs.get', { id, maxPoints: 10 });
      if (runId.value !== id) return;
      snapshotSteps.value = detail.snapshotSteps;
      stepsFor.value = id;
      reconcileStep();
    } catch (caught) {
      if (runId.value === id) error.value = toDisplayError(caught);
    }
  }

  /**
   * A step in the form that the run did not keep (restored from a picture) becomes "latest":
   * silently when it is the run's latest step, else with a word in the restore message.
   */
  function reconcileStep(): void {
    const wanted = form.value.step;
    if (wanted === '' || stepsFor.value !== runId.value || snapshotSteps.value.includes(wanted)) return;
    form.value = { ...form.value, step: '' };
    if (wanted !== run.value?.step && restored.value?.ok)
      restored.value = { ...restored.value, message: `${restored.value.message} The run kept no generator at step ${wanted}: its latest step draws.` };
  }

  // Settings again: from the gallery, or from a PNG dropped on the Playground ---------------

  /** Chooses `run` and fills the form with what was asked for then (the prompt, seed, step, …; a diffusion generation's sampling too). */
  function useSettings(run: string, settings: PlayForm, samplingSettings: SamplingForm | null = null): void {
    chooseRun(run);
    form.value = { ...settings };
    if (samplingSettings) sampling.value = { ...samplingSettings };
    reconcileStep();
  }

  /** What the last dropped PNG said: its file name and what it restored, or why it restored nothing. */
  const restored = ref<{ file: string; ok: boolean; message: string } | null>(null);

  /** Reads a PNG's settings chunks (the API's gallery.pngSettings) and fills the form from them. */
  async function restoreFromPng(file: string, base64: string): Promise<PngSettingsResult | null> {
    restored.value = null;
    try {
      const answer = await api.call('gallery.pngSettings', { png: base64 });
      const settings = answer.settings;
      if (!settings) {
        restored.value = { file, ok: false, message: `Nothing restored from ${file}: ${answer.reason ?? 'no settings'}.` };
        return answer;
      }
      const drawn = samplingFormOf(settings.sampling);
      if (runs.value.length > 0 && !usableRuns.value.some((candidate) => candidate.id === settings.run)) {
        form.value = settingsForm({ ...settings, step: null });
        if (drawn) sampling.value = drawn;
        restored.value = {
          file,
          ok: false,
          message: `${file} was drawn by run ${settings.run}, which is not in this data folder: its prompt and settings are restored, the run is not.`,
        };
        return answer;
      }
      const how = drawn ? `, ${samplingLine(drawn)}` : '';
      restored.value = { file, ok: true, message: `Restored from ${file}: run ${settings.run}, step ${settings.step}, seed ${settings.seed}${how}.` };
      useSettings(settings.run, settingsForm(settings), drawn);
      return answer;
    } catch (caught) {
      const shown = toDisplayError(caught);
      restored.value = { file, ok: false, message: `Nothing restored from ${file}: ${shown.message}` };
      return null;
    }
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
    snapshotSteps,
    useSettings,
    restored,
    restoreFromPng,
    dismissRestored: () => (restored.value = null),
    dismissError: () => (error.value = null),
    dismissGenerateError: () => (generateError.value = null),
  };
});
