/**
 * Built-in runs: a generator shipped in resources is installed into every data folder as a
 * finished `gan-train` job, refreshed when its files change, and used like any run: the shipped
 * `shapes-pretrained` draws PNGs for a prompt on a fresh data folder through the real CLI.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_RUN_FILES, registerBuiltinRuns, SHAPES_PRETRAINED_ID } from '../../main/api/builtin-runs.ts';
import type { GenerateResult, RunSummary } from '../../main/contract/index.ts';
import { writeCheckpoint } from '../../main/engine/gan/checkpoint.ts';
import { Discriminator } from '../../main/engine/gan/discriminator.ts';
import { Generator } from '../../main/engine/gan/generator.ts';
import { PRESETS } from '../../main/engine/gan/presets.ts';
import { checkpointFile, runFolder } from '../../main/jobs/run-files.ts';
import { openDatabase } from '../../main/store/db.ts';
import { JobStore } from '../../main/store/jobs.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
afterAll(() => dir.remove());
const sub = (name: string): string => {
  const path = join(dir.path, name);
  mkdirSync(path, { recursive: true });
  return path;
};

async function lafite<T>(dataDir: string, ...args: string[]): Promise<T> {
  const { code, stdout, stderr } = await runCli(['--json', '--data-dir', dataDir, ...args]);
  if (code !== 0) throw new Error(`lafite ${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** A tiny-preset run's networks and record, as the training script writes them. */
async function writeShippedRun(folder: string, seed: number): Promise<void> {
  const g = new Generator(PRESETS.tiny, { textDim: 64, seed });
  const d = new Discriminator(PRESETS.tiny, { textDim: 64, seed: seed + 1 });
  await writeCheckpoint(join(folder, BUILTIN_RUN_FILES.networks), {
    networks: { g: g.namedVariables(), d: d.namedVariables(), g_ema: g.namedVariables() },
    optimizers: {},
    state: { step: 0 },
  });
  tf.dispose([...g.namedVariables().values(), ...d.namedVariables().values()]);
  const record = {
    id: 'tiny-builtin',
    description: 'a test run',
    input: { dataset: 'shapes-world', preset: 'tiny', pseudo: 'clo', steps: 10 },
    result: { steps: 10, images: 4, backend: 'wasm', seconds: 1, imagesPerSecond: 40, losses: { dLoss: 1, gLoss: 1, conDReal: 1, conDFake: 1, conG: 1 } },
    segments: [],
  };
  writeFileSync(join(folder, BUILTIN_RUN_FILES.record), JSON.stringify(record));
}

describe('built-in runs', () => {
  it('installs a shipped run once, refreshes it when its networks change, and generates from it', async () => {
    const shipped = sub('shipped');
    const dataDir = sub('data-install');
    await writeShippedRun(shipped, 1);
    const db = openDatabase(join(dataDir, 'lafite.db'));
    const jobs = new JobStore(db);
    const builtins = [{ id: 'tiny-builtin', folder: shipped }];
    await registerBuiltinRuns(jobs, dataDir, builtins);
    const installed = jobs.get('tiny-builtin')!;
    expect(installed).toMatchObject({ kind: 'gan-train', status: 'succeeded', input: { preset: 'tiny', dataset: 'shapes-world' } });
    const target = checkpointFile(runFolder(dataDir, 'tiny-builtin'));
    expect(existsSync(target)).toBe(true);
    const firstHash = (installed.result as { builtin: { sha256: string } }).builtin.sha256;

    await registerBuiltinRuns(jobs, dataDir, builtins); // unchanged: nothing to do
    expect(jobs.get('tiny-builtin')!.finishedAt).toBe(installed.finishedAt);

    await writeShippedRun(shipped, 2); // a newer segment
    await registerBuiltinRuns(jobs, dataDir, builtins);
    expect((jobs.get('tiny-builtin')!.result as { builtin: { sha256: string } }).builtin.sha256).not.toBe(firstHash);
    db.close();

    const generated = await lafite<GenerateResult>(dataDir, 'generate', '--run', 'tiny-builtin', '--prompt', 'two red circles', '--n', '2', '--out', sub('tiny-out'));
    expect(generated.files).toHaveLength(2);
  }, 60_000);

  it('draws from the shipped shapes-pretrained generator on a fresh data folder', async () => {
    const dataDir = sub('fresh');
    const runs = await lafite<RunSummary[]>(dataDir, 'runs', 'list');
    const builtin = runs.find((run) => run.id === SHAPES_PRETRAINED_ID);
    expect(builtin).toMatchObject({ status: 'succeeded', preset: 'shapes', model: 'shapes-clip', hasCheckpoint: true, backend: 'wasm' });
    expect(builtin!.step).toBeGreaterThan(0);
    const out = sub('pretrained-out');
    const result = await lafite<GenerateResult>(dataDir, 'generate', '--run', SHAPES_PRETRAINED_ID, '--prompt', 'three yellow hearts', '--n', '4', '--seed', '3', '--out', out);
    expect(result.files).toHaveLength(4);
    const pictures = await Promise.all(result.files.map((file) => sharp(file).raw().toBuffer({ resolveWithObject: true })));
    for (const { info } of pictures) expect([info.width, info.height]).toEqual([32, 32]);
    // Different seeds give different pictures.
    expect(pictures[0]!.data.equals(pictures[1]!.data)).toBe(false);
  }, 60_000);
});
