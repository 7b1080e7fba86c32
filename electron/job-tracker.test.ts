import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../main/contract/index.ts';
import { endNotice, JobTracker, PROGRESS_INDETERMINATE, PROGRESS_NONE, quitQuestion, taskbarProgress } from './job-tracker.ts';

function job(id: string, status: JobRecord['status'], fraction?: number, kind = 'gan-train'): JobRecord {
  return {
    id,
    kind: kind as JobRecord['kind'],
    status,
    input: {},
    progress: fraction === undefined ? null : { fraction, message: '' },
    result: null,
    error: status === 'failed' ? { code: 'internal', message: 'out of memory' } : null,
    attempts: 1,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
  };
}

describe('taskbar progress', () => {
  it('is none without jobs, indeterminate before any fraction, else the mean over active jobs', () => {
    expect(taskbarProgress([])).toBe(PROGRESS_NONE);
    expect(taskbarProgress([job('a', 'running')])).toBe(PROGRESS_INDETERMINATE);
    expect(taskbarProgress([job('a', 'running', 0.5)])).toBe(0.5);
    expect(taskbarProgress([job('a', 'running', 0.5), job('b', 'queued')])).toBe(0.25);
    expect(taskbarProgress([job('a', 'running', 1.7)])).toBe(1);
  });
});

describe('JobTracker', () => {
  it('keeps active jobs, reports a job that ends after running, and forgets it', () => {
    const tracker = new JobTracker();
    expect(tracker.update(job('a', 'queued'))).toBeNull();
    expect(tracker.busy()).toBe(true);
    expect(tracker.update(job('a', 'running', 0.2))).toBeNull();
    expect(tracker.taskbarProgress()).toBeCloseTo(0.2);
    const ended = tracker.update(job('a', 'succeeded', 1));
    expect(ended?.id).toBe('a');
    expect(tracker.busy()).toBe(false);
    expect(tracker.taskbarProgress()).toBe(PROGRESS_NONE);
    // A job never seen running (cancelled while queued, or an old one) is no news.
    expect(tracker.update(job('b', 'queued'))).toBeNull();
    expect(tracker.update(job('b', 'cancelled'))).toBeNull();
  });
});

describe('quit confirmation', () => {
  it('asks only while jobs are active, naming them', () => {
    expect(quitQuestion([])).toBeNull();
    const one = quitQuestion([job('a', 'running', 0.1)]);
    expect(one?.message).toBe('A job is still running (gan train). Quit anyway?');
    expect(one?.detail).toMatch(/resumed/);
    const two = quitQuestion([job('a', 'queued', undefined, 'dataset-import'), job('b', 'queued', undefined, 'dataset-import')]);
    expect(two?.message).toBe('2 jobs are still waiting (dataset import). Quit anyway?');
  });
});

describe('end notices', () => {
  it('says finished, failed with the reason, stopped, and nothing for a cancel', () => {
    expect(endNotice(job('a', 'succeeded'))?.title).toBe('Finished: gan train');
    expect(endNotice(job('a', 'failed'))).toEqual({ title: 'Failed: gan train', body: 'out of memory' });
    expect(endNotice(job('a', 'interrupted'))?.title).toBe('Stopped: gan train');
    expect(endNotice(job('a', 'cancelled'))).toBeNull();
  });
});
