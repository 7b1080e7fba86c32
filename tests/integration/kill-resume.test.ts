/**
 * A job whose process is killed (kill -9) is found `interrupted` by the next process and
 * resumes from its last checkpoint; the database stays consistent.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openService } from '../../main/api/service.ts';
import { openDatabase } from '../../main/store/db.ts';
import { JobStore } from '../../main/store/jobs.ts';
import { LAFITE_BIN } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('kill -9 during a job', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('leaves an interrupted job that resumes from its checkpoint', async () => {
    const child = spawn(process.execPath, [LAFITE_BIN, '--json', '--data-dir', dir.path, '--backend', 'wasm', 'backend', 'bench', '--size', '256', '--repeats', '300'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kill it once a few products are checkpointed.
    const jobId = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const line of buffered.split('\n').slice(0, -1)) {
          const event = JSON.parse(line) as { job?: { id: string; progress?: { step?: number } } };
          if ((event.job?.progress?.step ?? 0) >= 3) resolve(event.job!.id);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
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
