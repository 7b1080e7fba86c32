import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../main/contract/index.ts';
import { jobRecord } from './testing/job-record.ts';
import { formatParams, liveRun, needsRefresh, runActions, shortId, timelineSteps } from './training-run.ts';

function detail(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    id: 'abcdef12-0000',
    status: 'running',
    family: 'gan',
    dataset: 'shapes',
    model: 'shapes-clip',
    preset: 'tiny',
    pseudo: 'gaussian',
    steps: 12,
    step: 4,
    backend: 'wasm',
    device: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    last: { dLoss: 1, imagesPerSecond: 20 },
    samples: 1,
    hasCheckpoint: true,
    init: null,
    pseudoRun: null,
    nn: null,
    config: { sampleEvery: 4 },
    gParams: 1000,
    dParams: 2000,
    images: 24,
    attempts: [{ backend: 'wasm', device: null, fromStep: 0, at: '2026-01-01T00:00:00.000Z' }],
    metrics: [],
    sampleSteps: [4],
    snapshotSteps: [4],
    sampleLabels: ['a', 'b'],
    progress: { message: 'step 4 of 12', etaMs: 8000 },
    error: null,
    ...overrides,
  };
}

describe('training run', () => {
  it('offers Pause and Cancel while it goes, Resume once it stopped short', () => {
    expect(runActions('running')).toEqual({ pause: true, cancel: true, resume: false });
    expect(runActions('queued')).toEqual({ pause: true, cancel: true, resume: false });
    expect(runActions('paused')).toEqual({ pause: false, cancel: true, resume: true });
    for (const status of ['interrupted', 'cancelled', 'failed'] as const) expect(runActions(status).resume).toBe(true);
    expect(runActions('succeeded')).toEqual({ pause: false, cancel: false, resume: false });
  });

  it("shows the job's live progress over the detail's, and the detail's when the job has none", () => {
    const job = jobRecord({
      id: 'abcdef12-0000',
      kind: 'gan-train',
      status: 'running',
      attempts: 1,
      progress: { fraction: 0.5, message: 'step 6 of 12', step: 6, total: 12, etaMs: 3000, metrics: { imagesPerSecond: 42 } },
    });
    expect(liveRun(detail(), job)).toMatchObject({ status: 'running', step: 6, total: 12, fraction: 0.5, imagesPerSecond: 42, etaMs: 3000, attempts: 1 });
    expect(liveRun(detail(), null)).toMatchObject({ status: 'running', step: 4, total: 12, imagesPerSecond: 20, etaMs: 8000 });
    // Paused: no time left, the step it stopped at.
    const paused = jobRecord({ ...job, status: 'paused' });
    expect(liveRun(detail({ status: 'paused' }), paused)).toMatchObject({ status: 'paused', step: 6, etaMs: null });
  });

  it('reads the detail again when a sample grid is due or the status or attempt changed', () => {
    const at = (step: number, status: 'running' | 'paused' = 'running', attempts = 1) => ({ step, status, attempts });
    expect(needsRefresh(at(3), at(4), 4)).toBe(true);
    expect(needsRefresh(at(4), at(5), 4)).toBe(false);
    expect(needsRefresh(at(5), at(5, 'paused'), 4)).toBe(true);
    expect(needsRefresh(at(5, 'paused'), at(5, 'running', 2), 4)).toBe(true);
    expect(needsRefresh(at(1), at(2), 0)).toBe(true); // a cadence of 0 is read as 1
  });

  it('spreads the timeline over the run, first and last included', () => {
    expect(timelineSteps([4, 8, 12], 6)).toEqual([4, 8, 12]);
    expect(timelineSteps([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 4)).toEqual([10, 40, 70, 100]);
    expect(timelineSteps([10, 20, 30], 1)).toEqual([30]);
    expect(timelineSteps([], 3)).toEqual([]);
  });

  it('writes parameter counts short', () => {
    expect([formatParams(512), formatParams(51_234), formatParams(1_234_567), formatParams(null)]).toEqual(['512', '51k', '1.23M', '—']);
  });
});

describe('shortId', () => {
  it('shortens a job UUID to 8 characters and keeps a built-in run name whole', () => {
    expect(shortId('b06d5961-19ec-46b7-a7ef-d1f7789bdaff')).toBe('b06d5961');
    expect(shortId('shapes-pretrained')).toBe('shapes-pretrained');
  });
});
