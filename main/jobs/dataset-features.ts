/**
 * A dataset's images and texts through the encoder and the embedding cache, for the jobs that
 * need features (embed, pseudo synthesis, training): nothing is encoded twice, and the encoder
 * loads only when something is missing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { notFound } from '../contract/errors.ts';
import { decodeForEncoder } from '../datasets/import-file.ts';
import type { ClipOnnxEncoder } from '../engine/encoders/clip-onnx.ts';
import type { EncodeOptions, Features, ImageSource } from '../engine/encoders/encoder.ts';
import { cropPath, datasetCacheDir, type DatasetStore } from '../store/datasets.ts';
import type { EmbeddingStore } from '../store/embeddings.ts';
import type { ModelStore } from '../store/models.ts';
import type { ModelRecord } from '../contract/index.ts';
import { encodeCached, type CacheItem, type CachedEncodeOptions } from './cached-encode.ts';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A model's ONNX files, sorted by name (none when the folder is missing: loading it will say what is wrong). */
function onnxFiles(model: ModelRecord): string[] {
  const dir = join(model.path, 'onnx');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.onnx'))
    .sort()
    .map((name) => join(dir, name));
}

/** The cheap fingerprint of a model's files: their names, sizes and modification times. */
export function modelStatFingerprint(model: ModelRecord): string {
  const parts = onnxFiles(model).map((file) => `${basename(file)}:${statSync(file).size}:${statSync(file).mtimeMs}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** The content fingerprint of a model's files: their names and bytes, hashed (read only when the cheap one changed). */
export function modelContentFingerprint(model: ModelRecord): string {
  const hash = createHash('sha256');
  for (const file of onnxFiles(model)) hash.update(`${basename(file)}\n`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** Drops the model's cached features (and pseudo features) when its files' contents changed since they were made. */
export function syncModelCache(model: ModelRecord, cache: EmbeddingStore): void {
  cache.syncModelVersion(model.id, modelStatFingerprint(model), () => modelContentFingerprint(model));
}

/**
 * The imported images of a dataset, keyed by the sha256 recorded at import: the original file
 * while it is unchanged (full resolution for the encoder's own preprocessing), else the cached
 * crop; decoded as the importer did (EXIF orientation, BMP).
 */
export function datasetImageItems(store: DatasetStore, dataDir: string, id: string): CacheItem<ImageSource>[] {
  const dataset = store.get(id);
  if (!dataset) throw notFound(`no dataset '${id}': see \`lafite dataset list\``);
  const cache = datasetCacheDir(dataDir, id);
  return store.importedImages(id).map((image) => ({
    key: image.sha256,
    load: async () => {
      const original = await readFile(join(dataset.folder, image.path)).catch(() => undefined);
      const bytes = original && sha256(original) === image.sha256 ? original : await readFile(cropPath(cache, dataset.imageSize, image.sha256));
      return { kind: 'raw', ...(await decodeForEncoder(bytes)) };
    },
  }));
}

/** One model's encoders over the embedding cache, loaded on first need. Dispose when done. */
export class CachedEncoder {
  private encoder: ClipOnnxEncoder | undefined;

  constructor(
    readonly model: ModelRecord,
    private readonly cache: EmbeddingStore,
  ) {}

  static open(models: ModelStore, cache: EmbeddingStore, id: string): CachedEncoder {
    const model = models.get(id);
    if (!model) throw notFound(`no model '${id}': see \`lafite model list\``);
    syncModelCache(model, cache);
    return new CachedEncoder(model, cache);
  }

  private async loaded(): Promise<ClipOnnxEncoder> {
    // ONNX Runtime loads on first need: the API process imports this module too.
    const { loadClipOnnx } = await import('../engine/encoders/clip-onnx.ts');
    return (this.encoder ??= await loadClipOnnx(this.model.path, { id: this.model.id }));
  }

  async images(items: readonly CacheItem<ImageSource>[], options: CachedEncodeOptions = {}): Promise<{ features: Features; encoded: number; cached: number }> {
    return encodeCached(this.model.id, 'image', items, async (sources: ImageSource[], o: EncodeOptions) => (await this.loaded()).encodeImages(sources, o), this.cache, options);
  }

  async texts(texts: readonly string[], options: CachedEncodeOptions = {}): Promise<Features> {
    const items = texts.map((text) => ({ key: text, load: () => text }));
    const { features } = await encodeCached(
      this.model.id,
      'text',
      items,
      async (sources: string[], o: EncodeOptions) => (await this.loaded()).encodeTexts(sources, o),
      this.cache,
      options,
    );
    return features;
  }

  async dispose(): Promise<void> {
    await this.encoder?.dispose();
    this.encoder = undefined;
  }
}
