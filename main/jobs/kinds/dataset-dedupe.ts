/**
 * Job kind `dataset-dedupe`: removes from a dataset what would leak or repeat.
 * - `against`: images also in another dataset by sha256 or by MD5 are `excluded` (Lafite2
 *   removes the overlap between its pre-training set and each downstream set this way).
 * - `near`: an image whose cached image feature has cosine ≥ `near` with an earlier kept image
 *   becomes its `duplicate` (features come from the embedding cache: `lafite embed --dataset`).
 */
import type { BackendId, DatasetDedupeResult } from '../../contract/index.ts';
import { notFound } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { SHAPES_CLIP_ID } from '../../engine/shapes/clip.ts';
import { nearDuplicates } from '../../engine/similarity.ts';
import { DatasetStore } from '../../store/datasets.ts';
import type { Db } from '../../store/db.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import type { JobHandler } from '../job-kind.ts';

function requireDataset(store: DatasetStore, id: string): void {
  if (!store.get(id)) throw notFound(`no dataset '${id}': see \`lafite dataset list\``);
}

function excludeOverlap(store: DatasetStore, dataset: string, against: string): { sha256: number; md5: number } {
  const overlap = store.overlapWith(dataset, against);
  store.mark(
    dataset,
    overlap.map((o) => ({ imageId: o.id, status: 'excluded', reason: `also in dataset '${against}' as ${o.otherPath} (same ${o.by === 'sha256' ? 'sha256' : 'MD5'})` })),
  );
  return { sha256: overlap.filter((o) => o.by === 'sha256').length, md5: overlap.filter((o) => o.by === 'md5').length };
}

async function markNearDuplicates(
  db: Db,
  store: DatasetStore,
  dataset: string,
  model: string,
  threshold: number,
  backend?: BackendId,
): Promise<{ marked: number; withoutFeatures: number }> {
  const images = store.importedImages(dataset);
  const features = new EmbeddingStore(db).getMany(
    model,
    'image',
    images.map((image) => image.sha256),
  );
  const withFeatures = images.filter((image) => features.has(image.sha256));
  if (withFeatures.length === 0) return { marked: 0, withoutFeatures: images.length };
  await initBackend(backend);
  const vectors = withFeatures.map((image) => features.get(image.sha256)!);
  const found = await nearDuplicates(vectors, vectors[0]!.length, threshold);
  const marks = found.flatMap((hit, i) =>
    hit
      ? [
          {
            imageId: withFeatures[i]!.id,
            status: 'duplicate' as const,
            duplicateOf: withFeatures[hit.of]!.id,
            reason: `near-duplicate of ${withFeatures[hit.of]!.path} (cosine ${hit.cosine.toFixed(3)}, ${model})`,
          },
        ]
      : [],
  );
  store.mark(dataset, marks);
  return { marked: marks.length, withoutFeatures: images.length - withFeatures.length };
}

export const datasetDedupe: JobHandler<'dataset-dedupe'> = {
  async run(input, job) {
    const db = openDatabase(job.dbPath);
    try {
      const store = new DatasetStore(db);
      requireDataset(store, input.dataset);
      if (input.against) requireDataset(store, input.against);
      job.progress({ fraction: 0, message: 'comparing hashes' });
      const overlap = input.against ? excludeOverlap(store, input.dataset, input.against) : { sha256: 0, md5: 0 };
      job.throwIfCancelled();
      job.progress({ fraction: 0.5, message: 'comparing image features' });
      const near =
        input.near !== undefined ? await markNearDuplicates(db, store, input.dataset, input.model ?? SHAPES_CLIP_ID, input.near, job.backend) : { marked: 0, withoutFeatures: 0 };
      const result: DatasetDedupeResult = {
        dataset: input.dataset,
        against: input.against ?? null,
        excludedBySha256: overlap.sha256,
        excludedByMd5: overlap.md5,
        nearDuplicates: near.marked,
        withoutFeatures: near.withoutFeatures,
        counts: store.counts(input.dataset),
      };
      return result;
    } finally {
      db.close();
    }
  },
};
