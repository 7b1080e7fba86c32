/**
 * What the trainer feeds on: a dataset's training crops at the network's resolution (in
 * [−1, 1], held in memory), their image features, and the conditions h of each image: pseudo
 * text features from the image features (Gaussian, per batch), a stored retrieval run's top-m
 * prompts per image, or real captions.
 */
import type { RetrievedFeatures } from '../engine/pseudo/conditions.ts';
import sharp from 'sharp';
import { invalidInput } from '../contract/errors.ts';
import { cropPath, datasetCacheDir, type DatasetStore } from '../store/datasets.ts';
import type { PseudoRunRow, PseudoStore } from '../store/pseudo.ts';
import type { TrainSubset } from '../contract/index.ts';
import type { CachedEncoder } from './dataset-features.ts';
import { datasetImageItems } from './dataset-features.ts';

/** What the conditions need of an encoder: text features through the cache. */
export type PromptEncoder = Pick<CachedEncoder, 'texts'>;

export interface TrainingImages {
  ids: number[];
  /** Each image's path inside the dataset folder (the sample grids' labels). */
  paths: string[];
  /** [N, R, R, 3] row-major, in [−1, 1]. */
  pixels: Float32Array;
  resolution: number;
  /** Image features [N, D], unit rows. */
  features: Float32Array;
  dim: number;
}

/** The ids of a training subset, or undefined for all the imported images. */
function subsetIds(datasets: DatasetStore, dataset: string, subset: TrainSubset): Set<number> | undefined {
  if (subset === 'all') return undefined;
  const ids = datasets.importedIds(dataset, subset === 'train' ? { split: 'train' } : { fewShot: true });
  if (ids.length === 0) {
    throw invalidInput(
      subset === 'train'
        ? `dataset '${dataset}' has no training split: run \`lafite dataset split ${dataset} --val 0.1\` first`
        : `dataset '${dataset}' has no few-shot pairs: run \`lafite dataset fewshot ${dataset} --pairs 10\` first`,
      'subset',
    );
  }
  return new Set(ids);
}

export async function loadTrainingImages(
  datasets: DatasetStore,
  encoder: CachedEncoder,
  where: { dataDir: string; dataset: string; subset: TrainSubset },
  resolution: number,
  signal: AbortSignal,
): Promise<TrainingImages> {
  const { dataDir, dataset } = where;
  const record = datasets.get(dataset);
  if (!record) throw invalidInput(`no dataset '${dataset}': see \`lafite dataset list\``, 'dataset');
  const keep = subsetIds(datasets, dataset, where.subset);
  const inSubset = datasets.importedImages(dataset).map((image) => !keep || keep.has(image.id));
  const images = datasets.importedImages(dataset).filter((_, i) => inSubset[i]);
  if (images.length < 2)
    throw invalidInput(`dataset '${dataset}' has ${images.length} imported images${keep ? ` in the ${where.subset} subset` : ''}: training needs at least 2`, 'dataset');
  const cache = datasetCacheDir(dataDir, dataset);
  const side = resolution * resolution * 3;
  const pixels = new Float32Array(images.length * side);
  for (const [i, image] of images.entries()) {
    const raw = await sharp(cropPath(cache, record.imageSize, image.sha256))
      .resize(resolution, resolution, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer();
    for (let j = 0; j < side; j++) pixels[i * side + j] = raw[j]! / 127.5 - 1;
  }
  const items = datasetImageItems(datasets, dataDir, dataset).filter((_, i) => inSubset[i]);
  const { features } = await encoder.images(items, { signal });
  return { ids: images.map((image) => image.id), paths: images.map((image) => image.path), pixels, resolution, features: features.data, dim: features.dim };
}

/** Every training image's top-m retrieved prompts (Lafite2 §3.1) as text features, best first. */
/** A retrieval run's kept prompts, as the per-batch draw reads them (engine/pseudo/conditions.ts). */
export interface RetrievedConditions extends RetrievedFeatures {
  /** The pseudo run they come from. */
  run: string;
}

/** The text features of every kept prompt of each training image (ids in training order), from a retrieval run. */
export async function retrievalConditions(pseudo: PseudoStore, encoder: PromptEncoder, run: PseudoRunRow, ids: readonly number[]): Promise<RetrievedConditions> {
  const byImage = new Map<number, string[]>();
  for (const row of pseudo.features(run.id)) {
    if (row.prompt === null) continue;
    byImage.set(row.imageId, [...(byImage.get(row.imageId) ?? []), row.prompt]); // rows come best first
  }
  const lists = ids.map((id) => byImage.get(id) ?? []);
  const missing = lists.filter((list) => list.length === 0).length;
  if (missing > 0) throw invalidInput(`the retrieval run ${run.id} has no prompt for ${missing} images (a threshold, or images imported since?): synthesise again`, 'pseudo');
  const count = Int32Array.from(lists, (list) => list.length);
  const first = new Int32Array(ids.length);
  for (let i = 1; i < ids.length; i++) first[i] = first[i - 1]! + count[i - 1]!;
  const features = (await encoder.texts(lists.flat())).data; // each distinct prompt encoded once, through the cache
  return { run: run.id, features, first, count };
}

/** Real captions: per image, the features of each of its captions (the trainer picks one per step); images without captions are left out. */
export async function captionConditions(datasets: DatasetStore, encoder: PromptEncoder, dataset: string): Promise<Map<number, Float32Array[]>> {
  const pairs = datasets.captionPairs(dataset);
  if (pairs.length === 0) throw invalidInput(`dataset '${dataset}' has no captions: import some (\`lafite dataset captions\`) or train language-free`, 'pseudo');
  const features = await encoder.texts(pairs.map((p) => p.text));
  const byImage = new Map<number, Float32Array[]>();
  pairs.forEach((pair, i) => {
    const list = byImage.get(pair.imageId) ?? [];
    list.push(features.data.slice(i * features.dim, (i + 1) * features.dim));
    byImage.set(pair.imageId, list);
  });
  return byImage;
}
