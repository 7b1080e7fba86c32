/** The pseudo-feature methods of the API (`pseudo.*`); synthesis itself is the `pseudo-synth` job. */
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Outputs, ParsedInput } from '../contract/index.ts';
import { perturbationPath, readPerturbationFile } from '../jobs/perturbation-files.ts';
import { notFound } from '../contract/errors.ts';
import type { DatasetStore } from '../store/datasets.ts';
import type { EmbeddingStore } from '../store/embeddings.ts';
import { similarityStats } from '../engine/pseudo/stats.ts';
import { toPseudoRunRecord, type PseudoStore } from '../store/pseudo.ts';
import { getDataset } from './datasets.ts';

export function listRuns(datasets: DatasetStore, store: PseudoStore, dataset: string): Outputs['pseudo.runs'] {
  getDataset(datasets, dataset);
  return store.list(dataset).map(toPseudoRunRecord);
}

/** A page of images with their pseudo captions (retrieval) or feature scores, best first. */
export function pseudoCaptions(datasets: DatasetStore, store: PseudoStore, input: ParsedInput<'pseudo.captions'>): Outputs['pseudo.captions'] {
  const run = store.get(input.run);
  if (!run) throw notFound(`no pseudo-feature run '${input.run}': see \`lafite pseudo stats --dataset D\``);
  const images = datasets.importedImages(run.datasetId);
  const page = images.slice(input.offset, input.offset + input.limit);
  const rows = store.features(run.id, { imageIds: page.map((image) => image.id) });
  return {
    total: images.length,
    images: page.map((image) => ({
      id: image.id,
      path: image.path,
      captions: rows.filter((row) => row.imageId === image.id).map((row) => ({ prompt: row.prompt, score: row.score })),
    })),
  };
}

/** Real captions' statistics from cached features only (no encoder in the API process), with the runs. */
export function pseudoStats(datasets: DatasetStore, store: PseudoStore, embeddings: EmbeddingStore, input: ParsedInput<'pseudo.stats'>): Outputs['pseudo.stats'] {
  const runs = listRuns(datasets, store, input.dataset);
  const firstCaption = new Map<number, { sha256: string; text: string }>();
  for (const pair of datasets.captionPairs(input.dataset)) if (!firstCaption.has(pair.imageId)) firstCaption.set(pair.imageId, pair);
  const pairs = [...firstCaption.values()];
  const images = embeddings.getMany(
    input.model,
    'image',
    pairs.map((p) => p.sha256),
  );
  const texts = embeddings.getMany(
    input.model,
    'text',
    pairs.map((p) => p.text),
  );
  if (pairs.length < 2 || pairs.some((p) => !images.has(p.sha256) || !texts.has(p.text))) return { captions: null, runs };
  const dim = images.get(pairs[0]!.sha256)!.length;
  const pack = (vectors: Float32Array[]): Float32Array => {
    const out = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => out.set(v, i * dim));
    return out;
  };
  const stats = similarityStats(pack(pairs.map((p) => images.get(p.sha256)!)), pack(pairs.map((p) => texts.get(p.text)!)), dim);
  return { captions: { ...stats, pairs: pairs.length }, runs };
}

/** The trained perturbation networks in the data folder (unreadable files are left out). */
export async function listNetworks(dataDir: string): Promise<Outputs['pseudo.networks']> {
  const folder = dirname(perturbationPath(dataDir, 'x'));
  const names = (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
  const networks = await Promise.all(
    names.sort().map(async (name) => {
      const file = await readPerturbationFile(dataDir, name).catch(() => undefined);
      return file && { name, model: file.model, dim: file.config.dim, hidden: file.config.hidden, ...file.training };
    }),
  );
  return networks.filter((n) => n !== undefined);
}
