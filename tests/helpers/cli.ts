/** Runs the real `lafite` command (bin/lafite.mjs) in a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LAFITE_BIN = fileURLToPath(new URL('../../bin/lafite.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAFITE_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `lafite ARGS…` and resolves with its stdout; fails with its stderr (or stdout) when it exits other than 0. */
export async function lafite(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(args);
  if (code !== 0) throw new Error(`lafite ${args.join(' ')} exited with ${code}: ${stderr || stdout}`);
  return stdout;
}

/** The last JSON line of `lafite --json ARGS…`: its result (progress lines come first). */
export async function lafiteJson<T>(args: string[]): Promise<T> {
  const stdout = await lafite(['--json', ...args]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/**
 * `lafiteJson` on one data folder, for a test file's commands:
 *
 *   const lafite = lafiteJsonIn(dataDir);
 *   const run = await lafite<TrainResult>('train', '--dataset', 'shapes');
 */
export function lafiteJsonIn(dataDir: string): <T>(...args: string[]) => Promise<T> {
  return <T>(...args: string[]) => lafiteJson<T>(['--data-dir', dataDir, ...args]);
}

/** Starts `lafite serve --json` and resolves with its first JSON line once it listens. */
export function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; token: string; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAFITE_BIN, '--json', ...args, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve({ child, ...(JSON.parse(line) as { url: string; token: string; port: number }) });
    });
    child.on('exit', (code) => reject(new Error(`lafite serve exited with ${code}: ${stderr}`)));
  });
}

/**
 * Starts a `lafite --json …` command that follows a job, and resolves with the child and the
 * job id once the job reports progress step `minStep` (for tests that kill it mid-job).
 */
export function spawnUntilStep(args: string[], minStep: number): Promise<{ child: ChildProcess; jobId: string }> {
  const child = spawn(process.execPath, [LAFITE_BIN, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n').slice(0, -1)) {
        const event = JSON.parse(line) as { job?: { id: string; progress?: { step?: number } } };
        if ((event.job?.progress?.step ?? 0) >= minStep) resolve({ child, jobId: event.job!.id });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited before step ${minStep} with ${code}`)));
  });
}
