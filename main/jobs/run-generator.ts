/**
 * A trained run's generator average G_ema, as generation and evaluation load it: the kept
 * snapshot of the asked step, or the newest one (the resume checkpoint for runs that kept none).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput } from '../contract/errors.ts';
import { readCheckpointState, restoreCheckpoint } from '../engine/gan/checkpoint.ts';
import { Generator } from '../engine/gan/generator.ts';
import { PRESETS, type NetworkOptions } from '../engine/gan/presets.ts';
import type { JobInput } from './job-kind.ts';
import { checkpointFile, runFolder, snapshotFile, SNAPSHOTS_FOLDER, stepsOf } from './run-files.ts';

/** The file holding the run's generator at `step` (default: the newest), and that step. */
export async function findGenerator(dataDir: string, runId: string, step: number | undefined): Promise<{ file: string; step: number }> {
  const folder = runFolder(dataDir, runId);
  if (step !== undefined) {
    if (!existsSync(snapshotFile(folder, step)))
      throw invalidInput(`run ${runId} kept no generator at step ${step}: see \`lafite runs show ${runId}\` for the steps it kept`, 'step');
    return { file: snapshotFile(folder, step), step };
  }
  const kept = existsSync(join(folder, SNAPSHOTS_FOLDER)) ? stepsOf(await readdir(join(folder, SNAPSHOTS_FOLDER)), 'bin') : [];
  if (kept.length > 0) return { file: snapshotFile(folder, kept.at(-1)!), step: kept.at(-1)! };
  if (!existsSync(checkpointFile(folder))) throw invalidInput(`run ${runId} has no checkpoint yet: let it train past its first checkpoint`, 'run');
  return { file: checkpointFile(folder), step: ((await readCheckpointState(checkpointFile(folder))) as { step: number }).step };
}

/** The network a run trains: its preset, with the condition form it asked for. */
export const networkOf = (run: Pick<JobInput<'gan-train'>, 'preset' | 'condition'>): NetworkOptions => ({
  ...PRESETS[run.preset],
  ...(run.condition ? { condition: run.condition } : {}),
});

/** G_ema of a run's network from `file` (dispose it when done). */
export async function loadGenerator(file: string, run: Pick<JobInput<'gan-train'>, 'preset' | 'condition'>, textDim: number): Promise<Generator> {
  const g = new Generator(networkOf(run), { textDim, seed: 0 });
  await restoreCheckpoint(file, { networks: { g_ema: g.namedVariables() }, optimizers: {} });
  return g;
}
