/** A job record for tests: a queued `backend-benchmark` job that has never run, with `overrides` on top. */
import type { JobRecord } from '../../../../main/contract/index.ts';

export function jobRecord(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: '0123abcd-0000',
    kind: 'backend-benchmark',
    status: 'queued',
    input: {},
    progress: null,
    result: null,
    error: null,
    attempts: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}
