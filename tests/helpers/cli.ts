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
