/**
 * Training through the real `lafite` command on a small ShapesWorld dataset (tiny preset):
 * a run killed with kill -9 resumes from its last checkpoint with its loss history intact (in
 * the checkpoint and in SQLite), writes sample grids, and its generator draws PNGs for a
 * prompt, an image, or both; a run paused from another process stops at a checkpoint and
 * resumes; captions train it supervised; a few-shot fine-tune keeps the Freeze-D blocks;
 * missing inputs get clear messages.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationRecord, GenerateResult, RunDetail, TrainResult } from '../../main/contract/index.ts';
import { readCheckpointState, readCheckpointValues } from '../../main/engine/gan/checkpoint.ts';
import { openDatabase } from '../../main/store/db.ts';
import { lafiteJsonIn, runCli, spawnUntilStep } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

/** A PNG's decoded pixels (its bytes also hold the generation's id and time in text chunks). */
const pixels = async (file: string): Promise<Buffer> => sharp(file).raw().toBuffer();

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');

const lafite = lafiteJsonIn(dataDir);

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '24', '--size', '32', '--out', folder, '--captions');
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '32');
});
afterAll(() => dir.remove());

describe('lafite train and generate', () => {
  let runId = '';

  it('resumes a killed run from its last checkpoint, history intact, with sample grids', async () => {
    const args = ['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--steps', '8', '--batch-size', '4', '--checkpoint-every', '4', '--sample-every', '4'];
    const { child, jobId } = await spawnUntilStep(args, 5);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('close', done));
    runId = jobId;
    const db = openDatabase(join(dataDir, 'lafite.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const recorded = (db.prepare('SELECT max(step) AS step FROM run_metrics WHERE job_id = ?').get(runId) as { step: number }).step;
    expect(recorded).toBeGreaterThanOrEqual(5); // steps past the checkpoint at 4 were recorded before the kill
    db.close();

    const result = await lafite<TrainResult>('train', '--resume', runId);
    expect(result).toMatchObject({ steps: 8, images: 24, backend: expect.any(String) });
    const state = (await readCheckpointState(join(result.folder, 'checkpoint.bin'))) as { step: number; history: { step: number; dLoss: number }[] };
    expect(state.step).toBe(8);
    expect(state.history.map((row) => row.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const row of state.history) expect(Number.isFinite(row.dLoss)).toBe(true);
    for (const step of ['0000004', '0000008']) expect(existsSync(join(result.folder, 'samples', `step-${step}.png`))).toBe(true);
    const grid = await sharp(join(result.folder, 'samples', 'step-0000008.png')).metadata();
    expect([grid.width, grid.height]).toEqual([16 * 8, 16]); // 8 samples of 16 px in a row
    // SQLite has the same history: the steps after the checkpoint were dropped and trained again, once each.
    const run = await lafite<RunDetail>('runs', 'show', runId);
    expect(run.metrics.map((row) => row.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.attempts.map((a) => a.fromStep)).toEqual([0, 4]);
    expect(run).toMatchObject({ status: 'succeeded', step: 8, backend: result.backend, gParams: expect.any(Number), sampleSteps: [4, 8], snapshotSteps: [4, 8] });
    expect(run.sampleLabels).toHaveLength(8);
  }, 180_000);

  it('pauses a run from another process at a checkpoint, and resumes it', async () => {
    const args = [
      '--data-dir',
      dataDir,
      'train',
      '--dataset',
      'shapes',
      '--preset',
      'tiny',
      '--steps',
      '120',
      '--batch-size',
      '4',
      '--checkpoint-every',
      '1000',
      '--no-con-g',
      '--sample-prompt',
      'a red circle',
      '--sample-prompt',
      'a blue square',
    ];
    const { child, jobId } = await spawnUntilStep(args, 2);
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await lafite('jobs', 'pause', jobId);
    expect(await exited).not.toBe(0); // the CLI following it ends as for a stopped job
    const paused = await lafite<RunDetail>('runs', 'show', jobId);
    expect(paused.status).toBe('paused');
    const state = (await readCheckpointState(join(dataDir, 'runs', jobId, 'checkpoint.bin'))) as { step: number };
    expect(state.step).toBe(paused.step); // no checkpoint was due, yet nothing trained is lost
    expect(state.step).toBeGreaterThanOrEqual(2);
    const result = await lafite<TrainResult>('train', '--resume', jobId);
    expect(result.steps).toBe(120);
    const done = await lafite<RunDetail>('runs', 'show', jobId);
    expect(done.metrics.map((row) => row.step)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(done.sampleLabels).toEqual(['a red circle', 'a blue square']);
    const grid = await sharp(join(result.folder, 'samples', 'step-0000120.png')).metadata();
    expect([grid.width, grid.height]).toEqual([16 * 2, 16 * 2]); // 2 prompts × 2 seeds
  }, 180_000);

  it('draws PNGs for a prompt from the trained run, and refuses an empty prompt', async () => {
    const out = join(dir.path, 'generated');
    const result = await lafite<{ files: string[] }>('generate', '--run', runId, '--prompt', 'two red circles', '--n', '2', '--seed', '5', '--out', out);
    expect(result.files).toHaveLength(2);
    const meta = await sharp(result.files[0]!).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([16, 16, 3]);
    const again = await lafite<{ files: string[] }>('generate', '--run', runId, '--prompt', 'two red circles', '--n', '2', '--seed', '5', '--out', join(dir.path, 'again'));
    expect(await pixels(again.files[0]!)).toEqual(await pixels(result.files[0]!)); // the same seed draws the same picture
    const atStep8 = await lafite<{ files: string[] }>(
      'generate',
      '--run',
      runId,
      '--step',
      '8',
      '--prompt',
      'two red circles',
      '--n',
      '2',
      '--seed',
      '5',
      '--out',
      join(dir.path, 'at8'),
    );
    expect(await pixels(atStep8.files[0]!)).toEqual(await pixels(result.files[0]!)); // the snapshot at the last step is the latest generator
    const atStep4 = await lafite<{ files: string[] }>(
      'generate',
      '--run',
      runId,
      '--step',
      '4',
      '--prompt',
      'two red circles',
      '--n',
      '2',
      '--seed',
      '5',
      '--out',
      join(dir.path, 'at4'),
    );
    expect(await pixels(atStep4.files[0]!)).not.toEqual(await pixels(result.files[0]!));
    const missing = await runCli(['--data-dir', dataDir, 'generate', '--run', runId, '--step', '5', '--prompt', 'x']);
    expect(missing.stderr).toMatch(/kept no generator at step 5/);
    const empty = await runCli(['--data-dir', dataDir, 'generate', '--run', runId, '--prompt', '  ', '--out', out]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty prompt/);
    const long = await runCli(['--data-dir', dataDir, 'generate', '--run', runId, '--prompt', 'red '.repeat(2500)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/at most 1000 characters/);
  });

  it('mixes an image with the prompt (Lafite Figure 6) into the run’s own folder, and says what is wrong with a bad image', async () => {
    const image = join(folder, '00000.png');
    const base = ['generate', '--run', runId, '--n', '1', '--seed', '3'];
    const prompt = await lafite<GenerateResult>(...base, '--prompt', 'a red circle');
    const mixed = await lafite<GenerateResult>(...base, '--prompt', 'a red circle', '--image', image, '--mix', '0.5');
    const imageOnly = await lafite<GenerateResult>(...base, '--image', image, '--mix', '1');
    const promptAgain = await lafite<GenerateResult>(...base, '--prompt', 'a red circle', '--image', image, '--mix', '0');
    expect(mixed.files[0]).toContain(join(dataDir, 'runs', runId, 'generated'));
    expect(mixed.msPerImage).toBeGreaterThan(0);
    expect(await pixels(promptAgain.files[0]!)).toEqual(await pixels(prompt.files[0]!)); // mix 0 is the prompt alone
    expect(await pixels(mixed.files[0]!)).not.toEqual(await pixels(prompt.files[0]!));
    expect(await pixels(mixed.files[0]!)).not.toEqual(await pixels(imageOnly.files[0]!));
    const bad = join(dir.path, 'broken.png');
    writeFileSync(bad, 'not a picture');
    const refused = await runCli(['--data-dir', dataDir, ...base, '--image', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot use the image .*broken\.png/);
    const neither = await runCli(['--data-dir', dataDir, 'generate', '--run', runId]);
    expect(neither.stderr).toMatch(/give a prompt, an image, or both/);
  }, 120_000);

  it('trains on real captions, and says what is missing for retrieval conditions', async () => {
    const noCaptions = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'captions', '--steps', '1']);
    expect(noCaptions.stderr).toMatch(/no captions/);
    await lafite('dataset', 'captions', 'shapes', join(folder, 'metadata.jsonl'));
    const supervised = await lafite<TrainResult>('train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'captions', '--steps', '2', '--batch-size', '4', '--no-con-g');
    expect(supervised.steps).toBe(2);
    const noRetrieval = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--pseudo', 'retrieval', '--steps', '1']);
    expect(noRetrieval.stderr).toMatch(/lafite pseudo synth --dataset shapes --method retrieval/);
    const { backend } = await lafite<{ backend: string }>('info');
    if (backend === 'wasm' || backend === 'cpu') {
      const paper = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'paper', '--steps', '1']);
      expect(paper.code).toBe(5);
      expect(paper.stderr).toMatch(/the paper preset .* needs a GPU backend/);
    }
    const semi = await lafite<TrainResult>('train', '--dataset', 'shapes', '--preset', 'tiny', '--caption-share', '0.5', '--steps', '2', '--batch-size', '4', '--no-con-g');
    expect(semi.images).toBe(24);
    // A time budget ends the run early, at the step it reached, with that step's checkpoint and grid.
    const budget = await lafite<TrainResult>(
      'train',
      '--dataset',
      'shapes',
      '--preset',
      'tiny',
      '--steps',
      '100000',
      '--minutes',
      '0.05',
      '--batch-size',
      '4',
      '--no-con-g',
      '--checkpoint-every',
      '100000',
    );
    expect(budget.steps).toBeGreaterThan(0);
    expect(budget.steps).toBeLessThan(100000);
    expect(budget.seconds).toBeGreaterThanOrEqual(3);
    const budgetRun = await lafite<RunDetail>('runs', 'show', basename(budget.folder));
    expect(budgetRun).toMatchObject({ step: budget.steps, hasCheckpoint: true, snapshotSteps: [budget.steps] });
    expect(budgetRun.sampleSteps.at(-1)).toBe(budget.steps);
  }, 120_000);

  it('fine-tunes a run on a few captioned pairs with Freeze-D: the frozen blocks keep their weights', async () => {
    const noPairs = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'tiny', '--subset', 'fewshot', '--steps', '1']);
    expect(noPairs.stderr).toMatch(/no few-shot pairs: run `lafite dataset fewshot shapes --pairs 10`/);
    await lafite('dataset', 'fewshot', 'shapes', '--pairs', '10', '--seed', '1');
    const wrongPreset = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'shapes', '--init', runId, '--steps', '1']);
    expect(wrongPreset.stderr).toMatch(/is a tiny GAN on shapes-clip: fine-tune it with --preset tiny/);
    const tuned = await lafite<TrainResult>(
      'train',
      '--dataset',
      'shapes',
      '--preset',
      'tiny',
      '--init',
      runId,
      '--subset',
      'fewshot',
      '--pseudo',
      'captions',
      '--freeze-d',
      '1',
      '--steps',
      '3',
      '--batch-size',
      '4',
      '--no-con-g',
    );
    expect(tuned.images).toBe(10);
    const keys = ['d/b16.fromrgb.weight', 'd/b16.conv0.weight', 'd/b8.conv0.weight'];
    const before = await readCheckpointValues(join(dataDir, 'runs', runId, 'checkpoint.bin'), keys);
    const after = await readCheckpointValues(join(tuned.folder, 'checkpoint.bin'), keys);
    expect(after.get('d/b16.fromrgb.weight')).toEqual(before.get('d/b16.fromrgb.weight')); // Freeze-D: fromRGB and block 1 untouched
    expect(after.get('d/b16.conv0.weight')).toEqual(before.get('d/b16.conv0.weight'));
    expect(after.get('d/b8.conv0.weight')).not.toEqual(before.get('d/b8.conv0.weight')); // the rest trained on
  }, 120_000);

  it('evaluates a run at its kept steps and stores the figures per step', async () => {
    const latest = await lafite<EvaluationRecord>('eval', '--run', runId, '--n', '100', '--batch-size', '50');
    expect(latest).toMatchObject({ run: runId, step: 8, images: 100 });
    expect(latest.metrics.fdClip).toBeGreaterThan(0);
    expect(latest.metrics.clipScore).toBeGreaterThanOrEqual(0);
    expect(latest.metrics.clipScore).toBeLessThanOrEqual(100);
    expect(latest.metrics.rPrecision).toBeGreaterThanOrEqual(0);
    expect(latest.metrics.rPrecision).toBeLessThanOrEqual(1);
    // ShapesWorld captions: the attribute classifier judged every image (all three right ≤ each one right).
    const { shapeAccuracy, colorAccuracy, countAccuracy, attributeAccuracy } = latest.metrics;
    for (const value of [shapeAccuracy, colorAccuracy, countAccuracy, attributeAccuracy]) expect(value).toBeGreaterThanOrEqual(0);
    expect(attributeAccuracy).toBeLessThanOrEqual(Math.min(shapeAccuracy!, colorAccuracy!, countAccuracy!));
    expect(Math.max(shapeAccuracy!, colorAccuracy!, countAccuracy!)).toBeLessThanOrEqual(1);
    const again = await lafite<EvaluationRecord>('eval', '--run', runId, '--n', '100', '--batch-size', '50');
    expect(again.metrics).toEqual(latest.metrics); // the same seed measures the same
    const early = await lafite<EvaluationRecord>('eval', '--run', runId, '--step', '4', '--n', '20');
    expect(early.step).toBe(4);
    expect(early.metrics.rPrecision).toBeUndefined(); // fewer than 100 prompts
    const stored = await lafite<EvaluationRecord[]>('runs', 'evaluations', runId);
    expect(stored.map((e) => e.step)).toEqual([4, 8, 8]);
  }, 180_000);
});
