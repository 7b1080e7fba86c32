import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import type { JobRecord } from '../contract/index.ts';
import { openDatabase } from '../store/db.ts';
import { JobStore } from '../store/jobs.ts';
import { doneProgress, JobRunner } from './runner.ts';
import { STUCK_SECONDS, STUCK_SIZE } from './testing/stuck-worker.ts';

describe('JobRunner', () => {
  const dir = tempDir();
  const dbPath = `${dir.path}/lafite.db`;
  const db = openDatabase(dbPath);
  const store = new JobStore(db);
  const runner = new JobRunner(store, { dataDir: dir.path, dbPath, backend: 'wasm', progressIntervalMs: 0 });
  const events: JobRecord[] = [];
  runner.subscribe((job) => events.push(job));
  afterAll(async () => {
    await runner.dispose();
    db.close();
    dir.remove();
  });

  it('runs a job in a worker thread, reporting progress, and stores the result', async () => {
    const job = runner.start('backend-benchmark', { size: 32, repeats: 3 });
    expect(job.status).toBe('queued');
    const done = await runner.waitFor(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({ backend: 'wasm', size: 32, repeats: 3 });
    expect((done.result as { gflops: number }).gflops).toBeGreaterThan(0);
    const mine = events.filter((e) => e.id === job.id);
    expect(mine.map((e) => e.status)).toEqual(expect.arrayContaining(['queued', 'running', 'succeeded']));
    expect(mine.filter((e) => e.status === 'running' && e.progress).map((e) => e.progress!.step)).toEqual([1, 2, 3]);
    expect(store.checkpointOf(job.id)).toMatchObject({ backend: 'wasm', timingsMs: expect.any(Array) });
  });

  it('reports progress that never goes backwards, and a finished job as done at 100 %', async () => {
    const job = runner.start('backend-benchmark', { size: 16, repeats: 2 });
    const done = await runner.waitFor(job.id);
    expect(done.progress).toMatchObject({ fraction: 1, message: 'done', step: 2 });
    expect(done.progress!.etaMs).toBeUndefined();
    const fractions = events.filter((e) => e.id === job.id && e.progress).map((e) => e.progress!.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(doneProgress(null)).toEqual({ fraction: 1, message: 'done' });
  });

  it('rejects bad input before creating a job, naming the field', () => {
    const before = runner.list(1000).length;
    expect(() => runner.start('backend-benchmark', { size: 2 })).toThrow(/field 'size'/);
    try {
      runner.start('backend-benchmark', { size: 64, colour: 'red' });
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_input' });
    }
    expect(runner.list(1000).length).toBe(before);
  });

  it('cancels a running job, then resumes it from its checkpoint', async () => {
    const job = runner.start('backend-benchmark', { size: 256, repeats: 200 });
    // Wait for a few products to be timed and checkpointed.
    await new Promise<void>((resolve) => {
      const stop = runner.subscribe((e) => {
        if (e.id === job.id && (e.progress?.step ?? 0) >= 3) {
          stop();
          resolve();
        }
      });
    });
    runner.cancel(job.id);
    const cancelled = await runner.waitFor(job.id);
    expect(cancelled.status).toBe('cancelled');
    const saved = (store.checkpointOf(job.id) as { timingsMs: number[] }).timingsMs.length;
    expect(saved).toBeGreaterThanOrEqual(3);
    expect(saved).toBeLessThan(200);

    const firstSteps: number[] = [];
    const stop = runner.subscribe((e) => {
      if (e.id === job.id && e.progress && e.status === 'running') firstSteps.push(e.progress.step!);
    });
    runner.resume(job.id);
    const finished = await runner.waitFor(job.id);
    stop();
    expect(finished).toMatchObject({ status: 'succeeded', attempts: 2, result: { repeats: 200 } });
    // The second attempt continued where the first stopped instead of starting again
    // (its first event still shows the first attempt's last progress).
    expect(firstSteps.every((step) => step >= saved)).toBe(true);
    expect(Math.min(...firstSteps.filter((step) => step > saved))).toBe(saved + 1);
  });

  it('refuses to cancel a finished job or resume a running one', async () => {
    const job = runner.start('backend-benchmark', { size: 16, repeats: 1 });
    await runner.waitFor(job.id);
    expect(() => runner.cancel(job.id)).toThrow(/is succeeded: only queued or running jobs can be cancelled/);
    expect(() => runner.pause(job.id)).toThrow(/is succeeded: only queued or running jobs can be paused/);
    expect(() => runner.resume(job.id)).toThrow(/only paused, interrupted, cancelled or failed jobs can be resumed/);
    expect(() => runner.get('00000000-0000-0000-0000-000000000000')).toThrow(/no job/);
  });

  it('pauses a running job at its checkpoint and a queued one at once; resume goes on from there', async () => {
    const job = runner.start('backend-benchmark', { size: 256, repeats: 200 });
    const queued = runner.start('backend-benchmark', { size: 16, repeats: 1 });
    expect(runner.pause(queued.id).status).toBe('paused');
    await new Promise<void>((resolve) => {
      const stop = runner.subscribe((e) => {
        if (e.id === job.id && (e.progress?.step ?? 0) >= 2) {
          stop();
          resolve();
        }
      });
    });
    runner.pause(job.id);
    const paused = await runner.waitFor(job.id);
    expect(paused.status).toBe('paused');
    const saved = (store.checkpointOf(job.id) as { timingsMs: number[] }).timingsMs.length;
    expect(saved).toBeGreaterThanOrEqual(2);
    runner.resume(job.id);
    expect(await runner.waitFor(job.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(runner.cancel(queued.id).status).toBe('cancelled'); // a paused job can be closed too
    runner.resume(queued.id);
    expect((await runner.waitFor(queued.id)).status).toBe('succeeded');
  });

  it('runs queued jobs one after another', async () => {
    const a = runner.start('backend-benchmark', { size: 64, repeats: 5 });
    const b = runner.start('backend-benchmark', { size: 64, repeats: 5 });
    expect(runner.get(b.id).status).toBe('queued');
    const [doneA, doneB] = await Promise.all([runner.waitFor(a.id), runner.waitFor(b.id)]);
    expect(doneA.status).toBe('succeeded');
    expect(doneB.status).toBe('succeeded');
    expect(doneB.startedAt! >= doneA.finishedAt!).toBe(true);
  });

  it('honours a cancel from another process of a job still queued here, and lets one process resume a job', async () => {
    // A second runner on the same database stands for another process (`lafite jobs cancel`).
    const otherDb = openDatabase(dbPath);
    const other = new JobRunner(new JobStore(otherDb), { dataDir: dir.path, dbPath, backend: 'wasm', stopPollMs: 50 });
    const fast = new JobRunner(store, { dataDir: dir.path, dbPath, backend: 'wasm', progressIntervalMs: 0, stopPollMs: 50 });
    const long = fast.start('backend-benchmark', { size: 256, repeats: 1000 });
    const queued = fast.start('backend-benchmark', { size: 16, repeats: 1 });
    expect(fast.get(queued.id).status).toBe('queued');
    other.cancel(queued.id);
    expect(await fast.waitFor(queued.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
    fast.cancel(long.id);
    expect((await fast.waitFor(long.id)).status).toBe('cancelled');
    // Both resume it: one queues it, the other is told it is already queued.
    fast.resume(queued.id);
    expect(() => other.resume(queued.id)).toThrow(/is (queued|running|succeeded): only paused/);
    expect(await fast.waitFor(queued.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    await Promise.all([fast.dispose(), other.dispose()]);
    otherDb.close();
  });

  it('fails a job whose worker cannot be terminated, in bounded time, and runs the next one', async () => {
    const stuckModule = new URL('./testing/stuck-worker.ts', import.meta.url).href;
    const bounded = new JobRunner(store, { dataDir: dir.path, dbPath, backend: 'wasm', cancelGraceMs: 200, terminateGraceMs: 500, workerModule: stuckModule });
    const stuck = bounded.start('backend-benchmark', { size: STUCK_SIZE, repeats: 1 });
    const next = bounded.start('backend-benchmark', { size: 16, repeats: 1 });
    await new Promise<void>((blocked) => {
      const stop = bounded.subscribe((e) => {
        if (e.id === stuck.id && e.progress) {
          stop();
          blocked();
        }
      });
    });
    const askedAt = Date.now();
    bounded.cancel(stuck.id);
    const failed = await bounded.waitFor(stuck.id);
    expect(Date.now() - askedAt).toBeLessThan(STUCK_SECONDS * 1000 - 1000);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'internal', message: expect.stringMatching(/could not be terminated .*abandoned/) } });
    expect((await bounded.waitFor(next.id)).status).toBe('succeeded');
    await bounded.dispose();
  });

  it('records a failing job with its error, not a crash', async () => {
    const job = runner.start('backend-benchmark', { size: 16, repeats: 1, backend: 'node-gpu' });
    const done = await runner.waitFor(job.id);
    // node-gpu loads only where there is a CUDA GPU; elsewhere the job fails saying why.
    if (done.status === 'failed') expect(done.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/backend 'node-gpu' cannot be used/) });
    else expect(done.status).toBe('succeeded');
  });
});
