/**
 * What the integration and end-to-end tests prepare with the real `lafite` command: a data
 * folder, a ShapesWorld dataset drawn and imported into it, and tiny training runs.
 *
 *   const fixture = useCliFixture({ name: 'shapes', images: 16, size: 32, captions: true });
 *   it('…', async () => {
 *     const runId = await trainTinyRun(fixture, 'shapes');
 *   });
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { lafite } from './cli.ts';
import { tempDir } from './temp.ts';

/** A ShapesWorld dataset drawn by `lafite shapes generate` and imported by `lafite dataset import`. */
export interface ShapesDatasetOptions {
  /** The dataset's name. */
  name: string;
  /** How many pictures are drawn. */
  images: number;
  /** The pictures' size and the import's crop size, in pixels. */
  size: number;
  /** Draw captions too (`--captions`, into metadata.jsonl). Off by default. */
  captions?: boolean;
  /** Attach the drawn captions to the dataset (`lafite dataset captions`); needs `captions`. Off by default. */
  attachCaptions?: boolean;
}

/** The end-to-end tests' usual dataset: 24 captioned 32 px pictures, the captions attached (evaluation prompts). */
export const CAPTIONED_SHAPES: ShapesDatasetOptions = { name: 'shapes', images: 24, size: 32, captions: true, attachCaptions: true };

/** The folders of a fixture and the CLI on its data folder. */
export interface CliFixture {
  /** The data folder the CLI and the server use. */
  dataDir: string;
  /** A folder for the test's own files; the ShapesWorld pictures are drawn into `work/shapes`. */
  work: string;
  /** `lafite --data-dir DATA ARGS…`: its stdout; fails with its stderr. */
  lafite(args: string[]): Promise<string>;
}

/** A fixture in one temporary folder: the data folder is its `data/`, the test's own files go beside it. */
export interface TempCliFixture extends CliFixture {
  /** Removes the folder and all in it. */
  remove(): void;
}

/** A temporary folder (named after `prefix`) with a data folder in it, for a test file's CLI commands. */
export function tempCliFixture(prefix?: string): TempCliFixture {
  const dir = tempDir(prefix);
  const dataDir = join(dir.path, 'data');
  return { dataDir, work: dir.path, lafite: (args) => lafite(['--data-dir', dataDir, ...args]), remove: dir.remove };
}

/** A temporary CLI fixture for the tests of the file or `describe` this is called in: `shapes` imported before them, the folder removed after them. */
export function useCliFixture(shapes?: ShapesDatasetOptions): TempCliFixture {
  const fixture = tempCliFixture();
  if (shapes) beforeAll(() => importShapes(fixture, shapes));
  afterAll(() => fixture.remove());
  return fixture;
}

/** Draws and imports a ShapesWorld dataset into `work/shapes`; returns the pictures' folder. */
export async function importShapes(fixture: CliFixture, shapes: ShapesDatasetOptions): Promise<string> {
  const folder = join(fixture.work, 'shapes');
  await fixture.lafite(['shapes', 'generate', '--n', String(shapes.images), '--size', String(shapes.size), '--out', folder, ...(shapes.captions ? ['--captions'] : [])]);
  await fixture.lafite(['dataset', 'import', folder, '--name', shapes.name, '--size', String(shapes.size)]);
  if (shapes.attachCaptions) await fixture.lafite(['dataset', 'captions', shapes.name, join(folder, 'metadata.jsonl')]);
  return folder;
}

/** A tiny training run: the tests' shortest that still checkpoints and draws sample grids. */
export interface TinyRunOptions {
  /** The preset. `tiny` by default. */
  preset?: string;
  /** The run's length in steps. 8 by default. */
  steps?: number;
  /** Steps between checkpoints. 4 by default. */
  checkpointEvery?: number;
}

/** The `lafite train` options of a tiny run: its preset and length, batches of 4, a checkpoint and a sample grid every 4 steps (unless `checkpointEvery` says otherwise). */
export function tinyRunArgs({ preset = 'tiny', steps = 8, checkpointEvery = 4 }: TinyRunOptions = {}): string[] {
  return ['--preset', preset, '--steps', String(steps), '--batch-size', '4', '--checkpoint-every', String(checkpointEvery), '--sample-every', '4'];
}

/** Trains a tiny GAN run of `dataset` with the CLI, ConG off for speed (and with `--seed` when `seed` is given); the run's id. */
export async function trainTinyRun(fixture: Pick<CliFixture, 'lafite'>, dataset: string, options: TinyRunOptions & { seed?: number } = {}): Promise<string> {
  const seed = options.seed === undefined ? [] : ['--seed', String(options.seed)];
  const stdout = await fixture.lafite(['--json', 'train', '--dataset', dataset, ...tinyRunArgs(options), '--no-con-g', ...seed]);
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { folder: string };
  return result.folder.split(/[\\/]/).at(-1)!;
}
