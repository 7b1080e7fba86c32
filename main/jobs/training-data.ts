/**
 * What the trainer feeds on: a dataset's training crops at the network's resolution (in
 * [−1, 1], held in memory), their image features, and the conditions h of each image: pseudo
 * text features from the image features (Gaussian, per batch), a stored retrieval run's best
 * prompts, or real captions.
 */
import sharp from 'sharp';
import { invalidInput } from '../api/errors.ts';
import { cropPath, datasetCacheDir, type DatasetStore } from '../store/datasets.ts';
import type { PseudoStore } from '../store/pseudo.ts';
import type { TrainSubset } from '../api/contract.ts';
import type { CachedEncoder } from './dataset-features.ts';
import { datasetImageItems } from './dataset-features.ts';

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
  if (images.length < 2) throw invalidInput(`dataset '${dataset}' has ${images.length} imported images${keep ? ` in the ${where.subset} subset` : ''}: training needs at least 2`, 'dataset');
  const cache = datasetCacheDir(dataDir, dataset);
  const side = resolution * resolution * 3;
  const pixels = new Float32Array(images.length * side);
  for (const [i, image] of images.entries()) {
    const raw = await sharp(cropPath(cache, record.imageSize, image.sha256)).resize(resolution, resolution, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    for (let j = 0; j < side; j++) pixels[i * side + j] = raw[j]! / 127.5 - 1;
  }
  const items = datasetImageItems(datasets, dataDir, dataset).filter((_, i) => inSubset[i]);
  const { features } = await encoder.images(items, { signal });
  return { ids: images.map((image) => image.id), paths: images.map((image) => image.path), pixels, resolution, features: features.data, dim: features.dim };
}

/** Each image's best retrieved prompt's text feature, from the dataset's newest complete retrieval run of this model. */
export async function retrievalConditions(pseudo: PseudoStore, encoder: CachedEncoder, dataset: string, ids: readonly number[]): Promise<Float32Array> {
  const run = pseudo.list(dataset).find((r) => r.method === 'retrieval' && r.complete && r.modelId === encoder.model.id);
  if (!run) throw invalidInput(`dataset '${dataset}' has no retrieval pseudo captions for ${encoder.model.id}: run \`lafite pseudo synth --dataset ${dataset} --method retrieval\` first`, 'pseudo');
  const best = new Map(pseudo.features(run.id, { maxRank: 1 }).map((row) => [row.imageId, row.prompt]));
  const prompts = ids.map((id) => best.get(id));
  const missing = prompts.filter((p) => p === null || p === undefined).length;
  if (missing > 0) throw invalidInput(`the retrieval run ${run.id} has no prompt for ${missing} images (a threshold?): synthesise again without it`, 'pseudo');
  return (await encoder.texts(prompts as string[])).data;
}

/** Real captions: per image, the features of each of its captions (the trainer picks one per step); images without captions are left out. */
export async function captionConditions(datasets: DatasetStore, encoder: CachedEncoder, dataset: string): Promise<Map<number, Float32Array[]>> {
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
