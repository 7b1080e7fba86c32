/**
 * The `shapes64` preset end to end through the real `lafite` command: 64 px ShapesWorld
 * pictures imported at 64 px train for two steps (ConG through the CLIP tower included), the
 * sample grid and generated pictures are 64 px, the run records its preset, and evaluation on a
 * prompt list judges them with the 32 px attribute classifier (which resizes).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationRecord, GenerateResult, RunDetail, TrainResult } from '../../main/contract/index.ts';
import { lafiteJsonIn } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());

const lafite = lafiteJsonIn(dataDir);

describe('the shapes64 preset', () => {
  it('trains on 64 px pictures, draws 64 px samples and pictures, and is evaluated', async () => {
    const folder = join(dir.path, 'shapes64');
    await lafite('shapes', 'generate', '--n', '8', '--size', '64', '--out', folder);
    await lafite('dataset', 'import', folder, '--name', 'shapes64', '--size', '64');
    const result = await lafite<TrainResult>(
      'train',
      '--dataset',
      'shapes64',
      '--preset',
      'shapes64',
      '--steps',
      '2',
      '--batch-size',
      '4',
      '--checkpoint-every',
      '2',
      '--sample-every',
      '2',
    );
    expect(result).toMatchObject({ steps: 2, images: 8 });
    const grid = await sharp(join(result.folder, 'samples', 'step-0000002.png')).metadata();
    expect([grid.width, grid.height]).toEqual([64 * 8, 64]); // 8 samples of 64 px in a row
    const runId = result.folder.split(/[\\/]/).pop()!;
    const run = await lafite<RunDetail>('runs', 'show', runId);
    expect(run).toMatchObject({ preset: 'shapes64', status: 'succeeded', step: 2 });

    const out = join(dir.path, 'generated');
    const generated = await lafite<GenerateResult>('generate', '--run', runId, '--prompt', 'a blue star', '--n', '1', '--out', out);
    const picture = await sharp(generated.files[0]!).metadata();
    expect([picture.width, picture.height]).toEqual([64, 64]);

    const prompts = join(dir.path, 'prompts.txt');
    writeFileSync(prompts, 'a picture of three yellow hearts\ntwo stars, both blue\n');
    const evaluation = await lafite<EvaluationRecord>('eval', '--run', runId, '--n', '10', '--prompts', prompts);
    for (const metric of ['shapeAccuracy', 'colorAccuracy', 'countAccuracy']) expect(evaluation.metrics[metric]).toBeGreaterThanOrEqual(0);
  }, 180_000);
});
