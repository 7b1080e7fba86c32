/**
 * Lafite2's diffusion model through the real `lafite` command on a small ShapesWorld dataset
 * (tiny preset, 16 px): `lafite train --family diffusion` killed with kill -9 resumes from its
 * last checkpoint and ends with the same losses as a run never interrupted; `lafite generate`
 * and `lafite eval` draw from it with DDIM and guidance, as they do from a GAN run; a PNG it drew
 * carries its sampling and `--from-png` draws with it again; options of the other family are
 * refused by name.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { DiffusionTrainResult, EvaluationRecord, GenerateResult, RunDetail, RunSummary } from '../../main/contract/index.ts';
import { readCheckpointState } from '../../main/engine/gan/checkpoint.ts';
import { readPngSettings } from '../../main/jobs/png-settings.ts';
import { lafiteJsonIn, runCli, spawnUntilStep } from '../helpers/cli.ts';
import { tinyRunArgs, useCliFixture } from '../helpers/fixtures.ts';

const { dataDir, work } = useCliFixture({ name: 'shapes', images: 16, size: 32, captions: true });
const lafite = lafiteJsonIn(dataDir);

const TRAIN = ['train', '--family', 'diffusion', '--dataset', 'shapes', ...tinyRunArgs(), '--sample-steps', '4'];

describe('lafite train --family diffusion, generate and eval', () => {
  let runId = '';

  it('resumes a killed run from its checkpoint to the losses of an uninterrupted run', async () => {
    const { child, jobId } = await spawnUntilStep(['--data-dir', dataDir, ...TRAIN], 5);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('close', done));
    runId = jobId;
    const resumed = await lafite<DiffusionTrainResult>('train', '--resume', runId);
    expect(resumed).toMatchObject({ family: 'diffusion', steps: 8, images: 16, parameters: expect.any(Number) });
    const state = (await readCheckpointState(join(resumed.folder, 'checkpoint.bin'))) as { step: number; history: { step: number; loss: number }[] };
    expect(state.history.map((row) => row.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const step of ['0000004', '0000008']) expect(existsSync(join(resumed.folder, 'samples', `step-${step}.png`))).toBe(true);
    const grid = await sharp(join(resumed.folder, 'samples', 'step-0000008.png')).metadata();
    expect([grid.width, grid.height]).toEqual([16 * 8, 16]);

    const whole = await lafite<DiffusionTrainResult>(...TRAIN);
    const wholeState = (await readCheckpointState(join(whole.folder, 'checkpoint.bin'))) as typeof state;
    expect(state.history).toEqual(wholeState.history); // bit for bit: every draw is a function of (seed, step), Adam's moments are checkpointed

    const run = await lafite<RunDetail>('runs', 'show', runId);
    expect(run).toMatchObject({ family: 'diffusion', status: 'succeeded', step: 8, sampleSteps: [4, 8], snapshotSteps: [4, 8] });
    expect(run.metrics.map((row) => row.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.attempts.map((a) => a.fromStep)).toEqual([0, 4]);
    expect(run.backend).toBe(resumed.backend);
    const listed = await lafite<RunSummary[]>('runs', 'list');
    expect(listed.find((r) => r.id === runId)?.family).toBe('diffusion');
  }, 240_000);

  it('generates PNGs for a prompt with DDIM and classifier-free guidance, and evaluates on a prompt list', async () => {
    const out = join(work, 'out');
    const generated = await lafite<GenerateResult>('generate', '--run', runId, '--prompt', 'two red circles', '--n', '2', '--steps', '5', '--guidance', '2', '--out', out);
    expect(generated.files).toHaveLength(2);
    const png = await sharp(generated.files[0]!).metadata();
    expect([png.width, png.height]).toEqual([16, 16]);
    const ddpm = await lafite<GenerateResult>(
      'generate',
      '--run',
      runId,
      '--prompt',
      'a blue square',
      '--n',
      '1',
      '--sampler',
      'ddpm',
      '--steps',
      '4',
      '--out',
      join(work, 'ddpm'),
    );
    expect(ddpm.files).toHaveLength(1);
    const prompts = join(work, 'prompts.txt');
    writeFileSync(prompts, 'one red circle\ntwo blue squares\n');
    const evaluation = await lafite<EvaluationRecord>('eval', '--run', runId, '--prompts', prompts, '--n', '10', '--steps', '3');
    expect(evaluation).toMatchObject({ run: runId, step: 8, prompts: { count: 2 } });
    expect(evaluation.metrics.colorAccuracy).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(evaluation.metrics.fdClip)).toBe(true);
  }, 240_000);

  it('draws again from a PNG with its sampler, steps, η and guidance (--from-png), the command line winning', async () => {
    const first = await lafite<GenerateResult>(
      'generate',
      '--run',
      runId,
      '--prompt',
      'a green star',
      '--n',
      '1',
      '--sampler',
      'ddim',
      '--steps',
      '6',
      '--eta',
      '0.5',
      '--guidance',
      '1.5',
      '--out',
      join(work, 'png-1'),
    );
    const original = readPngSettings(readFileSync(first.files[0]!)).settings!;
    expect(original).toMatchObject({ family: 'diffusion', sampling: { sampler: 'ddim', steps: 6, eta: 0.5, guidance: 1.5 } });
    expect(readPngSettings(readFileSync(first.files[0]!)).text.parameters).toMatch(/Sampler: ddim, Steps: 6, Eta: 0\.5, CFG scale: 1\.5/);
    const again = await lafite<GenerateResult>('generate', '--from-png', first.files[0]!, '--guidance', '2.5', '--out', join(work, 'png-2'));
    const settings = readPngSettings(readFileSync(again.files[0]!)).settings!;
    expect(settings).toMatchObject({ run: runId, prompt: 'a green star', seed: 0, sampling: { sampler: 'ddim', steps: 6, eta: 0.5, guidance: 2.5 } });
    const job = await lafite<{ input: Record<string, unknown> }>('jobs', 'show', settings.generation); // what the generation asked for
    expect(job.input).toMatchObject({ sampler: 'ddim', steps: 6, eta: 0.5, guidance: 2.5 });
  }, 120_000);

  it('refuses options of the other family by name, and too many steps for the run', async () => {
    const gan = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--cond-drop', '0.2']);
    expect(gan.code).not.toBe(0);
    expect(gan.stderr).toContain('--cond-drop is an option of --family diffusion');
    const diffusion = await runCli(['--data-dir', dataDir, 'train', '--family', 'diffusion', '--dataset', 'shapes', '--freeze-d', '1']);
    expect(diffusion.stderr).toContain('--freeze-d is an option of --family gan');
    const tooMany = await runCli(['--data-dir', dataDir, 'generate', '--run', runId, '--prompt', 'a red circle', '--steps', '2000']);
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toMatch(/T = 1000/);
  }, 120_000);
});
