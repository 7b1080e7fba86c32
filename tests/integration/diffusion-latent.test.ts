/**
 * Latent diffusion (LDM, issue 16: 128 px and above) through the real `lafite` command on a small
 * ShapesWorld dataset, with the tiny latent preset (32 px pictures, 8×8×4 latents): the run trains
 * its autoencoder first (progress as phase `autoencoder`), then the UNet on its latents; killed with
 * kill -9 once in each phase and resumed each time, it ends with the autoencoder, the losses and the
 * scale factor of a run never interrupted; `lafite generate` and `lafite eval` draw full-size
 * pictures from it through the decoder stored with the run; a fine-tune takes the run's autoencoder
 * along; the GAN refuses a latent preset by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { DiffusionTrainResult, EvaluationRecord, GenerateResult } from '../../main/contract/index.ts';
import { readCheckpointState, readCheckpointValues } from '../../main/engine/gan/checkpoint.ts';
import { LAFITE_BIN, lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tinyRunArgs, useCliFixture } from '../helpers/fixtures.ts';

const { dataDir, work } = useCliFixture({ name: 'shapes', images: 16, size: 32, captions: true });
const lafite = lafiteJsonIn(dataDir);

const TRAIN = [
  'train',
  '--family',
  'diffusion',
  '--dataset',
  'shapes',
  ...tinyRunArgs({ preset: 'tinyLatent', checkpointEvery: 2 }),
  '--autoencoder-steps',
  '8',
  '--sample-steps',
  '3',
];

/** Starts `lafite --json ARGS` and resolves once a progress event of `phase` (undefined: the UNet's) reaches `minStep`; `autoencoderSteps` are those it reported. */
function spawnUntil(args: string[], phase: string | undefined, minStep: number): Promise<{ child: ChildProcess; jobId: string; autoencoderSteps: number[] }> {
  const autoencoderSteps: number[] = [];
  const child = spawn(process.execPath, [LAFITE_BIN, '--json', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as { job?: { id: string; progress?: { step?: number; phase?: string } } };
        const progress = event.job?.progress;
        if (progress?.phase === 'autoencoder' && progress.step !== undefined) autoencoderSteps.push(progress.step);
        if (progress && progress.phase === phase && (progress.step ?? 0) >= minStep) resolve({ child, jobId: event.job!.id, autoencoderSteps });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited before ${phase ?? 'UNet'} step ${minStep} with ${code}`)));
  });
}

const kill = async (child: ChildProcess): Promise<void> => {
  child.kill('SIGKILL');
  await new Promise((done) => child.on('close', done));
};

interface UNetState {
  step: number;
  history: { step: number; loss: number }[];
}

describe('lafite train --family diffusion --preset tinyLatent (LDM: an autoencoder, then the UNet on its latents)', () => {
  let runId = '';

  it('resumes a run killed in its autoencoder phase and again in its UNet phase to the figures of an uninterrupted run', async () => {
    const inAutoencoder = await spawnUntil(TRAIN, 'autoencoder', 3);
    await kill(inAutoencoder.child);
    runId = inAutoencoder.jobId;
    const inUnet = await spawnUntil(['train', '--resume', runId], undefined, 3);
    await kill(inUnet.child);
    expect(inUnet.autoencoderSteps[0]).toBeGreaterThan(2); // the phase went on from its checkpoint (every 2 steps), not from step 1
    const resumed = await lafite<DiffusionTrainResult>('train', '--resume', runId);
    expect(resumed).toMatchObject({ family: 'diffusion', steps: 8, images: 16, autoencoder: { steps: 8, parameters: expect.any(Number) } });
    expect(resumed.autoencoder!.reconstruction).toBeGreaterThan(0);

    const whole = await lafite<DiffusionTrainResult>(...TRAIN);
    expect(resumed.autoencoder).toEqual(whole.autoencoder); // same reconstruction error and scale factor: the phase resumed exactly
    const [state, wholeState] = await Promise.all([resumed, whole].map(async (r) => (await readCheckpointState(join(r.folder, 'checkpoint.bin'))) as UNetState));
    expect(state!.history.map((row) => row.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(state!.history).toEqual(wholeState!.history);
    const [decoder, wholeDecoder] = await Promise.all(
      [resumed, whole].map(async (r) => [...(await readCheckpointValues(join(r.folder, 'autoencoder.bin'), ['autoencoder/decoder.out.weight'])).values()][0]!),
    );
    expect(Array.from(decoder!)).toEqual(Array.from(wholeDecoder!));

    // The sample grids and the reconstruction grid are pictures of the full 32 px, not 8 px latents.
    const grid = await sharp(join(resumed.folder, 'samples', 'step-0000008.png')).metadata();
    expect([grid.width, grid.height]).toEqual([32 * 8, 32]);
    expect(existsSync(join(resumed.folder, 'autoencoder.png'))).toBe(true);
  }, 400_000);

  it('generates full-size PNGs through the decoder stored with the run, and evaluates on a prompt list', async () => {
    const out = join(work, 'out');
    const generated = await lafite<GenerateResult>('generate', '--run', runId, '--prompt', 'two red circles', '--n', '2', '--steps', '3', '--guidance', '2', '--out', out);
    expect(generated.files).toHaveLength(2);
    const png = await sharp(generated.files[0]!).metadata();
    expect([png.width, png.height]).toEqual([32, 32]);
    const prompts = join(work, 'prompts.txt');
    writeFileSync(prompts, 'one red circle\ntwo blue squares\n');
    const evaluation = await lafite<EvaluationRecord>('eval', '--run', runId, '--prompts', prompts, '--n', '10', '--steps', '2');
    expect(evaluation).toMatchObject({ run: runId, step: 8, prompts: { count: 2 } });
    expect(Number.isFinite(evaluation.metrics.fdClip)).toBe(true);
  }, 240_000);

  it('fine-tunes a latent run with its autoencoder: copied, not trained again', async () => {
    const tuned = await lafite<DiffusionTrainResult>(...TRAIN, '--init', runId, '--steps', '2', '--sample-every', '2');
    const source = join(dataDir, 'runs', runId, 'autoencoder.bin');
    expect(readFileSync(join(tuned.folder, 'autoencoder.bin')).equals(readFileSync(source))).toBe(true);
    expect(tuned.autoencoder?.steps).toBe(8);
  }, 240_000);

  it('keeps a time budget across both phases: the autoencoder stops at its share, the UNet still trains', async () => {
    // 100,000 autoencoder steps and as many UNet steps in 0.2 min: the budget, not the step counts, ends each phase.
    const budgeted = await lafite<DiffusionTrainResult>(...TRAIN, '--autoencoder-steps', '100000', '--steps', '100000', '--minutes', '0.2', '--checkpoint-every', '1000');
    expect(budgeted.autoencoder!.steps).toBeGreaterThan(0);
    expect(budgeted.autoencoder!.steps).toBeLessThan(100_000);
    expect(budgeted.steps).toBeGreaterThan(0);
    expect(budgeted.steps).toBeLessThan(100_000);
    expect(budgeted.seconds).toBeLessThan(0.2 * 60 + 30); // one step past each deadline, a checkpoint and a grid: well under a step count's hours
  }, 240_000);

  it('refuses a latent preset for the GAN by name', async () => {
    const gan = await runCli(['--data-dir', dataDir, 'train', '--dataset', 'shapes', '--preset', 'latent128']);
    expect(gan.code).toBe(2);
    expect(gan.stderr).toContain('--preset latent128 is a preset of --family diffusion');
  }, 120_000);
});
