/**
 * `npm run bench -- soak`: many imports, evaluations and generations against one data folder at
 * once, through the CLI (separate processes) and `lafite serve` (HTTP on loopback) together,
 * with API reads in between. Bounded in count and in time. Reports errors (the target is 0:
 * failed CLI runs, non-200 answers, failed jobs), the latency of the HTTP calls (p50, p99) and
 * the server's resident memory before and after.
 *
 * Counts: LAFITE_BENCH_SOAK_CLI (CLI runs, default 6), LAFITE_BENCH_SOAK_JOBS (jobs started over
 * HTTP, default 6), LAFITE_BENCH_SOAK_REQUESTS (API reads, default 300), LAFITE_BENCH_SOAK_MINUTES
 * (the whole soak's limit, default 10; what is still running then is counted as an error).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/lafite.mjs', import.meta.url));
const count = (name: string, fallback: number): number => Math.max(0, Number(process.env[name] ?? fallback) || fallback);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function lafite(dataDir: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--json', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function lafiteOk<T>(dataDir: string, args: string[]): Promise<T> {
  const run = await lafite(dataDir, args);
  if (run.code !== 0) throw new Error(`lafite ${args.join(' ')} exited ${run.code}: ${run.stderr.trim().split('\n').pop()}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}

/** Resident memory of a process in MB (Linux /proc; null elsewhere). */
function rssMb(pid: number | undefined): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const percentile = (sorted: number[], p: number): number | null => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

export async function soakFigures() {
  const cliRuns = count('LAFITE_BENCH_SOAK_CLI', 6);
  const httpJobs = count('LAFITE_BENCH_SOAK_JOBS', 6);
  const reads = count('LAFITE_BENCH_SOAK_REQUESTS', 300);
  const deadline = Date.now() + count('LAFITE_BENCH_SOAK_MINUTES', 10) * 60_000;
  const root = mkdtempSync(join(tmpdir(), 'lafite-soak-'));
  const dataDir = join(root, 'data');
  const folder = join(root, 'shapes');
  const log = (message: string): void => void process.stderr.write(`soak: ${message}\n`);
  try {
    log('preparing: 48 captioned ShapesWorld images, a dataset, a 4-step tiny run');
    await lafiteOk(dataDir, ['shapes', 'generate', '--n', '48', '--size', '32', '--out', folder, '--captions']);
    await lafiteOk(dataDir, ['dataset', 'import', folder, '--name', 'base', '--size', '32']);
    await lafiteOk(dataDir, ['dataset', 'captions', 'base', join(folder, 'metadata.jsonl')]); // evaluation prompts
    const trained = await lafiteOk<{ run?: string; id?: string; folder: string }>(dataDir, [
      'train',
      '--dataset',
      'base',
      '--preset',
      'tiny',
      '--steps',
      '4',
      '--batch-size',
      '4',
      '--checkpoint-every',
      '2',
      '--sample-every',
      '4',
    ]);
    const run = trained.run ?? trained.id ?? trained.folder.split(/[\\/]/).pop()!;

    const server = await new Promise<{ child: ChildProcess; port: number; token: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, '--json', '--data-dir', dataDir, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        if (buffered.includes('\n')) resolve({ child, ...(JSON.parse(buffered.split('\n')[0]!) as { port: number; token: string }) });
      });
      child.on('exit', (code) => reject(new Error(`lafite serve exited with ${code}`)));
    });
    const errors: string[] = [];
    const latencies: number[] = [];
    const call = async (method: string, input: unknown): Promise<unknown> => {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
      latencies.push(performance.now() - started);
      if (res.status !== 200 || !body.ok) throw new Error(`${method}: HTTP ${res.status} ${body.error?.message ?? ''}`);
      return body.result;
    };
    await call('info', {}); // the server's backend is loaded before memory is read
    const memoryBefore = rssMb(server.child.pid);
    const startedAt = Date.now();
    log(`soaking: ${cliRuns} CLI runs, ${httpJobs} jobs over HTTP, ${reads} API reads, all at once`);

    const kinds = ['import', 'generate', 'eval'] as const;
    const cli = Array.from({ length: cliRuns }, (_, i) => {
      const kind = kinds[i % kinds.length]!;
      const args =
        kind === 'import'
          ? ['dataset', 'import', folder, '--name', `cli-${i}`, '--size', '32']
          : kind === 'generate'
            ? ['generate', '--run', run, '--prompt', 'two red circles', '--n', '2', '--seed', String(i), '--out', join(root, `cli-gen-${i}`)]
            : ['eval', '--run', run, '--n', '16', '--seed', String(i)];
      return lafite(dataDir, args).then((r) => {
        if (r.code !== 0) errors.push(`lafite ${args[0]} ${args[1]} exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
      });
    });
    const jobIds: string[] = [];
    const started = Array.from({ length: httpJobs }, async (_, i) => {
      const kind = kinds[i % kinds.length]!;
      const job =
        kind === 'import'
          ? { kind: 'dataset-import', input: { dataset: `http-${i}`, folder, imageSize: 32 } }
          : kind === 'generate'
            ? { kind: 'gan-generate', input: { run, prompt: 'a blue square', n: 2, seed: 100 + i } }
            : { kind: 'gan-eval', input: { run, n: 16, seed: 100 + i } };
      try {
        jobIds.push(((await call('jobs.start', job)) as { id: string }).id);
      } catch (error) {
        errors.push((error as Error).message);
      }
    });
    const readers = Array.from({ length: 8 }, async (_, reader) => {
      const methods = ['datasets.list', 'jobs.list', 'runs.list', 'models.list'];
      for (let i = reader; i < reads && Date.now() < deadline; i += 8) {
        await call(methods[i % methods.length]!, {}).catch((error: Error) => errors.push(error.message));
      }
    });
    await Promise.all([...started, ...readers]);
    // The server's jobs: until each has ended, or the time is up.
    const outcomes = new Map<string, string>();
    while (outcomes.size < jobIds.length && Date.now() < deadline) {
      for (const id of jobIds.filter((id) => !outcomes.has(id))) {
        const job = (await call('jobs.get', { id }).catch(() => undefined)) as { status: string; kind: string; error?: { message: string } | null } | undefined;
        if (job && !['queued', 'running'].includes(job.status)) {
          outcomes.set(id, job.status);
          if (job.status !== 'succeeded') errors.push(`${job.kind} job ${job.status}: ${job.error?.message ?? ''}`);
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const cliDone = await Promise.race([Promise.all(cli).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), Math.max(0, deadline - Date.now())))]);
    if (!cliDone) errors.push('CLI runs still going at the time limit');
    jobIds.filter((id) => !outcomes.has(id)).forEach((id) => errors.push(`job ${id} still going at the time limit`));
    const memoryAfter = rssMb(server.child.pid);
    server.child.kill('SIGTERM');
    latencies.sort((a, b) => a - b);
    return {
      cliRuns,
      httpJobs,
      requests: latencies.length,
      errors: errors.length,
      errorExamples: [...new Set(errors)].slice(0, 10),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? null },
      serverRssMb: { before: memoryBefore, after: memoryAfter },
      seconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
