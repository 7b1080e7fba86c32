import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../main/contract/index.ts';
import { isCancellable, isResumable, isStaleJob } from './job-order.ts';
import { jobRecord as job } from './testing/job-record.ts';

describe('isStaleJob', () => {
  it('drops a queued copy that arrives after the job finished', () => {
    expect(isStaleJob(job({ status: 'queued', attempts: 1 }), job({ status: 'succeeded', attempts: 1 }))).toBe(true);
    expect(isStaleJob(job({ status: 'queued', attempts: 0 }), job({ status: 'running', attempts: 1 }))).toBe(true);
  });

  it('keeps the copy of a later attempt (a resume)', () => {
    expect(isStaleJob(job({ status: 'running', attempts: 2 }), job({ status: 'failed', attempts: 1 }))).toBe(false);
  });

  it('drops a running copy that arrives after the job paused, and keeps the resumed attempt', () => {
    expect(isStaleJob(job({ status: 'running', attempts: 1 }), job({ status: 'paused', attempts: 1 }))).toBe(true);
    expect(isStaleJob(job({ status: 'running', attempts: 2 }), job({ status: 'paused', attempts: 1 }))).toBe(false);
  });

  it('orders running copies by progress', () => {
    const at = (fraction: number) => job({ status: 'running', attempts: 1, progress: { fraction, message: '' } });
    expect(isStaleJob(at(0.2), at(0.5))).toBe(true);
    expect(isStaleJob(at(0.5), at(0.2))).toBe(false);
  });
});

describe('job actions', () => {
  it('offers cancel on queued and running jobs, resume on stopped ones', () => {
    expect(['queued', 'running'].map((status) => isCancellable(job({ status: status as JobRecord['status'] })))).toEqual([true, true]);
    for (const status of ['paused', 'interrupted', 'cancelled', 'failed'] as const) expect(isResumable(job({ status }))).toBe(true);
    expect(isCancellable(job({ status: 'paused' }))).toBe(false);
    expect(isResumable(job({ status: 'succeeded' }))).toBe(false);
    expect(isCancellable(job({ status: 'succeeded' }))).toBe(false);
  });
});
