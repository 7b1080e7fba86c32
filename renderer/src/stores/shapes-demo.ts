/**
 * The built-in ShapesWorld domain as a dataset in one click, for a new user with none: draw
 * the pictures into a folder (`shapes-generate`, with their true captions), import them
 * (`dataset-import`), and attach the captions (`datasets.captions`), so training can start from
 * the UI alone, by the recipe `lafite demo` follows too (main/contract/shapes-demo.ts). The
 * folder may not be inside the data folder (an import refuses that): by default it sits
 * beside it. The jobs are followed through the jobs store's events; the training store's
 * dataset list is read again at the end.
 *
 * @example
 *   await useShapesDemoStore().make(suggestedFolder('/home/me/.config/Lafite Studio'));  // the data folder, from `info`
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { JobKind, JobRecord } from '../../../main/contract/index.ts';
import { SHAPES_PICTURE_SIZE, joinPath, shapesDatasetSteps } from '../../../main/contract/shapes-demo.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { isCancellable } from './job-order.ts';
import { useJobsStore } from './jobs.ts';
import { useTrainingStore } from './training.ts';

/** The demo dataset: its name, how many pictures, their side, and the name of its folder. */
export const SHAPES_DEMO = { dataset: 'shapes', images: 2000, size: SHAPES_PICTURE_SIZE, folder: 'shapes-world' } as const;

export { joinPath };

/**
 * The folder the pictures go to unless the user picks another: the data folder's pictures
 * folder, where `lafite demo` draws too and the one place inside the data folder an import
 * takes pictures from (`/a/data` → `/a/data/pictures/shapes-world`; store/paths.ts picturesDir).
 */
export function suggestedFolder(dataDir: string): string {
  return joinPath(joinPath(dataDir, 'pictures'), SHAPES_DEMO.folder);
}

/** The demo dataset's steps when drawn into `folder` (the recipe `lafite demo` follows too). */
const demoSteps = (folder: string) => shapesDatasetSteps({ dataset: SHAPES_DEMO.dataset, images: SHAPES_DEMO.images, folder, seed: 0 });

/** The `shapes-generate` input: the pictures with their true captions (metadata.jsonl). */
export const demoGenerateInput = (folder: string) => demoSteps(folder).draw.input;

/** The `dataset-import` input. */
export const demoImportInput = (folder: string) => demoSteps(folder).import.input;

/** What the demo does now. */
export type DemoStage = 'idle' | 'drawing' | 'importing' | 'captions' | 'done';

export const useShapesDemoStore = defineStore('shapes-demo', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const stage = ref<DemoStage>('idle');
  const error = ref<DisplayError | null>(null);
  /** Where the pictures are drawn (the form's field). */
  const folder = ref('');
  const jobId = ref<string | null>(null);
  const startedJob = shallowRef<JobRecord | null>(null);
  const job = computed(() => (jobId.value ? (jobsStore.byId[jobId.value] ?? startedJob.value) : null));
  const busy = computed(() => stage.value !== 'idle' && stage.value !== 'done');

  async function startJob(kind: JobKind, input: Record<string, unknown>): Promise<void> {
    const started = await api.call('jobs.start', { kind, input });
    startedJob.value = started;
    jobId.value = started.id;
  }

  function fail(caught: unknown): void {
    error.value = toDisplayError(caught);
    stage.value = 'idle';
    jobId.value = null;
  }

  /** Draws the demo pictures into `into` (absolute), then imports and captions them. */
  async function make(into: string): Promise<void> {
    if (busy.value) return;
    error.value = null;
    folder.value = into;
    stage.value = 'drawing';
    try {
      const { draw } = demoSteps(into);
      await startJob(draw.kind, draw.input);
    } catch (caught) {
      fail(caught);
    }
  }

  /** The next step once a job ends: import after drawing, captions and the list after importing. */
  async function next(ended: JobRecord): Promise<void> {
    if (ended.status !== 'succeeded') return fail(new Error(ended.error?.message ?? `the ${ended.kind} job was ${ended.status}`));
    try {
      if (stage.value === 'drawing') {
        stage.value = 'importing';
        const { import: importing } = demoSteps(folder.value);
        await startJob(importing.kind, importing.input);
        return;
      }
      stage.value = 'captions';
      jobId.value = null;
      await api.call('datasets.captions', demoSteps(folder.value).captions);
      await useTrainingStore().listDatasets();
      stage.value = 'done';
    } catch (caught) {
      fail(caught);
    }
  }

  const handled = new Set<string>();
  watch(
    () => (job.value && !isCancellable(job.value) ? job.value : null),
    (ended) => {
      if (!ended || handled.has(ended.id)) return;
      handled.add(ended.id);
      void next(ended);
    },
  );

  /** The desktop's folder picker (Electron only; null in web mode or when cancelled). */
  const canPickFolder = typeof window !== 'undefined' && typeof window.lafite?.pickFolder === 'function';
  const pickFolder = (): Promise<string | null> => window.lafite?.pickFolder() ?? Promise.resolve(null);

  return { stage, error, job, busy, folder, canPickFolder, pickFolder, make, dismissError: () => (error.value = null) };
});
