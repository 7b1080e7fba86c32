/**
 * `lafite shapes generate` as a user runs it: PNGs and metadata.jsonl in the folder, a
 * foreign folder refused, and a run killed with kill -9 that resumes to the same images.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { generateShapes } from '../../main/engine/shapes/index.ts';
import { LAFITE_BIN, runCli, spawnUntilStep } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

interface MetadataLine {
  file: string;
  index: number;
  shape: string;
  color: string;
  count: number;
  captions?: string[];
}

const readMetadata = (folder: string): MetadataLine[] =>
  readFileSync(join(folder, 'metadata.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MetadataLine);

const lastJsonLine = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('lafite shapes generate', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const data = join(dir.path, 'data');

  it('writes N PNGs and one metadata line with captions per image', async () => {
    const out = join(dir.path, 'shapes');
    const result = await runCli(['--json', '--data-dir', data, 'shapes', 'generate', '--n', '20', '--out', out, '--captions']);
    expect(result.code, result.stderr).toBe(0);
    expect(lastJsonLine(result.stdout)).toMatchObject({ count: 20, out, size: 64, seed: 0, captions: true, seconds: expect.any(Number) });

    const pngs = readdirSync(out)
      .filter((f) => f.endsWith('.png'))
      .sort();
    expect(pngs).toHaveLength(20);
    expect(pngs[0]).toBe('00000.png');
    for (const png of pngs) expect(await sharp(join(out, png)).metadata()).toMatchObject({ width: 64, height: 64, format: 'png' });

    const lines = readMetadata(out);
    expect(lines.map((l) => l.file)).toEqual(pngs);
    for (const line of lines) {
      expect(line.captions).toHaveLength(5);
      for (const caption of line.captions!) expect(caption).toContain(line.color);
    }
    // The files hold exactly what the engine draws for (seed 0, index i).
    const expected = [...generateShapes({ n: 3, size: 64, seed: 0 })];
    for (const sample of expected) {
      const decoded = await sharp(join(out, pngs[sample.index]!)).removeAlpha().raw().toBuffer();
      expect(decoded.equals(Buffer.from(sample.pixels))).toBe(true);
      expect(lines[sample.index]!.captions).toEqual(sample.captions);
    }
  });

  it('refuses a folder that is not a run of the same seed and size, naming it', async () => {
    const foreign = join(dir.path, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const refused = await runCli(['--data-dir', data, 'shapes', 'generate', '--n', '5', '--out', foreign]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`output folder ${foreign} is not empty`);

    const otherSeed = await runCli(['--data-dir', data, 'shapes', 'generate', '--n', '5', '--out', join(dir.path, 'shapes'), '--captions', '--seed', '9']);
    expect(otherSeed.code).toBe(4);
    expect(otherSeed.stderr).toContain(`output folder ${join(dir.path, 'shapes')} holds a ShapesWorld run of other settings`);

    // A relative --out is resolved against the working directory by the CLI.
    const relative = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [LAFITE_BIN, '--json', '--data-dir', data, 'shapes', 'generate', '--n', '2', '--out', 'relative'], {
        cwd: dir.path,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(relative.code).toBe(0);
    expect(lastJsonLine(relative.stdout)).toMatchObject({ count: 2, out: join(dir.path, 'relative') });
  });

  it('resumes a run killed with kill -9 to the same images, each listed once', async () => {
    const out = join(dir.path, 'killed');
    const n = 1500;
    const { child, jobId } = await spawnUntilStep(['--data-dir', data, 'shapes', 'generate', '--n', String(n), '--out', out], 100);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const before = readMetadata(out).length;
    expect(before).toBeGreaterThanOrEqual(100);
    expect(before).toBeLessThan(n);

    const resumed = await runCli(['--json', '--data-dir', data, 'jobs', 'resume', jobId]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJsonLine(resumed.stdout)).toMatchObject({ status: 'succeeded', attempts: 2, result: { count: n } });
    const lines = readMetadata(out);
    expect(lines.map((l) => l.index)).toEqual([...Array(n).keys()]);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(n);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Images on both sides of the kill are those of (seed 0, index i).
    for (const sample of generateShapes({ n: before + 2, size: 64, seed: 0, start: before - 2 })) {
      const decoded = await sharp(join(out, lines[sample.index]!.file)).removeAlpha().raw().toBuffer();
      expect(decoded.equals(Buffer.from(sample.pixels)), `image ${sample.index}`).toBe(true);
    }
    expect(existsSync(join(out, 'shapes-world.json'))).toBe(true);
  });
});
