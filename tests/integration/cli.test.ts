/** The `lafite` command as a user runs it: help everywhere, JSON output, exit codes. */
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../main/cli/main.ts';
import { SCHEMA_VERSION } from '../../main/store/migrations.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import type { Command } from 'commander';

const allCommands = (command: Command, path: string[] = []): string[][] => command.commands.flatMap((sub) => [[...path, sub.name()], ...allCommands(sub, [...path, sub.name()])]);

/** `lafite COMMAND --help` through the CLI's own entry point, capturing what it prints. */
async function helpInProcess(command: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  try {
    return { code: await main(['node', 'lafite', ...command, '--help']), stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe('lafite CLI', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('has --help on every command', async () => {
    const commands = allCommands(buildProgram());
    expect(commands.map((c) => c.join(' '))).toEqual(
      expect.arrayContaining(['info', 'serve', 'jobs list', 'jobs show', 'jobs cancel', 'jobs resume', 'backend bench', 'dataset import']),
    );
    // The real executable once; then every command in this process (a process each would take a minute).
    const real = await runCli(['dataset', 'import', '--help']);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Usage: lafite dataset import');
    for (const command of commands) {
      const { code, stdout } = await helpInProcess(command);
      expect(code, command.join(' ')).toBe(0);
      expect(stdout).toContain(`Usage: lafite ${command.join(' ')}`);
    }
  });

  it('info --json prints the documented fields, using LAFITE_DATA_DIR', async () => {
    const result = await runCli(['info', '--json'], { LAFITE_DATA_DIR: dir.path });
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info).toMatchObject({
      version: expect.any(String),
      tfjsVersion: '4.22.0',
      onnxruntimeVersion: '1.30.0',
      dataDir: dir.path,
      dbPath: `${dir.path}/lafite.db`,
      schemaVersion: SCHEMA_VERSION,
    });
    expect(['wasm', 'cpu', 'node', 'webgpu', 'node-gpu']).toContain(info.backend);
    expect(info.backends).toHaveLength(5);
  });

  it('a forced backend that cannot load fails with its reason and exit code 5', async () => {
    const info = JSON.parse((await runCli(['info', '--json', '--data-dir', dir.path])).stdout);
    const missing = info.backends.find((b: { available: boolean }) => !b.available);
    if (!missing) return;
    const result = await runCli(['--backend', missing.id, 'info', '--data-dir', dir.path]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`backend '${missing.id}' cannot be used: ${missing.reason}`);
  });

  it('usage errors exit 2 with the help hint', async () => {
    const result = await runCli(['--backend', 'cuda', 'info']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'cuda' is invalid");
  });

  it('backend bench follows the job as JSON lines and ends with the result', async () => {
    const result = await runCli(['--json', '--data-dir', dir.path, 'backend', 'bench', '--size', '32', '--repeats', '2']);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.filter((l) => l.type === 'job.updated').map((l) => l.job.status)).toContain('succeeded');
    expect(lines.at(-1)).toMatchObject({ size: 32, repeats: 2, gflops: expect.any(Number) });
  });
});
