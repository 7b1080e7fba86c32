/**
 * Keeping the Training view tidy: a run's disk use, whether Resume can work, naming a run, and
 * removing one (its rows in one transaction, then its folder), refused while it or one of its
 * generations or evaluations is queued or running.
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRecord, Outputs } from '../contract/index.ts';
import { conflict, LafiteError } from '../contract/errors.ts';
import { runFolder } from '../jobs/run-files.ts';
import type { RunCatalog } from '../store/run-catalog.ts';

/** Bytes of the files under `folder` (0 when there is none). */
export async function folderBytes(folder: string): Promise<number> {
  if (!existsSync(folder)) return 0;
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Errors that a resume runs into again (the input or what it names is wrong), unless the run has a checkpoint to go on from. */
const FATAL_CODES: ReadonlySet<string> = new Set(['invalid_input', 'not_found', 'unavailable']);
const STOPPED: ReadonlySet<string> = new Set(['paused', 'interrupted', 'cancelled', 'failed']);

/**
 * Whether Resume can work for a run in this state: stopped, and either it has a checkpoint to go
 * on from, or it stopped for a reason a second try can get past (cancelled, killed, out of memory).
 * A run refused at its first step (a misspelled dataset, missing features) cannot.
 */
export function canResume(job: Pick<JobRecord, 'status' | 'error'>, hasCheckpoint: boolean): boolean {
  if (!STOPPED.has(job.status)) return false;
  if (hasCheckpoint) return true;
  return !(job.status === 'failed' && FATAL_CODES.has(job.error?.code ?? ''));
}

export async function removeRun(catalog: RunCatalog, dataDir: string, job: JobRecord): Promise<Outputs['runs.remove']> {
  const { id } = job;
  if ((job.result as { builtin?: unknown } | null)?.builtin) throw conflict(`run ${id} ships with Lafite Studio (it comes back at the next start): it cannot be removed`);
  const folder = runFolder(dataDir, id);
  const freedBytes = await folderBytes(folder);
  const removed = catalog.remove(id);
  if ('busy' in removed) {
    const { busy } = removed;
    const what = busy.id === id ? `run ${id} is ${busy.status}` : `its ${busy.kind} job ${busy.id} is ${busy.status}`;
    throw conflict(`${what}: cancel it (lafite jobs cancel ${busy.id}) or wait for it to end, then remove the run`);
  }
  // The rows went first: a crash between the two leaves only unused files, never rows without files.
  await rm(folder, { recursive: true, force: true });
  return { id, removedJobs: removed.removedJobs, freedBytes };
}

export function renameRun(catalog: RunCatalog, id: string, name: string): void {
  if (!catalog.rename(id, name)) throw new LafiteError('conflict', `another run is named '${name}': pick another name`, 'name');
}
