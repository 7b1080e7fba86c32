/**
 * A job whose process is killed (kill -9) is found `interrupted` by the next process and
 * resumes from its last checkpoint; the database stays consistent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openService } from '../../main/api/service.ts';
import { openDatabase } from '../../main/store/db.ts';
import { JobStore } from '../../main/store/jobs.ts';
import { spawnUntilStep } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('kill -9 during a job', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('leaves an interrupted job that resumes from its checkpoint', async () => {
    // Kill it once a few products are checkpointed.
    const { child, jobId } = await spawnUntilStep(['--data-dir', dir.path, '--backend', 'wasm', 'backend', 'bench', '--size', '256', '--repeats', '300'], 3);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));

    const db = openDatabase(`${dir.path}/lafite.db`);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const checkpointed = (new JobStore(db).checkpointOf(jobId) as { timingsMs: number[] }).timingsMs.length;
    db.close();
    expect(checkpointed).toBeGreaterThanOrEqual(3);

    const service = openService({ dataDir: dir.path, backend: 'wasm' });
    try {
      const found = await service.call('jobs.get', { id: jobId });
      expect(found).toMatchObject({ status: 'interrupted', attempts: 1, error: { code: 'interrupted' } });
      const steps: number[] = [];
      const finished = new Promise<void>((resolve) =>
        service.subscribe((event) => {
          if (event.job.id !== jobId) return;
          if (event.job.status === 'running' && event.job.progress?.step) steps.push(event.job.progress.step);
          if (event.job.status === 'succeeded') resolve();
        }),
      );
      await service.call('jobs.resume', { id: jobId });
      await finished;
      const done = await service.call('jobs.get', { id: jobId });
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2, result: { repeats: 300 } });
      expect(Math.min(...steps.filter((s) => s > checkpointed))).toBe(checkpointed + 1);
    } finally {
      await service.close();
    }
  }, 120_000);
});
