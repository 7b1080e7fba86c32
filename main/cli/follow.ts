/**
 * Follows a job until it ends: a progress bar on a terminal, JSON lines with `--json`,
 * plain lines otherwise. Ctrl+C cancels the job (and waits for it to stop).
 */
import { SingleBar } from 'cli-progress';
import { ERROR_CODES, type ErrorCode, type JobRecord } from '../contract/index.ts';
import { LafiteError } from '../contract/errors.ts';
import type { Service } from '../api/service.ts';
import { formatMs, type OutputOptions } from './output.ts';

const DONE = new Set(['succeeded', 'failed', 'cancelled', 'interrupted', 'paused']);

function progressLine(job: JobRecord): string {
  const p = job.progress;
  if (!p) return `${job.kind} ${job.status}`;
  const eta = p.etaMs !== undefined ? `, ${formatMs(p.etaMs)} left` : '';
  return `${(p.fraction * 100).toFixed(0).padStart(3)}%  ${p.message}${eta}`;
}

export async function followJob(service: Service, id: string, options: OutputOptions): Promise<JobRecord> {
  const tty = process.stderr.isTTY && !options.json;
  const bar = tty ? new SingleBar({ format: '{bar} {percentage}% | {message}', hideCursor: true, stream: process.stderr }) : undefined;
  let lastLine = '';
  bar?.start(1000, 0, { message: 'starting' });

  const show = (job: JobRecord): void => {
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ type: 'job.updated', job })}\n`);
    } else if (bar) {
      bar.update(Math.round((job.progress?.fraction ?? 0) * 1000), { message: progressLine(job).slice(5) });
    } else {
      const line = progressLine(job);
      if (line !== lastLine) process.stderr.write(`${line}\n`);
      lastLine = line;
    }
  };

  const onInterrupt = (): void => {
    process.stderr.write('\ncancelling…\n');
    service.call('jobs.cancel', { id }).catch(() => undefined);
  };
  process.on('SIGINT', onInterrupt);
  try {
    const final = await new Promise<JobRecord>((resolve) => {
      const unsubscribe = service.subscribe((event) => {
        if (event.job.id !== id) return;
        show(event.job);
        if (DONE.has(event.job.status)) {
          unsubscribe();
          resolve(event.job);
        }
      });
      // It may have ended before we listened.
      void service.call('jobs.get', { id }).then((job) => {
        if (DONE.has(job.status)) {
          unsubscribe();
          resolve(job);
        }
      });
    });
    bar?.stop();
    if (final.status === 'failed') {
      const code = (ERROR_CODES as readonly string[]).includes(final.error?.code ?? '') ? (final.error!.code as ErrorCode) : 'internal';
      throw new LafiteError(code, `job ${id} failed: ${final.error?.message ?? 'unknown error'}`);
    }
    if (final.status === 'paused') throw new LafiteError('cancelled', `job ${id} paused at its last checkpoint; resume it with \`lafite jobs resume ${id}\``);
    if (final.status === 'cancelled') throw new LafiteError('cancelled', `job ${id} cancelled; resume it with \`lafite jobs resume ${id}\``);
    return final;
  } finally {
    bar?.stop();
    process.off('SIGINT', onInterrupt);
  }
}
