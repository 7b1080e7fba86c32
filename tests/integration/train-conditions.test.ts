/**
 * Lafite2's conditions in training and evaluation on a prompt list, through the real `lafite`
 * command on a small ShapesWorld dataset (tiny preset): the pseudo run named with --pseudo-run
 * is the one trained on and the run's record says which (the newest when none is named), a run
 * of another dataset or method is refused (exit 2); CLO takes its options; Lafite_NN features
 * train; `lafite eval --prompts FILE` measures a dataset without captions on the file's prompts
 * and the stored evaluation names the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationRecord, PseudoSynthResult, RunDetail, TrainResult } from '../../main/contract/index.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');
const TINY = ['--preset', 'tiny', '--steps', '2', '--batch-size', '4', '--no-con-g', '--checkpoint-every', '2', '--sample-every', '2'];

const lafite = lafiteJsonIn(dataDir);
const synth = async (...args: string[]) => (await lafite<PseudoSynthResult>('pseudo', 'synth', ...args)).runs[0]!.id;

let older = '';
let newer = '';
let gaussian = '';
let elsewhere = '';

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '24', '--size', '32', '--out', folder, '--captions');
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '32');
  await lafite('dataset', 'import', folder, '--name', 'other', '--size', '32');
  older = await synth('--dataset', 'shapes', '--method', 'retrieval', '--m', '3');
  newer = await synth('--dataset', 'shapes', '--method', 'retrieval', '--m', '2');
  gaussian = await synth('--dataset', 'shapes', '--method', 'gaussian');
  elsewhere = await synth('--dataset', 'other', '--method', 'gaussian');
}, 300_000);
afterAll(() => dir.remove());

describe('training conditions (Lafite2 §3.1, §3.3)', () => {
  let run = '';

  it('trains on the pseudo run it names, and the run’s record says so', async () => {
    const result = await lafite<TrainResult>('train', '--dataset', 'shapes', '--pseudo', 'retrieval', '--pseudo-run', older, ...TINY);
    expect(result.pseudoRun).toBe(older);
    run = result.folder.split(/[\\/]/).at(-1)!;
    const detail = await lafite<RunDetail>('runs', 'show', run);
    expect(detail).toMatchObject({ pseudo: 'retrieval', pseudoRun: older, config: { pseudoRun: older } });
    const human = await runCli(['--data-dir', dataDir, 'runs', 'show', run]);
    expect(human.stdout).toContain(`conditions retrieval (pseudo run ${older})`);
  }, 120_000);

  it('without --pseudo-run pins the newest retrieval run; CLO takes K, η, τ', async () => {
    const result = await lafite<TrainResult>('train', '--dataset', 'shapes', '--pseudo', 'clo', '--clo-steps', '2', '--clo-step-size', '0.2', '--clo-tau', '0.5', ...TINY);
    expect(result.pseudoRun).toBe(newer);
    const detail = await lafite<RunDetail>('runs', 'show', result.folder.split(/[\\/]/).at(-1)!);
    expect(detail.config).toMatchObject({ pseudoRun: newer, cloSteps: 2, cloStepSize: 0.2, cloTau: 0.5, cloInit: 'retrieval' });
    const uniform = await lafite<TrainResult>('train', '--dataset', 'shapes', '--pseudo', 'clo', '--clo-init', 'uniform', ...TINY);
    expect(uniform.pseudoRun).toBeNull();
  }, 120_000);

  it('refuses a pseudo run of another dataset or method, with exit 2', async () => {
    const base = ['--data-dir', dataDir, 'train', '--dataset', 'shapes', ...TINY];
    const otherDataset = await runCli([...base, '--pseudo', 'retrieval', '--pseudo-run', elsewhere]);
    expect(otherDataset.code).toBe(2);
    expect(otherDataset.stderr).toMatch(new RegExp(`pseudo run ${elsewhere} belongs to dataset 'other', not 'shapes'`));
    const otherMethod = await runCli([...base, '--pseudo', 'retrieval', '--pseudo-run', gaussian]);
    expect(otherMethod.code).toBe(2);
    expect(otherMethod.stderr).toMatch(/holds gaussian features: training takes a retrieval run/);
    const unused = await runCli([...base, '--pseudo', 'gaussian', '--pseudo-run', older]);
    expect(unused.code).toBe(2);
    expect(unused.stderr).toMatch(/--pseudo retrieval, or --pseudo clo starting from retrieval/);
  }, 120_000);

  it('evaluates a dataset without captions on a prompt file, and the evaluation names it', async () => {
    const noCaptions = await runCli(['--data-dir', dataDir, 'eval', '--run', run, '--n', '10']);
    expect(noCaptions.code).toBe(2);
    expect(noCaptions.stderr).toMatch(/lafite eval --prompts FILE/);
    const file = join(dir.path, 'held-out.txt');
    writeFileSync(file, '  a picture of three yellow hearts \n\ntwo stars, both blue\r\n   \na red circle\n');
    const result = await lafite<EvaluationRecord>('eval', '--run', run, '--prompts', file, '--n', '10');
    expect(result).toMatchObject({ run, images: 12, prompts: { file, count: 3 } }); // 3 prompts, 4 rounds: n rounded up
    expect(result.metrics.fdClip).toBeGreaterThan(0);
    expect(result.metrics.colorAccuracy).toBeGreaterThanOrEqual(0); // every prompt parses as ShapesWorld
    const stored = await lafite<EvaluationRecord[]>('runs', 'evaluations', run);
    expect(stored.at(-1)).toMatchObject({ id: result.id, prompts: { file, count: 3 } });
    const human = await runCli(['--data-dir', dataDir, 'runs', 'evaluations', run]);
    expect(human.stdout).toContain(`12 images on 3 prompts of ${file}`);
  }, 120_000);

  it('says what is wrong with a prompt file', async () => {
    const empty = join(dir.path, 'empty.txt');
    writeFileSync(empty, '\n   \n');
    const long = join(dir.path, 'long.txt');
    writeFileSync(long, `a red circle\n${'red '.repeat(300)}\n`);
    const cases: [string, RegExp][] = [
      [empty, /no prompts in it/],
      [join(dir.path, 'missing.txt'), /cannot read it \(no such file\)/],
      [long, /line 2: a prompt of 1199 characters; at most 1000/],
    ];
    for (const [file, message] of cases) {
      const refused = await runCli(['--data-dir', dataDir, 'eval', '--run', run, '--prompts', file]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  });

  it('trains on Lafite_NN features of a trained perturbation network', async () => {
    await lafite('dataset', 'captions', 'shapes', join(folder, 'metadata.jsonl'));
    await lafite('pseudo', 'train-nn', '--dataset', 'shapes', '--name', 'net', '--steps', '5', '--hidden', '16');
    const result = await lafite<TrainResult>('train', '--dataset', 'shapes', '--pseudo', 'nn', '--nn', 'net', ...TINY);
    expect(result).toMatchObject({ steps: 2, images: 24, pseudoRun: null });
    expect(Number.isFinite(result.losses.dLoss)).toBe(true);
    const detail = await lafite<RunDetail>('runs', 'show', result.folder.split(/[\\/]/).at(-1)!);
    expect(detail).toMatchObject({ pseudo: 'nn', nn: 'net' });
    const missing = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--pseudo', 'nn', ...TINY]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--pseudo nn and --nn NAME go together/);
  }, 120_000);
});
