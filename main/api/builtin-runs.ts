/**
 * Built-in training runs: generators that ship in `resources/models/<id>/` (`run.json`, the
 * run's record, and `networks.bin`, a checkpoint of G, D and G_ema), installed into every data
 * folder as finished `gan-train` jobs under their own id. Generation, evaluation, fine-tuning
 * (`--init shapes-pretrained`), the Runs view and the Playground then treat them like any run,
 * so a fresh install draws pictures before anything has trained.
 *
 * A shipped file that changed (a newer training segment) is installed again; a data folder
 * without one keeps working.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobStore } from '../store/jobs.ts';
import { builtinModelDir } from '../store/paths.ts';
import { checkpointFile, runFolder } from '../jobs/run-files.ts';
import { jobInputSchemas, type TrainResult } from '../contract/index.ts';

/** The ShapesWorld generator trained language-free by scripts/train-shapes-pretrained.ts. */
export const SHAPES_PRETRAINED_ID = 'shapes-pretrained';

export const BUILTIN_RUN_FILES = { record: 'run.json', networks: 'networks.bin' } as const;

/** What `run.json` holds: the run's `gan-train` input, its last result, and the record of every training segment. */
export interface BuiltinRunRecord {
  id: string;
  description: string;
  input: Record<string, unknown>;
  result: Omit<TrainResult, 'folder'>;
  segments: Array<Record<string, unknown>>;
}

export const builtinRunDir = (id: string): string => builtinModelDir(id);

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** The runs that ship with the app. */
export const BUILTIN_RUNS: ReadonlyArray<{ id: string; folder: string }> = [{ id: SHAPES_PRETRAINED_ID, folder: builtinRunDir(SHAPES_PRETRAINED_ID) }];

/** Installs (or refreshes) the shipped runs in `dataDir`; runs whose files are absent are skipped. */
export async function registerBuiltinRuns(jobs: JobStore, dataDir: string, builtins: ReadonlyArray<{ id: string; folder: string }> = BUILTIN_RUNS): Promise<void> {
  for (const { id, folder } of builtins) await installRun(jobs, dataDir, id, folder);
}

async function installRun(jobs: JobStore, dataDir: string, id: string, folder: string): Promise<void> {
  const networks = join(folder, BUILTIN_RUN_FILES.networks);
  const recordFile = join(folder, BUILTIN_RUN_FILES.record);
  if (!existsSync(networks) || !existsSync(recordFile)) return;
  const hash = await sha256(networks);
  const installed = jobs.get(id);
  const target = checkpointFile(runFolder(dataDir, id));
  if (installed && installed.kind !== 'gan-train') return; // never replace a job of another kind
  if (installed && (installed.result as { builtin?: { sha256?: string } } | null)?.builtin?.sha256 === hash && existsSync(target)) return;
  const record = JSON.parse(await readFile(recordFile, 'utf8')) as BuiltinRunRecord;
  const input = jobInputSchemas['gan-train'].parse(record.input); // a shipped record that no longer parses is a bug: fail loudly
  await mkdir(runFolder(dataDir, id), { recursive: true });
  await copyFile(networks, `${target}.tmp`);
  await rename(`${target}.tmp`, target);
  jobs.installFinished(id, 'gan-train', input, { ...record.result, folder: runFolder(dataDir, id), builtin: { sha256: hash } });
}
