/**
 * The paths in job inputs and what each job does with them, so that every one goes through
 * the path policy (main/store/path-policy.ts): when the job is started (the caller hears at
 * once) and again in its worker before every attempt (a resumed job's folder may have changed).
 * A job kind with a path field lists it here; a test checks that none is missing.
 */
import type { JobKind } from '../contract/index.ts';
import { checkPath, type PathUse } from '../store/path-policy.ts';

export const JOB_PATH_FIELDS: { readonly [K in JobKind]?: Readonly<Record<string, PathUse>> } = {
  'shapes-generate': { out: 'write-folder' },
  'dataset-import': { folder: 'read-folder' },
  embed: { folder: 'read-folder' },
  'gan-generate': { image: 'read-file', out: 'write-folder' },
  'gan-eval': { inception: 'read-file' },
};

/**
 * Checks the input's paths (throws invalid_input naming the field). The input keeps the
 * user's spelling: a dataset remembers the folder as it was given.
 */
export function checkJobPaths(kind: JobKind, input: unknown, dataDir: string): void {
  const fields = JOB_PATH_FIELDS[kind];
  if (!fields || typeof input !== 'object' || input === null) return;
  for (const [field, use] of Object.entries(fields)) {
    const path = (input as Record<string, unknown>)[field];
    if (typeof path === 'string') checkPath(path, { use, field: `input.${field}`, dataDir });
  }
}
