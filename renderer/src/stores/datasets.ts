/**
 * Datasets: the list (`datasets.list`, `datasets.remove`), importing a folder as a
 * `dataset-import` job followed through the jobs store's events, and browsing the selected
 * dataset: its images a page at a time under a filter (`datasets.images`), their thumbnails
 * fetched only for what is on screen and cached (`datasets.thumbnails`), one image's detail
 * (`datasets.image`) with its captions added, edited and removed (`datasets.caption`), and the
 * caption file, split and few-shot actions.
 *
 * Pages and thumbnails live in shallow refs: 10 000 image rows stay plain objects, and a
 * loaded page or a batch of thumbnails replaces the map once rather than touching each row.
 *
 * @example
 *   const datasets = useDatasetsStore();
 *   await datasets.load();
 *   await datasets.startImport({ dataset: 'cats', folder: '/home/me/cats', imageSize: 256, minSize: 32 });
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef, watch } from 'vue';
import type { CaptionFormat, CaptionImportResult, DatasetImage, DatasetImageDetail, DatasetRecord, JobRecord } from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { DEFAULT_FILTER, imagesQuery, PAGE_SIZE, pagesCovering, type ImageFilter } from './datasets-browse.ts';
import { datasetOfImport, parseImportResult, type ImportInput } from './datasets-import.ts';
import { isCancellable } from './job-order.ts';
import { useJobsStore } from './jobs.ts';
import { trackCall, trackItemCall } from './tracked-call.ts';

// The helpers the Dataset components import from here (they live in datasets-browse.ts and datasets-import.ts).
export { checkImportInput, datasetOfImport, DEFAULT_IMPORT_SIZES, type ImportInput } from './datasets-import.ts';
export type { ImageFilter } from './datasets-browse.ts';

/** Ids per `datasets.thumbnails` call (the API takes at most 500). */
export const THUMBNAIL_BATCH = 500;
/** Thumbnails kept in memory; the oldest go first (about 5 kB each as data URLs). */
export const THUMBNAIL_CACHE_LIMIT = 4000;

/** Few-shot subset size: a number of pairs or a percentage of the captioned images. */
export type FewShotSize = { pairs: number } | { percent: number };

export const useDatasetsStore = defineStore('datasets', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const datasets = ref<DatasetRecord[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  /** The last failure of listing, removing or browsing, for the banner. */
  const error = ref<DisplayError | null>(null);
  const removingIds = ref<Set<string>>(new Set());
  const selectedId = ref<string | null>(null);
  const selected = computed(() => datasets.value.find((dataset) => dataset.id === selectedId.value) ?? null);

  // Import ------------------------------------------------------------------------------

  /** The `dataset-import` job this view started or found running, and its record as `jobs.start` returned it. */
  const importJobId = ref<string | null>(null);
  const startedImport = shallowRef<JobRecord | null>(null);
  const importStarting = ref(false);
  /** Why the import could not start (`jobs.start`'s error, with the field at fault) or how it failed. */
  const importError = ref<DisplayError | null>(null);
  const importJob = computed(() => (importJobId.value ? (jobsStore.byId[importJobId.value] ?? startedImport.value) : null));
  const importing = computed(() => importJob.value !== null && isCancellable(importJob.value));
  const importResult = computed(() => (importJob.value?.status === 'succeeded' ? parseImportResult(importJob.value.result) : null));

  async function list(): Promise<void> {
    await trackCall(loading, error, async () => {
      datasets.value = await api.call('datasets.list', {});
      loaded.value = true;
      if (selectedId.value && !selected.value) select(null);
    });
  }

  /** The list, and a `dataset-import` job still running from before (a reload, another window). */
  async function load(): Promise<void> {
    await Promise.all([list(), jobsStore.load()]);
    if (importJobId.value) return;
    const running = jobsStore.jobs.find((job) => job.kind === 'dataset-import' && isCancellable(job));
    if (running) importJobId.value = running.id;
  }

  function startImport(input: ImportInput): Promise<JobRecord | null> {
    importError.value = null;
    return trackCall(importStarting, importError, async () => {
      const job = await api.call('jobs.start', { kind: 'dataset-import', input: { ...input } });
      startedImport.value = job;
      importJobId.value = job.id;
      return job;
    });
  }

  function cancelImport(): Promise<void> {
    return importJobId.value ? jobsStore.cancel(importJobId.value) : Promise.resolve();
  }

  /** Once per import that ends: its failure shown, the list read again, and (unless it failed) the dataset selected and browsed afresh. */
  const handledImports = new Set<string>();
  watch(
    () => (importJob.value && !isCancellable(importJob.value) ? importJob.value : null),
    async (job) => {
      if (!job || handledImports.has(job.id)) return;
      handledImports.add(job.id);
      if (job.error) importError.value = toDisplayError(new Error(job.error.message));
      await list();
      const dataset = datasetOfImport(job);
      if (job.status !== 'failed' && dataset && datasets.value.some((record) => record.id === dataset)) {
        if (selectedId.value === dataset) resetBrowser({ keepThumbnails: false });
        else select(dataset);
      }
    },
  );

  /** A new dataset shows in the list as soon as its import has created it, not only when it ends. */
  const listedWhileRunning = new Set<string>();
  watch(
    () => (importJob.value?.status === 'running' && (importJob.value.progress?.step ?? 0) > 0 ? importJob.value : null),
    async (job) => {
      if (!job || listedWhileRunning.has(job.id)) return;
      listedWhileRunning.add(job.id);
      const dataset = datasetOfImport(job);
      if (dataset && !datasets.value.some((record) => record.id === dataset)) await list();
    },
  );

  async function remove(id: string): Promise<boolean> {
    const removed = await trackItemCall(removingIds, id, error, async () => {
      await api.call('datasets.remove', { dataset: id });
      datasets.value = datasets.value.filter((dataset) => dataset.id !== id);
      if (selectedId.value === id) select(null);
      error.value = null;
      return true;
    });
    return removed ?? false;
  }

  // Browsing ----------------------------------------------------------------------------

  const filter = ref<ImageFilter>({ ...DEFAULT_FILTER });
  /** Images under the filter; null until the first page answers. */
  const total = ref<number | null>(null);
  /** Loaded pages of image rows, by page number. */
  const pages = shallowRef(new Map<number, readonly DatasetImage[]>());
  /** Thumbnail data URLs by image id (insertion order is age, for eviction). */
  const thumbnails = shallowRef(new Map<number, string>());
  /** Bumped whenever the dataset or the filter changes: answers to older page calls are dropped. */
  let generation = 0;
  /** Bumped whenever the thumbnail cache is emptied: answers to older thumbnail calls are dropped. */
  let thumbnailGeneration = 0;
  const pagesInFlight = new Set<number>();
  const thumbnailsInFlight = new Set<number>();
  /** Ids the API had no thumbnail for (rejected files): not asked again. */
  const withoutThumbnail = new Set<number>();

  /** The image at an index under the current filter, once its page has loaded. */
  function imageAt(index: number): DatasetImage | undefined {
    return pages.value.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  async function fetchPage(page: number): Promise<void> {
    const dataset = selectedId.value;
    if (!dataset || pages.value.has(page) || pagesInFlight.has(page)) return;
    const asked = generation;
    pagesInFlight.add(page);
    try {
      const answer = await api.call('datasets.images', imagesQuery(dataset, filter.value, page * PAGE_SIZE, PAGE_SIZE));
      if (asked !== generation) return;
      pages.value.set(page, answer.images);
      triggerRef(pages);
      total.value = answer.total;
    } catch (caught) {
      if (asked === generation) error.value = toDisplayError(caught);
    } finally {
      if (asked === generation) pagesInFlight.delete(page);
    }
  }

  /** Loads the pages holding image indices `first` to `last` that are not loaded yet. */
  function ensureImages(first: number, last: number): void {
    for (const page of pagesCovering(first, last, total.value)) void fetchPage(page);
  }

  /** Forgets the loaded pages (and thumbnails unless kept) and loads the first page again. */
  function resetBrowser({ keepThumbnails }: { keepThumbnails: boolean }): void {
    generation += 1;
    pagesInFlight.clear();
    pages.value = new Map();
    total.value = null;
    if (!keepThumbnails) forgetThumbnails();
    void fetchPage(0);
  }

  function forgetThumbnails(): void {
    thumbnailGeneration += 1;
    thumbnailsInFlight.clear();
    withoutThumbnail.clear();
    thumbnails.value = new Map();
  }

  /** Fetches the thumbnails of these images that are neither cached nor known to have none. */
  async function ensureThumbnails(ids: readonly number[]): Promise<void> {
    const dataset = selectedId.value;
    const wanted = ids.filter((id) => !thumbnails.value.has(id) && !thumbnailsInFlight.has(id) && !withoutThumbnail.has(id));
    if (!dataset || wanted.length === 0) return;
    const asked = thumbnailGeneration;
    for (const id of wanted) thumbnailsInFlight.add(id);
    const batches: number[][] = [];
    for (let start = 0; start < wanted.length; start += THUMBNAIL_BATCH) batches.push(wanted.slice(start, start + THUMBNAIL_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        try {
          const found = await api.call('datasets.thumbnails', { dataset, ids: batch });
          if (asked !== thumbnailGeneration) return;
          const cache = thumbnails.value;
          for (const { id, url } of found) cache.set(id, url);
          const answered = new Set(found.map((entry) => entry.id));
          for (const id of batch) if (!answered.has(id)) withoutThumbnail.add(id);
          for (const id of cache.keys()) {
            if (cache.size <= THUMBNAIL_CACHE_LIMIT) break;
            cache.delete(id);
          }
          triggerRef(thumbnails);
        } catch (caught) {
          error.value = toDisplayError(caught);
        } finally {
          if (asked === thumbnailGeneration) for (const id of batch) thumbnailsInFlight.delete(id);
        }
      }),
    );
  }

  function setFilter(next: Partial<ImageFilter>): void {
    filter.value = { ...filter.value, ...next };
    resetBrowser({ keepThumbnails: true });
  }

  function select(id: string | null): void {
    if (id === selectedId.value) return;
    selectedId.value = id;
    closeImage();
    captionResult.value = null;
    captionsError.value = null;
    subsetError.value = null;
    filter.value = { ...DEFAULT_FILTER };
    if (id) resetBrowser({ keepThumbnails: false });
    else {
      generation += 1;
      pagesInFlight.clear();
      pages.value = new Map();
      total.value = null;
      forgetThumbnails();
    }
  }

  // Image detail ------------------------------------------------------------------------

  const openImageId = ref<number | null>(null);
  const imageDetail = ref<DatasetImageDetail | null>(null);
  /** The training crop as a data URL; null while loading or when there is none (rejected files). */
  const cropUrl = ref<string | null>(null);
  const detailLoading = ref(false);

  async function openImage(id: number): Promise<void> {
    const dataset = selectedId.value;
    if (!dataset) return;
    openImageId.value = id;
    imageDetail.value = null;
    cropUrl.value = null;
    detailLoading.value = true;
    try {
      const [detail, crops] = await Promise.all([api.call('datasets.image', { dataset, id }), api.call('datasets.thumbnails', { dataset, ids: [id], size: 'crop' })]);
      if (openImageId.value !== id) return;
      imageDetail.value = detail;
      cropUrl.value = crops[0]?.url ?? null;
    } catch (caught) {
      if (openImageId.value === id) error.value = toDisplayError(caught);
    } finally {
      if (openImageId.value === id) detailLoading.value = false;
    }
  }

  function closeImage(): void {
    openImageId.value = null;
    imageDetail.value = null;
    cropUrl.value = null;
    detailLoading.value = false;
  }

  // Editing the open image's captions (`datasets.caption`) ------------------------------

  const captionEditBusy = ref(false);
  /** Why the last caption add, edit or remove failed (a repeat of a caption the image has). */
  const captionEditError = ref<DisplayError | null>(null);

  /** Adds, edits or removes a caption of the open image; then its captions, the counts and the tile follow. True when it was done. */
  async function editCaption(
    change: { action: 'add'; text: string } | { action: 'edit'; caption: number; text: string } | { action: 'remove'; caption: number },
  ): Promise<boolean> {
    const dataset = selectedId.value;
    const image = openImageId.value;
    if (!dataset || image === null) return false;
    const detail = await trackCall(captionEditBusy, captionEditError, () => api.call('datasets.caption', { dataset, image, ...change }));
    if (!detail) return false;
    if (openImageId.value === image) imageDetail.value = detail;
    const record = await trackCall(captionEditBusy, captionEditError, () => api.call('datasets.get', { dataset }));
    if (record) replaceRecord(record); // counts (captioned images) and the tile's caption mark
    return true;
  }

  // Captions, validation split, few-shot subset -------------------------------------------

  const captionResult = ref<CaptionImportResult | null>(null);
  const captionsError = ref<DisplayError | null>(null);
  const captionsBusy = ref(false);
  const subsetError = ref<DisplayError | null>(null);
  const subsetBusy = ref(false);

  /** Puts a changed record into the list and browses the dataset afresh (counts, splits, flags moved). */
  function replaceRecord(record: DatasetRecord): void {
    datasets.value = datasets.value.map((dataset) => (dataset.id === record.id ? record : dataset));
    if (selectedId.value === record.id) resetBrowser({ keepThumbnails: true });
    if (openImageId.value !== null) void openImage(openImageId.value);
  }

  async function importCaptions(file: string, format: CaptionFormat): Promise<CaptionImportResult | null> {
    const dataset = selected.value;
    if (!dataset) return null;
    captionsError.value = null;
    captionResult.value = null;
    return trackCall(captionsBusy, captionsError, async () => {
      const result = await api.call('datasets.captions', { dataset: dataset.id, file, format });
      captionResult.value = result;
      replaceRecord({ ...dataset, counts: result.counts });
      return result;
    });
  }

  async function changeSubset(call: (dataset: string) => Promise<DatasetRecord>): Promise<boolean> {
    const dataset = selectedId.value;
    if (!dataset) return false;
    subsetError.value = null;
    const changed = await trackCall(subsetBusy, subsetError, async () => {
      replaceRecord(await call(dataset));
      return true;
    });
    return changed ?? false;
  }

  /** Draws the validation split: `val` of the imported images, deterministic by seed. */
  const split = (val: number, seed: number): Promise<boolean> => changeSubset((dataset) => api.call('datasets.split', { dataset, val, seed }));

  /** Marks the few-shot subset among the captioned images of the train split. */
  const fewShot = (size: FewShotSize, seed: number): Promise<boolean> => changeSubset((dataset) => api.call('datasets.fewshot', { dataset, ...size, seed }));

  /** The desktop's folder picker, where there is one (Electron; not web mode). */
  const canPickFolder = typeof window !== 'undefined' && typeof window.lafite?.pickFolder === 'function';
  const pickFolder = (): Promise<string | null> => window.lafite?.pickFolder() ?? Promise.resolve(null);

  return {
    datasets,
    loading,
    loaded,
    error,
    removingIds,
    selectedId,
    selected,
    importJob,
    importing,
    importStarting,
    importResult,
    importError,
    filter,
    total,
    pages,
    thumbnails,
    openImageId,
    imageDetail,
    cropUrl,
    detailLoading,
    captionResult,
    captionsError,
    captionsBusy,
    subsetError,
    subsetBusy,
    canPickFolder,
    list,
    load,
    startImport,
    cancelImport,
    remove,
    select,
    imageAt,
    ensureImages,
    ensureThumbnails,
    setFilter,
    openImage,
    closeImage,
    captionEditBusy,
    captionEditError,
    editCaption,
    dismissCaptionEditError: () => (captionEditError.value = null),
    importCaptions,
    split,
    fewShot,
    pickFolder,
    dismissError: () => (error.value = null),
    dismissImportError: () => (importError.value = null),
    dismissCaptionsError: () => (captionsError.value = null),
    dismissSubsetError: () => (subsetError.value = null),
  };
});
