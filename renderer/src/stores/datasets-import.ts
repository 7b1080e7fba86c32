/**
 * Importing a folder as a dataset: the `dataset-import` job's input as the import form sends
 * it, the checks the API makes too (said before a round trip, by field), and the job's dataset
 * and result read back from its record. Pure: no store, no API.
 *
 * @example
 *   const input: ImportInput = { dataset: 'cats', folder: '/home/me/cats', imageSize: 256, minSize: 32 };
 *   if (Object.keys(checkImportInput(input)).length === 0) await api.call('jobs.start', { kind: 'dataset-import', input: { ...input } });
 */
import { DATASET_IMPORT_OPTIONS, type DatasetImportResult, type JobRecord } from '../../../main/contract/index.ts';

/** What the import form sends: the `dataset-import` job's input. */
export interface ImportInput {
  dataset: string;
  folder: string;
  imageSize: number;
  minSize: number;
}

/** The import form's starting sizes: the `dataset-import` option table's defaults (main/contract/datasets.ts). */
export const DEFAULT_IMPORT_SIZES: Readonly<Pick<ImportInput, 'imageSize' | 'minSize'>> = {
  imageSize: DATASET_IMPORT_OPTIONS.imageSize.default,
  minSize: DATASET_IMPORT_OPTIONS.minSize.default,
};

/** Patterns the API checks too (main/contract); checked here first to say what is wrong before a round trip. */
const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

/** Messages for the import form's fields that are wrong, by field; empty when it may be sent. */
export function checkImportInput(input: {
  dataset: string;
  folder: string;
  imageSize: number | '';
  minSize: number | '';
}): Partial<Record<'dataset' | 'folder' | 'imageSize' | 'minSize', string>> {
  const problems: Partial<Record<'dataset' | 'folder' | 'imageSize' | 'minSize', string>> = {};
  const isIntIn = (value: number | '', min: number, max: number): boolean => value !== '' && Number.isInteger(value) && value >= min && value <= max;
  if (!DATASET_NAME.test(input.dataset)) problems.dataset = 'Letters, digits, ., _ or -, starting with a letter or digit; at most 64.';
  if (!ABSOLUTE_PATH.test(input.folder)) problems.folder = 'An absolute path, e.g. /home/me/pictures.';
  if (!isIntIn(input.imageSize, 8, 1024)) problems.imageSize = 'A whole number of pixels from 8 to 1024.';
  if (!isIntIn(input.minSize, 1, 4096)) problems.minSize = 'A whole number of pixels from 1 to 4096.';
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const IMPORT_FIGURES = ['found', 'unchanged', 'imported', 'rejected', 'duplicate', 'seconds'] as const satisfies ReadonlyArray<keyof DatasetImportResult>;

/** A `dataset-import` result, or null when the value does not have its shape. */
export function parseImportResult(value: unknown): DatasetImportResult | null {
  if (!isObject(value) || typeof value.dataset !== 'string' || !isObject(value.counts)) return null;
  for (const figure of IMPORT_FIGURES) if (typeof value[figure] !== 'number') return null;
  return value as unknown as DatasetImportResult;
}

/** The dataset a `dataset-import` job imports into. */
export function datasetOfImport(job: JobRecord): string | null {
  return isObject(job.input) && typeof job.input.dataset === 'string' ? job.input.dataset : null;
}
