/**
 * `lafite eval` with an Inception-v3 ONNX file, through the real command on a tiny ShapesWorld
 * run: FID, FID-k and the Inception Score next to the CLIP figures, from a stand-in file with
 * Inception's interface (engine/eval/inception-test-support.ts); the installed default is found
 * without a flag; a file that is not an Inception-v3, and FID-k without one, get clear messages.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationRecord, TrainResult } from '../../main/contract/index.ts';
import { writeStandInInception } from '../../main/engine/eval/inception-test-support.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');
const inceptionFile = join(dir.path, 'stand-in-inception.onnx');
let runId = '';

const lafite = lafiteJsonIn(dataDir);

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', '24', '--size', '32', '--out', folder, '--captions');
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '32');
  await lafite('dataset', 'captions', 'shapes', join(folder, 'metadata.jsonl'));
  const trained = await lafite<TrainResult>('train', '--dataset', 'shapes', '--preset', 'tiny', '--steps', '4', '--batch-size', '4', '--no-con-g');
  runId = trained.folder.split(/[\\/]/).pop()!; // DATA/runs/<run id>
  await writeStandInInception(inceptionFile, { edges: true, seed: 7 });
}, 180_000);
afterAll(() => dir.remove());

describe('lafite eval with Inception', () => {
  it('measures FID, FID-k and the Inception Score beside the CLIP figures', async () => {
    const result = await lafite<EvaluationRecord>('eval', '--run', runId, '--n', '20', '--batch-size', '10', '--inception', inceptionFile, '--blur', '2');
    expect(result).toMatchObject({ run: runId, images: 20 });
    const { fdClip, fid, fid2, inceptionScore, inceptionScoreStd } = result.metrics;
    expect(fdClip).toBeGreaterThan(0);
    expect(fid).toBeGreaterThan(0);
    expect(fid2).toBeGreaterThan(0);
    expect(Math.abs(fid2! - fid!)).toBeGreaterThan(1e-2 * fid!); // blurring both sets changes the edge features
    expect(inceptionScore).toBeGreaterThanOrEqual(1); // exp(KL) ≥ 1
    expect(inceptionScoreStd).toBeGreaterThanOrEqual(0);
    const stored = await lafite<EvaluationRecord[]>('runs', 'evaluations', runId);
    expect(stored.at(-1)!.metrics).toEqual(result.metrics);
  }, 120_000);

  it('says which file and tensor are wrong, and that FID-k needs Inception', async () => {
    const narrow = join(dir.path, 'narrow.onnx');
    await writeStandInInception(narrow, { width: 512, classes: 0 });
    const bad = await runCli(['--data-dir', dataDir, 'eval', '--run', runId, '--n', '10', '--inception', narrow]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`Inception model ${narrow}: has no output tensor of pool3 features [N, 2048]`);
    expect(bad.stderr).toContain(`'pool3' float32 [1, 512]`);
    const noInception = await runCli(['--data-dir', dataDir, 'eval', '--run', runId, '--n', '10', '--blur', '2']); // nothing installed yet
    expect(noInception.code).toBe(2);
    expect(noInception.stderr).toContain(
      `blur: FID-k needs an Inception-v3 ONNX file: pass one (--inception FILE) or install it at ${join(dataDir, 'models', 'inception', 'inception-v3.onnx')}`,
    );
    const badList = await runCli(['--data-dir', dataDir, 'eval', '--run', runId, '--blur', '2,x']);
    expect(badList.code).not.toBe(0);
    expect(badList.stderr).toMatch(/--blur.*whole numbers from 1 to 32/);
  }, 120_000);

  it('finds the installed default without a flag', async () => {
    const installed = join(dataDir, 'models', 'inception');
    mkdirSync(installed, { recursive: true });
    copyFileSync(inceptionFile, join(installed, 'inception-v3.onnx'));
    const result = await lafite<EvaluationRecord>('eval', '--run', runId, '--n', '10', '--batch-size', '10');
    expect(result.metrics.fid).toBeGreaterThan(0);
    expect(result.metrics.inceptionScore).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
