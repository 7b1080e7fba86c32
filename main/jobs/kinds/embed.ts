/**
 * Job kind `embed`: the image features of every picture in a folder, through the embedding
 * cache (keyed by model id and each file's sha256), so a second run, or a run resumed after a
 * cancel or a kill, encodes only what is new. `dataset` instead of `folder` embeds a dataset's imported images.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { invalidInput, notFound } from '../../contract/errors.ts';
import { loadClipOnnx, type ClipOnnxEncoder } from '../../engine/encoders/clip-onnx.ts';
import type { EncodeOptions, ImageSource } from '../../engine/encoders/encoder.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { ModelStore } from '../../store/models.ts';
import { encodeCached, type CacheItem } from '../cached-encode.ts';
import type { JobContext, JobHandler } from '../job-kind.ts';
import { DatasetStore } from '../../store/datasets.ts';
import { datasetImageItems, syncModelCache } from '../dataset-features.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.gif', '.tif', '.tiff']);

export interface EmbedResult {
  model: string;
  images: number;
  encoded: number;
  cached: number;
  seconds: number;
  imagesPerSecond: number;
}

async function imageFiles(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { recursive: true, withFileTypes: true });
  } catch {
    throw invalidInput(`cannot read the folder ${folder}`, 'folder');
  }
  return entries
    .filter((entry) => entry.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Every image of a folder, keyed by the sha256 of its bytes. */
async function folderItems(folder: string, job: JobContext): Promise<CacheItem<ImageSource>[]> {
  const files = await imageFiles(folder);
  job.progress({ fraction: 0, message: `hashing ${files.length} images` });
  const items: CacheItem<ImageSource>[] = [];
  for (const file of files) {
    job.throwIfCancelled();
    const bytes = await readFile(file);
    items.push({ key: sha256(bytes), load: async () => ({ kind: 'encoded', bytes: await readFile(file) }) });
  }
  return items;
}

export const embed: JobHandler<'embed'> = {
  async run(input, job) {
    const started = performance.now();
    const db = openDatabase(job.dbPath);
    try {
      const model = new ModelStore(db).get(input.model);
      if (!model) throw notFound(`no model '${input.model}': see \`lafite model list\``);
      syncModelCache(model, new EmbeddingStore(db));
      const items = input.dataset ? datasetImageItems(new DatasetStore(db), job.dataDir, input.dataset) : await folderItems(input.folder!, job);
      // Loaded only when something is not cached yet.
      let encoder: ClipOnnxEncoder | undefined;
      try {
        const encode = async (sources: ImageSource[], options: EncodeOptions) => (encoder ??= await loadClipOnnx(model.path, { id: model.id })).encodeImages(sources, options);
        const { encoded, cached } = await encodeCached(model.id, 'image', items, encode, new EmbeddingStore(db), {
          signal: job.signal,
          batchSize: input.batchSize,
          onProgress: (done, total) => job.progress({ fraction: total ? done / total : 1, message: `embedded ${done} of ${total} images with ${model.id}`, step: done, total }),
        });
        const seconds = (performance.now() - started) / 1000;
        const result: EmbedResult = { model: model.id, images: items.length, encoded, cached, seconds, imagesPerSecond: encoded / seconds };
        return result;
      } finally {
        await encoder?.dispose();
      }
    } finally {
      db.close();
    }
  },
};
