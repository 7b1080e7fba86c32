/** The pseudo-feature methods of the API (`pseudo.*`); synthesis itself is the `pseudo-synth` job. */
import type { Outputs, ParsedInput } from './contract.ts';
import { notFound } from './errors.ts';
import type { DatasetStore } from '../store/datasets.ts';
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
