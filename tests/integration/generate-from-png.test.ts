/**
 * `lafite generate --from-png FILE` through the real CLI on a fresh data folder: the built-in
 * `shapes-pretrained` draws two pictures; one of them, given back with `--seed 9`, draws the
 * same prompt, count, ψ and step with the new seed (the command line wins over the PNG), and the
 * new PNGs say so. A PNG without settings, or neither --run nor --from-png, is refused by name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { SHAPES_PRETRAINED_ID } from '../../main/api/builtin-runs.ts';
import type { GenerateResult } from '../../main/contract/index.ts';
import { readPngSettings } from '../../main/jobs/png-settings.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
afterAll(() => dir.remove());

async function generate(...args: string[]): Promise<GenerateResult> {
  const { code, stdout, stderr } = await runCli(['--json', '--data-dir', dir.path, 'generate', ...args]);
  if (code !== 0) throw new Error(`lafite generate ${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as GenerateResult;
}

describe('lafite generate --from-png', () => {
  it('draws again with a PNG’s settings, the options given on the command line winning', async () => {
    const first = await generate('--run', SHAPES_PRETRAINED_ID, '--prompt', 'two blue squares', '--n', '2', '--seed', '3', '--truncation', '0.7');
    const original = readPngSettings(readFileSync(first.files[1]!)).settings!;
    expect(original).toMatchObject({ run: SHAPES_PRETRAINED_ID, prompt: 'two blue squares', n: 2, seed: 3, index: 1, truncation: 0.7 });

    const again = await generate('--from-png', first.files[1]!, '--seed', '9');
    expect(again.files).toHaveLength(2);
    const settings = readPngSettings(readFileSync(again.files[0]!)).settings!;
    expect(settings).toMatchObject({ run: SHAPES_PRETRAINED_ID, prompt: 'two blue squares', n: 2, seed: 9, truncation: 0.7, step: original.step });
  }, 180_000);

  it('refuses a PNG without settings, and a call with neither --run nor --from-png', async () => {
    const plain = join(dir.path, 'plain.png');
    writeFileSync(plain, encode({ width: 2, height: 2, data: new Uint8Array(12), channels: 3 }));
    const refused = await runCli(['--data-dir', dir.path, 'generate', '--from-png', plain]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--from-png: .*plain\.png: no 'lafite' text chunk/);
    const bare = await runCli(['--data-dir', dir.path, 'generate', '--prompt', 'x']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--run/);
  }, 60_000);
});
