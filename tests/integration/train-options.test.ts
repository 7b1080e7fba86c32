/**
 * StyleGAN2's regularisers and the official code's forms as `lafite train` options: the
 * defaults record the lazy path-length term every 4 steps; the official forms (u = A([w, c]),
 * the batch-summed semantic term, the double exponential) train, are kept in the run's
 * configuration, and the run's generator loads with its own condition form to draw.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateResult, RunDetail, TrainResult } from '../../main/contract/index.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');

const lafite = lafiteJsonIn(dataDir);

const runIdOf = (result: TrainResult): string => result.folder.split(/[\\/]/).at(-1)!;
const TRAIN = ['train', '--dataset', 'shapes', '--preset', 'tiny', '--batch-size', '4', '--checkpoint-every', '4', '--sample-every', '4', '--no-con-g'];

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '12', '--size', '32', '--out', folder);
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '32');
  await lafite('embed', '--dataset', 'shapes', '--model', 'shapes-clip');
}, 120_000);
afterAll(() => dir.remove());

describe('lafite train: StyleGAN2 regularisers and the official forms', () => {
  it('records the lazy path-length penalty every 4 steps by default', async () => {
    const run = runIdOf(await lafite<TrainResult>(...TRAIN, '--steps', '4'));
    const detail = await lafite<RunDetail>('runs', 'show', run);
    expect(detail.config).toMatchObject({ styleMixing: 0.9, plWeight: 2, contrastiveForm: 'paper', semanticForm: 'paper' });
    const byStep = new Map(detail.metrics.map((row) => [row.step, row.metrics]));
    expect(byStep.get(3)?.pathLength).toBeUndefined();
    expect(Number.isFinite(byStep.get(4)?.pathLength)).toBe(true);
  }, 120_000);

  it('trains with the official forms, keeps them in the configuration, and draws with the official condition form', async () => {
    const args = ['--steps', '4', '--style-mixing', '0', '--pl-weight', '0', '--contrastive-form', 'official', '--semantic-form', 'official', '--condition', 'official'];
    const run = runIdOf(await lafite<TrainResult>(...TRAIN, ...args));
    const detail = await lafite<RunDetail>('runs', 'show', run);
    expect(detail.config).toMatchObject({ styleMixing: 0, plWeight: 0, contrastiveForm: 'official', semanticForm: 'official', condition: 'official' });
    expect(detail.metrics.every((row) => row.metrics.pathLength === undefined && Number.isFinite(row.metrics.dLoss))).toBe(true);
    const drawn = await lafite<GenerateResult>('generate', '--run', run, '--prompt', 'a red circle', '--n', '2', '--out', join(dir.path, 'out'));
    expect(drawn.files).toHaveLength(2);
    // A paper-form fine-tune of an official-form run is refused with the flag to use.
    const refused = await runCli(['--data-dir', dataDir, ...TRAIN, '--steps', '1', '--init', run]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--condition official');
  }, 120_000);
});
