/**
 * The Gallery: every picture the finished generations wrote, across runs (`gallery.list`),
 * filtered by run; thumbnails read per generation (`runs.generated`, cached); a selection to
 * export (`gallery.export`: a zip downloaded, or a folder written by the app); and "use these
 * settings again", which fills the Playground's form and opens it on the run.
 *
 * @example
 *   const gallery = useGalleryStore();
 *   await gallery.load();
 *   gallery.toggle(gallery.items[0]!);
 *   await gallery.exportZip();
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { GalleryExportResult, GalleryItem, RunSummary } from '../../../main/contract/index.ts';
import { useApiClient, type DisplayError } from '../api/index.ts';
import { navigate } from '../hash.ts';
import { pngDataUrl, settingsForm } from './playground-form.ts';
import { samplingFormOf } from './sampling-form.ts';
import { usePlaygroundStore } from './playground.ts';
import { shortId } from './training-run.ts';
import { trackCall } from './tracked-call.ts';

/** A picture's key: its generation and file name. */
export const itemKey = (item: Pick<GalleryItem, 'generation' | 'name'>): string => `${item.generation}/${item.name}`;

/** The name a downloaded zip gets. */
export const zipName = (run: string | null, count: number, now = new Date()): string =>
  `lafite-gallery-${run ? `${shortId(run)}-` : ''}${count}-pictures-${now.toISOString().slice(0, 19).replace(/[:T]/g, '-')}.zip`;

/** Bytes from base64. */
const fromBase64 = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

export const useGalleryStore = defineStore('gallery', () => {
  const api = useApiClient();

  const items = ref<GalleryItem[]>([]);
  const runs = ref<RunSummary[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<DisplayError | null>(null);
  /** The run whose pictures show; null for all. */
  const run = ref<string | null>(null);

  /** Thumbnails by generation, then by file name (data URLs). */
  const thumbs = shallowRef(new Map<string, Map<string, string>>());
  const thumbOf = (item: GalleryItem): string | null => thumbs.value.get(item.generation)?.get(item.name) ?? null;

  async function load(): Promise<void> {
    await trackCall(loading, error, async () => {
      const [list, runList] = await Promise.all([api.call('gallery.list', run.value ? { run: run.value } : {}), api.call('runs.list', {})]);
      items.value = list;
      runs.value = runList;
      loaded.value = true;
      const keys = new Set(list.map(itemKey));
      selected.value = new Set([...selected.value].filter((key) => keys.has(key)));
    });
    await loadThumbs();
  }

  /** Reads the pictures of every listed generation not read yet, a few at a time. */
  async function loadThumbs(): Promise<void> {
    const missing = [...new Set(items.value.map((item) => item.generation))].filter((id) => !thumbs.value.has(id));
    for (let start = 0; start < missing.length; start += 4) {
      const answers = await Promise.all(missing.slice(start, start + 4).map((id) => api.call('runs.generated', { id }).catch(() => null)));
      const next = new Map(thumbs.value);
      for (const answer of answers) if (answer) next.set(answer.id, new Map(answer.images.map((image) => [image.name, pngDataUrl(image.png)])));
      thumbs.value = next;
    }
  }

  function filterRun(id: string | null): Promise<void> {
    run.value = id;
    return load();
  }

  // Selection and export --------------------------------------------------------------------

  const selected = ref(new Set<string>());
  const selectedItems = computed(() => items.value.filter((item) => selected.value.has(itemKey(item))));
  const exporting = ref(false);
  const exportError = ref<DisplayError | null>(null);
  /** What the last export did, in words. */
  const exported = ref<string | null>(null);

  function toggle(item: GalleryItem): void {
    const next = new Set(selected.value);
    if (!next.delete(itemKey(item))) next.add(itemKey(item));
    selected.value = next;
  }
  const selectAll = (): void => void (selected.value = new Set(items.value.map(itemKey)));
  const clearSelection = (): void => void (selected.value = new Set());

  const refs = () => selectedItems.value.map((item) => ({ generation: item.generation, name: item.name }));

  async function exportTo(folder: string | undefined): Promise<GalleryExportResult | null> {
    exported.value = null;
    exportError.value = null;
    return trackCall(exporting, exportError, () => api.call('gallery.export', folder === undefined ? { images: refs() } : { images: refs(), folder }));
  }

  /** The selection as a zip (the PNGs with their settings chunks and a metadata.jsonl), downloaded by the browser. */
  async function exportZip(): Promise<void> {
    const count = selectedItems.value.length;
    const result = await exportTo(undefined);
    if (!result || !('zip' in result)) return;
    const url = URL.createObjectURL(new Blob([fromBase64(result.zip) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = zipName(run.value, count);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    exported.value = `${count} picture${count === 1 ? '' : 's'} and metadata.jsonl zipped into ${link.download}.`;
  }

  /** The selection copied into a folder on this machine (absolute; made when missing). */
  async function exportFolder(folder: string): Promise<void> {
    const result = await exportTo(folder.trim());
    if (!result || !('folder' in result)) return;
    exported.value = `${result.files.length - 1} picture${result.files.length === 2 ? '' : 's'} and ${result.files.at(-1)} written to ${result.folder}.`;
  }

  // Settings again --------------------------------------------------------------------------

  /** Fills the Playground's form with what this picture's generation asked for and opens it on the run. */
  function useSettings(item: GalleryItem): void {
    usePlaygroundStore().useSettings(item.run, settingsForm(item), samplingFormOf(item.sampling));
    navigate(`#/playground/${encodeURIComponent(item.run)}`);
  }

  return {
    items,
    runs,
    loaded,
    loading,
    error,
    run,
    thumbOf,
    load,
    filterRun,
    selected,
    selectedItems,
    toggle,
    selectAll,
    clearSelection,
    exporting,
    exportError,
    exported,
    exportZip,
    exportFolder,
    useSettings,
    dismissError: () => (error.value = null),
    dismissExportError: () => (exportError.value = null),
  };
});
