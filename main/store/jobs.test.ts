import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openDatabase } from './db.ts';
import { JobStore } from './jobs.ts';

describe('JobStore', () => {
  const dir = tempDir();
  const db = openDatabase(`${dir.path}/jobs.db`);
  const store = new JobStore(db);
  afterAll(() => {
    db.close();
    dir.remove();
  });

  it('round-trips input, progress, checkpoint and result as JSON', () => {
    const job = store.create('backend-benchmark', { size: 8, repeats: 1 }, process.pid);
    expect(job).toMatchObject({ status: 'queued', attempts: 0, input: { size: 8, repeats: 1 }, progress: null, error: null });
    expect(store.claimToRun(job.id, process.pid)).toBe('run');
    store.saveProgress(job.id, { fraction: 0.5, message: 'half' });
    store.saveCheckpoint(job.id, { done: [1, 2] });
    store.finish(job.id, 'succeeded', { result: { gflops: 1.5 } });
    expect(store.get(job.id)).toMatchObject({ status: 'succeeded', attempts: 1, progress: { fraction: 0.5 }, result: { gflops: 1.5 } });
    expect(store.checkpointOf(job.id)).toEqual({ done: [1, 2] });
  });

  it('marks jobs of dead processes interrupted and leaves those of live ones alone', () => {
    const live = store.create('backend-benchmark', {}, 111);
    const dead = store.create('backend-benchmark', {}, 222);
    store.claimToRun(dead.id, 222);
    const reaped = store.reapOrphans((pid) => pid === 111);
    expect(reaped).toEqual([dead.id]);
    expect(store.get(dead.id)).toMatchObject({ status: 'interrupted', error: { code: 'interrupted' } });
    expect(store.get(live.id)?.status).toBe('queued');
  });

  it('records cancel and pause requests for the owner to see', () => {
    const job = store.create('backend-benchmark', {}, process.pid);
    const other = store.create('backend-benchmark', {}, process.pid);
    expect(store.stopRequests([job.id, other.id])).toEqual(new Map());
    store.requestStop(job.id, 'cancel');
    store.requestStop(other.id, 'pause');
    expect(store.stopRequests([job.id, other.id])).toEqual(
      new Map([
        [job.id, 'cancel'],
        [other.id, 'pause'],
      ]),
    );
    // A stop asked for while queued is not lost when the owner comes to run the job.
    expect(store.claimToRun(job.id, process.pid)).toBe('cancel');
    expect(store.claimToRun(other.id, process.pid)).toBe('pause');
    expect(store.get(job.id)?.status).toBe('queued');
    store.finish(job.id, 'cancelled', {});
    expect(store.claimToRun(job.id, process.pid)).toBe('gone');
  });

  it('queues a stopped job again only once, whoever asks', () => {
    const job = store.create('backend-benchmark', {}, process.pid);
    store.finish(job.id, 'failed', {});
    expect(store.markQueued(job.id, 111, ['failed', 'cancelled'])).toBe(true);
    expect(store.markQueued(job.id, 222, ['failed', 'cancelled'])).toBe(false);
    expect(store.claimToRun(job.id, 111)).toBe('run');
    expect(store.stopRequests([job.id])).toEqual(new Map());
  });

  it('stores a paused job', () => {
    const job = store.create('backend-benchmark', {}, process.pid);
    store.finish(job.id, 'paused', {});
    expect(store.get(job.id)?.status).toBe('paused');
  });
});
