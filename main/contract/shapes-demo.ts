/**
 * The ShapesWorld demo dataset, written once for the adapters that make it: the renderer's
 * one-click card (renderer/src/stores/shapes-demo.ts) and `lafite demo`, `lafite ablation`
 * (main/cli/shapes-pipeline.ts). Three steps in this order: draw the pictures with their true
 * captions (job `shapes-generate`), import them (job `dataset-import`), attach the captions
 * (`datasets.captions`, from the folder's metadata.jsonl). Each adapter follows the jobs its
 * own way (the CLI waits on each with a progress bar, the store reacts to the jobs' events);
 * the CLI then goes on with the rest of its demo (split, embed, pseudo, train, evaluate).
 *
 * @example
 *   const steps = shapesDatasetSteps({ dataset: 'shapes', images: 2000, folder: '/home/me/lafite-shapes-world' });
 *   await api.call('jobs.start', steps.draw);  // then steps.import, then api.call('datasets.captions', steps.captions)
 */
import type { z } from 'zod';
import type { Input, jobInputSchemas } from './index.ts';

/** Side of the drawn pictures and of the imported crops (the `shapes` preset trains at 32 px from them). */
export const SHAPES_PICTURE_SIZE = 64;
/** The file of a drawn folder that lists every picture with its true captions. */
export const SHAPES_METADATA_FILE = 'metadata.jsonl';

/** What `jobs.start` takes for one job kind. */
export interface JobStart<K extends keyof typeof jobInputSchemas> {
  kind: K;
  input: z.input<(typeof jobInputSchemas)[K]>;
}

/** Which demo dataset to make. */
export interface ShapesDatasetPlan {
  /** The dataset's name. */
  dataset: string;
  /** How many pictures. */
  images: number;
  /** Where the pictures are drawn, absolute: outside the data folder (an import refuses folders inside it). */
  folder: string;
  /** Seed of the drawn scenes; default 0. */
  seed?: number;
}

/** The demo dataset's steps, in order. */
export interface ShapesDatasetSteps {
  draw: JobStart<'shapes-generate'>;
  import: JobStart<'dataset-import'>;
  captions: Input<'datasets.captions'>;
}

/** The separator a folder's path already uses: `\\` for a Windows path without `/`, else `/`. */
export const separatorOf = (dir: string): string => (dir.includes('\\') && !dir.includes('/') ? '\\' : '/');

/** `name` inside `dir`, with the separator the folder already uses (a Windows folder has backslashes). */
export function joinPath(dir: string, name: string): string {
  const separator = separatorOf(dir);
  return dir.endsWith(separator) ? `${dir}${name}` : `${dir}${separator}${name}`;
}

/** The jobs and the call that make the demo dataset of `plan`; drawing and importing again continue where they were. */
export function shapesDatasetSteps(plan: ShapesDatasetPlan): ShapesDatasetSteps {
  const { dataset, images, folder } = plan;
  return {
    draw: { kind: 'shapes-generate', input: { n: images, size: SHAPES_PICTURE_SIZE, out: folder, captions: true, seed: plan.seed ?? 0 } },
    import: { kind: 'dataset-import', input: { dataset, folder, imageSize: SHAPES_PICTURE_SIZE } },
    captions: { dataset, file: joinPath(folder, SHAPES_METADATA_FILE) },
  };
}
