/**
 * The dataset methods of the API (`datasets.*`): listing, browsing, captions, splits and
 * the few-shot subset. Importing and deduplicating are jobs (main/jobs/kinds/dataset-*.ts).
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CaptionImportResult, DatasetRecord, JobRecord, Outputs, ParsedInput } from '../contract/index.ts';
import { conflict, invalidInput, notFound } from '../contract/errors.ts';
import { matchImageNames, parseCaptionFile } from '../datasets/caption-files.ts';
import { chooseFewShot, chooseValidation } from '../datasets/selection.ts';
import type { DatasetStore } from '../store/datasets.ts';
import { cropPath, datasetCacheDir, thumbnailPath } from '../store/datasets.ts';
import { checkPath } from '../store/path-policy.ts';

/** Caption files larger than this are refused before reading (COCO's train captions are about 90 MB). */
const MAX_CAPTION_FILE_BYTES = 512 * 1024 * 1024;
const UNMATCHED_EXAMPLES = 10;

export function getDataset(store: DatasetStore, id: string): DatasetRecord {
  const dataset = store.get(id);
  if (!dataset) throw notFound(`no dataset '${id}': see \`lafite dataset list\``);
  return dataset;
}

/** Removing a dataset under a running import would fail that job half-way: refused instead. */
export function refuseWhileBusy(activeJobs: readonly JobRecord[], id: string): void {
  const busy = activeJobs.find((job) => (job.input as { dataset?: unknown } | null)?.dataset === id);
  if (busy) throw conflict(`dataset '${id}' is in use by job ${busy.id} (${busy.kind}): cancel it or wait for it to end`);
}

export async function removeDataset(store: DatasetStore, dataDir: string, id: string, activeJobs: readonly JobRecord[]): Promise<Outputs['datasets.remove']> {
  refuseWhileBusy(activeJobs, id); // first: a queued import has not created its dataset yet
  getDataset(store, id);
  const deletedImages = store.remove(id);
  // The rows go first: a crash between the two leaves only unused cache files, never rows without pictures.
  await rm(datasetCacheDir(dataDir, id), { recursive: true, force: true });
  return { dataset: id, deletedImages };
}

export async function thumbnails(store: DatasetStore, dataDir: string, input: ParsedInput<'datasets.thumbnails'>): Promise<Outputs['datasets.thumbnails']> {
  const dataset = getDataset(store, input.dataset);
  const cache = datasetCacheDir(dataDir, dataset.id);
  const hashes = store.hashesOf(dataset.id, input.ids);
  const found = await Promise.all(
    [...hashes].map(async ([id, sha256]) => {
      const file = input.size === 'thumb' ? thumbnailPath(cache, sha256) : cropPath(cache, dataset.imageSize, sha256);
      const bytes = await readFile(file).catch(() => undefined);
      return bytes && { id, url: `data:image/${input.size === 'thumb' ? 'webp' : 'png'};base64,${bytes.toString('base64')}` };
    }),
  );
  return found.filter((entry) => entry !== undefined);
}

/** One caption of an image added, edited or removed (the image panel), then the image with its captions. */
export function editCaption(
  store: DatasetStore,
  dataset: string,
  imageId: number,
  change: { action: 'add'; text: string } | { action: 'edit'; caption: number; text: string } | { action: 'remove'; caption: number },
): Outputs['datasets.caption'] {
  const id = getDataset(store, dataset).id;
  const outcome = store.editCaption(id, imageId, change);
  if (outcome === 'missing')
    throw notFound(change.action === 'add' ? `dataset '${id}' has no image ${imageId}` : `image ${imageId} of dataset '${id}' has no caption ${change.caption}`);
  if (outcome === 'conflict') throw conflict(`image ${imageId} has the caption "${(change as { text: string }).text}" already`);
  return store.image(id, imageId)!;
}

export async function importCaptions(store: DatasetStore, dataDir: string, input: ParsedInput<'datasets.captions'>): Promise<CaptionImportResult> {
  const dataset = getDataset(store, input.dataset);
  const info = await stat(input.file).catch(() => undefined);
  if (!info?.isFile()) throw invalidInput(`no caption file at ${input.file}`, 'file');
  // The real file, a regular one, outside /proc and the like (which an error could quote).
  const file = checkPath(input.file, { use: 'read-file', field: 'file', dataDir });
  if (info.size > MAX_CAPTION_FILE_BYTES) throw invalidInput(`${basename(input.file)} is ${Math.round(info.size / 2 ** 20)} MB: caption files are limited to 512 MB`, 'file');
  const text = await readFile(file, 'utf8');
  const parsed = parseCaptionFile(text, input.format, basename(input.file));
  const targets = store.captionTargets(dataset.id);
  // A caption for a duplicate belongs to the image that is kept.
  const keptId = new Map(targets.map((t) => [t.id, t.status === 'duplicate' && t.duplicateOf !== null ? t.duplicateOf : t.id]));
  const { matched, unmatched } = matchImageNames(parsed.entries, targets);
  const captions = matched.map((m) => ({ imageId: keptId.get(m.imageId) ?? m.imageId, text: m.text }));
  const { added, images } = store.addCaptions(dataset.id, captions, basename(input.file));
  const examples = [...new Set(unmatched)].slice(0, UNMATCHED_EXAMPLES);
  const notAdded = [
    ...Object.entries(parsed.skippedReasons).map(([reason, count]) => ({ reason, count, examples: [] })),
    { reason: 'names no image of the dataset', count: unmatched.length, examples },
    { reason: 'the image has this caption already', count: captions.length - added, examples: [] },
  ].filter((entry) => entry.count > 0);
  return {
    dataset: dataset.id,
    format: parsed.format,
    entries: parsed.entries.length + parsed.skipped,
    added,
    images,
    unmatched: unmatched.length,
    unmatchedExamples: examples,
    skipped: parsed.skipped,
    notAdded,
    counts: store.counts(dataset.id),
  };
}

export function splitDataset(store: DatasetStore, input: ParsedInput<'datasets.split'>): DatasetRecord {
  const dataset = getDataset(store, input.dataset);
  const images = store.importedImages(dataset.id);
  if (images.length === 0) throw invalidInput(`dataset '${dataset.id}' has no imported images to split`, 'dataset');
  const val = chooseValidation(images, (image) => image.sha256, input.val, input.seed);
  store.setSplit(dataset.id, new Set([...val].map((image) => image.id)), { val: input.val, seed: input.seed });
  return getDataset(store, dataset.id);
}

/** Marks the few-shot subset among captioned images (of the train split, once there is one). */
export function markFewShot(store: DatasetStore, input: ParsedInput<'datasets.fewshot'>): DatasetRecord {
  const dataset = getDataset(store, input.dataset);
  const candidates = store.captionedImages(dataset.id).filter((image) => image.split !== 'val');
  if (candidates.length === 0) throw invalidInput(`dataset '${dataset.id}' has no captioned images: import captions first (\`lafite dataset captions\`)`, 'dataset');
  const pairs = input.pairs ?? Math.max(1, Math.round((candidates.length * (input.percent ?? 0)) / 100));
  const chosen = chooseFewShot(candidates, (image) => image.sha256, pairs, input.seed);
  store.setFewShot(dataset.id, new Set(chosen.map((image) => image.id)), { pairs, seed: input.seed });
  return getDataset(store, dataset.id);
}
