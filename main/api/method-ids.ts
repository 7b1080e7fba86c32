/**
 * Which fields of which methods (and of which jobs' inputs) hold ids, and of what: the service
 * resolves them all through api/ids.ts before a handler sees the input, so every adapter
 * (IPC, HTTP, CLI) accepts the same prefixes and names, and handlers see whole ids only.
 */
import type { JobKind, Method } from '../contract/index.ts';
import type { IdKindName, IdResolver } from './ids.ts';

type Fields = Readonly<Record<string, IdKindName>>;

const DATASET: Fields = { dataset: 'dataset' };
const JOB: Fields = { id: 'job' };
const RUN: Fields = { id: 'trainingRun' };

/** Id fields of each method's input (`jobs.start` and `jobs.check`: of their job input, below). */
const METHOD_ID_FIELDS: Partial<Record<Method, Fields>> = {
  'jobs.get': JOB,
  'jobs.cancel': JOB,
  'jobs.resume': JOB,
  'jobs.pause': JOB,
  // models.remove takes the whole id: it also removes an unfinished download, which no record names.
  'datasets.get': DATASET,
  'datasets.fit': { dataset: 'dataset', model: 'model' },
  // datasets.remove takes the whole name: a dataset whose import is still queued has no row yet, and removing it must say so (conflict).
  'datasets.images': DATASET,
  'datasets.image': DATASET,
  'datasets.thumbnails': DATASET,
  'datasets.captions': DATASET,
  'datasets.caption': DATASET,
  'datasets.split': DATASET,
  'datasets.fewshot': DATASET,
  'pseudo.runs': DATASET,
  'pseudo.stats': { dataset: 'dataset', model: 'model' },
  'pseudo.captions': { run: 'pseudoRun' },
  'vocabulary.preview': { dataset: 'dataset', model: 'model' },
  'vocabulary.build': { model: 'model' },
  'vocabulary.words': { model: 'model' },
  'vocabulary.save': { model: 'model' },
  'runs.get': RUN,
  'runs.sample': RUN,
  'runs.generations': RUN,
  'runs.evaluations': RUN,
  'runs.remove': RUN,
  'runs.rename': RUN,
  'runs.generated': { id: 'generation' },
};

/** Id fields of job inputs, for every kind but those that create what they name. */
const JOB_INPUT_ID_FIELDS: Fields = { dataset: 'dataset', against: 'dataset', model: 'model', run: 'trainingRun', init: 'trainingRun', pseudoRun: 'pseudoRun' };
/** Kinds whose id fields name something they make, not something that exists. */
const CREATING_KINDS: ReadonlySet<JobKind> = new Set(['dataset-import', 'model-download', 'shapes-generate']);

function resolveFields(ids: IdResolver, fields: Fields, input: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out = { ...input };
  for (const [field, kind] of Object.entries(fields)) {
    const value = input[field];
    if (typeof value === 'string') out[field] = ids.resolve(kind, value, `${prefix}${field}`);
  }
  return out;
}

/** The input with every id it holds made whole (throws `not_found`, or `invalid_input` for an ambiguous prefix). */
export function resolveInputIds<T>(ids: IdResolver, method: Method, input: T): T {
  const record = input as Record<string, unknown>;
  if (method === 'jobs.start' || method === 'jobs.check') {
    const kind = record.kind as JobKind;
    const jobInput = (record.input ?? {}) as Record<string, unknown>;
    if (CREATING_KINDS.has(kind)) return input;
    return { ...record, input: resolveFields(ids, JOB_INPUT_ID_FIELDS, jobInput, 'input.') } as T;
  }
  const fields = METHOD_ID_FIELDS[method];
  return fields ? (resolveFields(ids, fields, record) as T) : input;
}
