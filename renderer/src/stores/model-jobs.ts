/**
 * Reading the model manager's jobs: which model a `model-download` or `model-eval` job is
 * about (from its input), and an evaluation's result. Job inputs and results cross the API
 * as `unknown`, so they are checked here rather than cast.
 */
import type { JobRecord, ModelEvalResult } from '../../../main/contract/index.ts';

export type { ModelEvalResult };

const EVAL_FIGURES = [
  'images',
  'colorAccuracy',
  'shapeAccuracy',
  'colorShapeAccuracy',
  'meanImageTextCosine',
  'meanTextTextCosine',
  'meanImageImageCosine',
  'modalityGap',
  'seconds',
] as const satisfies ReadonlyArray<keyof ModelEvalResult>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A string field of a job's input, or null. */
function inputString(job: JobRecord, field: string): string | null {
  const value = isObject(job.input) ? job.input[field] : undefined;
  return typeof value === 'string' ? value : null;
}

/** The model id a `model-download` job installs. */
export const registryIdOfDownload = (job: JobRecord): string | null => inputString(job, 'id');

/** The model id a `model-eval` job evaluates. */
export const modelOfEval = (job: JobRecord): string | null => inputString(job, 'model');

/** A `model-eval` result, or null when the value does not have its shape. */
export function parseEvalResult(value: unknown): ModelEvalResult | null {
  if (!isObject(value) || typeof value.model !== 'string') return null;
  for (const figure of EVAL_FIGURES) if (typeof value[figure] !== 'number') return null;
  return value as unknown as ModelEvalResult;
}
