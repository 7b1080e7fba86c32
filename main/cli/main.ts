/**
 * The `lafite` command line: a thin adapter over the service (main/api/service.ts).
 * Every command has `--help`; `--json` prints machine-readable output; `--data-dir`
 * (or LAFITE_DATA_DIR) picks the data folder; `--backend` (or LAFITE_BACKEND) forces a
 * compute backend.
 *
 * @example
 *   lafite info --json
 *   lafite serve --port 8080
 *   lafite backend bench --size 512 --repeats 10
 *   lafite shapes generate --n 1000 --out ./shapes --captions
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  BACKEND_IDS,
  JOB_STATUSES,
  jobLabel,
  jobProgressText,
  jobSubject,
  type BackendId,
  type JobInput,
  type JobKind,
  type InfoResult,
  type JobRecord,
  type JobStatus,
} from '../contract/index.ts';
import type { Service } from '../api/service.ts';
import { APP_VERSION } from '../api/version.ts';
import { integer, type CliContext } from './context.ts';
import { registerDatasetCommands } from './dataset.ts';
import { addJobOptions, jobInput, type ParsedOptions } from './job-options.ts';
import { registerAblationCommand } from './ablation.ts';
import { registerDemoCommand } from './demo.ts';
import { registerPseudoCommands } from './pseudo.ts';
import { registerTrainCommands } from './train.ts';
import { registerRunAdminCommands } from './runs.ts';
import { printError, printResult, table, type OutputOptions } from './output.ts';
import type { ModelRecord, ZeroShotReport } from '../contract/index.ts';

interface GlobalOptions {
  json?: boolean;
  dataDir?: string;
  /** Checked against BACKEND_IDS by commander's choices. */
  backend?: BackendId;
}

function formatInfo(info: InfoResult): string {
  const backends = info.backends.map((b) => [b.id === info.backend ? `* ${b.id}` : `  ${b.id}`, b.available ? 'available' : 'unavailable', b.device ?? b.reason ?? '']);
  return [
    `Lafite Studio ${info.version} (Node ${info.nodeVersion}, tfjs ${info.tfjsVersion}, ONNX Runtime ${info.onnxruntimeVersion})`,
    `data:    ${info.dataDir}`,
    `db:      ${info.dbPath} (schema ${info.schemaVersion})`,
    `backend: ${info.backend}`,
    table(backends),
  ].join('\n');
}

function formatJobs(jobs: JobRecord[]): string {
  if (jobs.length === 0) return 'no jobs';
  return table([['id', 'job', 'on', 'status', 'progress', 'created'], ...jobs.map((j) => [j.id, jobLabel(j.kind), jobSubject(j), j.status, jobProgressText(j), j.createdAt])]);
}

function formatJob(job: JobRecord): string {
  const subject = jobSubject(job);
  const lines = [
    `${job.id}  ${jobLabel(job.kind)} (${job.kind})${subject ? ` · ${subject}` : ''}  ${job.status}  (attempt ${job.attempts})`,
    `input:  ${JSON.stringify(job.input)}`,
  ];
  if (job.progress) lines.push(`progress: ${jobProgressText(job)}`);
  if (job.result !== null) lines.push(`result: ${JSON.stringify(job.result)}`);
  if (job.error) lines.push(`error:  ${job.error.message}`);
  return lines.join('\n');
}

/** Builds the program; `run` opens the service lazily, so `--help` costs nothing. */
export function buildProgram(): Command {
  const program = new Command('lafite')
    .description('Lafite Studio: train a text-to-image generator from images alone, then generate from prompts.')
    .version(APP_VERSION)
    .option('--json', 'machine-readable output (JSON; JSON lines for progress)')
    .option('--data-dir <dir>', 'data folder (default: LAFITE_DATA_DIR or the per-user app data folder)')
    .addOption(new Option('--backend <name>', 'force a compute backend (or LAFITE_BACKEND)').choices([...BACKEND_IDS]))
    .showHelpAfterError()
    .exitOverride();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const output = (): OutputOptions => ({ json: globals().json === true });

  /** Runs a command against a fresh service and closes it after. */
  const withService =
    <A extends unknown[]>(action: (service: Service, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const { dataDir, backend } = globals();
      // Loaded on use: `--help` should not pay for TensorFlow.js and SQLite.
      const { openService } = await import('../api/service.ts');
      const service = openService({ ...(dataDir ? { dataDir } : {}), ...(backend ? { backend } : {}) });
      try {
        await action(service, ...args);
      } finally {
        await service.close();
      }
    };

  /** Starts a job, follows it to the end (progress, Ctrl+C cancels), and prints its result. */
  async function runJob<K extends JobKind, R>(service: Service, kind: K, input: JobInput<K>, human: (result: R) => string): Promise<void> {
    const job = await service.call('jobs.start', { kind, input });
    const { followJob } = await import('./follow.ts');
    const done = await followJob(service, job.id, output());
    printResult(done.result as R, output(), human);
  }

  program
    .command('info')
    .description('versions, compute backends (with why each is or is not available) and the data folder')
    .action(
      withService(async (service) => {
        printResult(await service.call('info', {}), output(), formatInfo);
      }),
    );

  program
    .command('serve')
    .description('serve the app and its API over HTTP (web mode), bound to 127.0.0.1 with a token')
    .option('--host <host>', 'address to bind (0.0.0.0 exposes it to the network)', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', integer, 7860)
    .action(async (options: { host: string; port: number }) => {
      const { serve } = await import('./serve.ts');
      await serve(globals(), options, output());
    });

  const jobs = program.command('jobs').description('long-running work: list, show, pause, cancel, resume');
  jobs
    .command('list')
    .description('recent jobs, newest first')
    .addOption(new Option('--status <status>', 'only jobs with this status').choices([...JOB_STATUSES]))
    .option('--limit <n>', 'how many', integer, 50)
    .action(
      withService(async (service, options: { status?: JobStatus; limit: number }) => {
        printResult(await service.call('jobs.list', options), output(), formatJobs);
      }),
    );
  jobs
    .command('show <id>')
    .description('one job: input, progress, result or error')
    .action(
      withService(async (service, id: string) => {
        printResult(await service.call('jobs.get', { id }), output(), formatJob);
      }),
    );
  jobs
    .command('cancel <id>')
    .description('cancel a queued or running job (also one running in another process)')
    .action(
      withService(async (service, id: string) => {
        printResult(await service.call('jobs.cancel', { id }), output(), (job) => `job ${job.id}: cancel requested (${job.status})`);
      }),
    );
  jobs
    .command('pause <id>')
    .description('pause a queued or running job: a training run writes a checkpoint first; `jobs resume` continues it')
    .action(
      withService(async (service, id: string) => {
        printResult(await service.call('jobs.pause', { id }), output(), (job) => `job ${job.id}: pause requested (${job.status})`);
      }),
    );
  jobs
    .command('resume <id>')
    .description('run a paused, interrupted, cancelled or failed job again from its last checkpoint, and follow it')
    .action(
      withService(async (service, id: string) => {
        await service.call('jobs.resume', { id });
        const { followJob } = await import('./follow.ts');
        printResult(await followJob(service, id, output()), output(), formatJob);
      }),
    );

  const backend = program.command('backend').description('compute backends');
  backend
    .command('bench')
    .description('time matrix products on the compute backend, as a job with progress (Ctrl+C cancels)')
    .option('--size <n>', 'matrix side', integer, 512)
    .option('--repeats <n>', 'products to time', integer, 10)
    .action(
      withService(async (service, options: { size: number; repeats: number }) => {
        const forced = globals().backend;
        const input = { ...options, ...(forced ? { backend: forced } : {}) };
        await runJob(
          service,
          'backend-benchmark',
          input,
          (r: { backend: string; size: number; gflops: number; medianMs: number }) =>
            `${r.backend}: matMul ${r.size}³ ${r.gflops.toFixed(2)} GFLOP/s (median ${r.medianMs.toFixed(1)} ms per product)`,
        );
      }),
    );

  const shapes = program.command('shapes').description('ShapesWorld, the built-in demo domain: pictures of shapes with known attributes');
  shapes
    .command('generate')
    .description('draw N pictures into a folder (PNGs and metadata.jsonl), deterministic by seed, as a job (Ctrl+C cancels)')
    .requiredOption('--n <n>', 'how many images', integer)
    .requiredOption('--out <dir>', 'output folder: empty, new, or an earlier run of the same seed and size (continued)')
    .option('--size <px>', 'image side in pixels', integer, 64)
    .option('--seed <n>', 'run seed: the same seed draws the same images', integer, 0)
    .option('--captions', 'write ground-truth captions into metadata.jsonl', false)
    .action(
      withService(async (service, options: { n: number; out: string; size: number; seed: number; captions: boolean }) => {
        const input = { ...options, out: resolve(options.out) }; // the job runs elsewhere: no relative paths
        await runJob(
          service,
          'shapes-generate',
          input,
          (r: { count: number; out: string; size: number; seconds: number }) => `${r.count} images (${r.size}×${r.size}) in ${r.out} (${r.seconds.toFixed(1)} s)`,
        );
      }),
    );

  const model = program.command('model').description('CLIP encoders: list, add a folder, download, remove');
  const formatModel = (m: ModelRecord): string => `${m.id}  ${m.source}  ${m.dim}-d  ${m.path}`;
  model
    .command('list')
    .description('the models Lafite Studio knows')
    .action(
      withService(async (service) => {
        printResult(await service.call('models.list', {}), output(), (models) =>
          models.length === 0 ? 'no models' : table([['id', 'source', 'dim', 'path'], ...models.map((m) => [m.id, m.source, String(m.dim), m.path])]),
        );
      }),
    );
  model
    .command('add <folder>')
    .description('register a CLIP folder (Hugging Face ONNX layout): checked by loading it, referenced in place, never copied')
    .option('--id <id>', 'model id (default: the folder name)')
    .action(
      withService(async (service, folder: string, options: { id?: string }) => {
        printResult(await service.call('models.add', { folder: resolve(folder), ...options }), output(), (m) => `added ${formatModel(m)}`);
      }),
    );
  model
    .command('download <id>')
    .description('download a known CLIP (clip-vit-b32, clip-vit-b16) into the data folder, resumable and verified, as a job (Ctrl+C cancels)')
    .option('--mirror <url>', 'base URL instead of https://huggingface.co (or LAFITE_MODEL_MIRROR)')
    .action(
      withService(async (service, id: string, options: { mirror?: string }) => {
        const mirror = options.mirror ?? process.env.LAFITE_MODEL_MIRROR; // the job may run elsewhere: pass it along
        await runJob(
          service,
          'model-download',
          { id, ...(mirror ? { mirror } : {}) },
          (r: { model: ModelRecord; downloadedBytes: number; seconds: number }) =>
            `installed ${formatModel(r.model)} (${(r.downloadedBytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s)`,
        );
      }),
    );
  model
    .command('remove <id>')
    .description("forget a model; a downloaded model's files are deleted, a folder you added is left as it is")
    .action(
      withService(async (service, id: string) => {
        printResult(await service.call('models.remove', { id }), output(), (r) => `removed ${r.id}${r.deletedFiles ? ' and its downloaded files' : ''}`);
      }),
    );
  model
    .command('eval <id>')
    .description('zero-shot color and shape accuracy on held-out ShapesWorld renders, and the modality gap, as a job')
    .option('--n <n>', 'held-out images', integer, 1000)
    .option('--seed <n>', 'seed of the held-out scenes', integer, 999)
    .action(
      withService(async (service, id: string, options: { n: number; seed: number }) => {
        await runJob(service, 'model-eval', { model: id, ...options }, (r: ZeroShotReport) =>
          [
            `${id} on ${r.images} held-out ShapesWorld images:`,
            `  color accuracy ${r.colorAccuracy.toFixed(3)}, shape accuracy ${r.shapeAccuracy.toFixed(3)} (both ${r.colorShapeAccuracy.toFixed(3)})`,
            `  mean cosine image-text ${r.meanImageTextCosine.toFixed(3)}, text-text ${r.meanTextTextCosine.toFixed(3)}, image-image ${r.meanImageImageCosine.toFixed(3)}; modality gap ${r.modalityGap.toFixed(3)}`,
          ].join('\n'),
        );
      }),
    );

  addJobOptions(
    program.command('embed').description('image features of every picture in a folder or dataset, through the embedding cache (a second run encodes only what is new), as a job'),
    'embed',
  ).action(
    withService(async (service, options: ParsedOptions) => {
      const { folder, dataset, ...rest } = jobInput('embed', options);
      const source = folder !== undefined ? { folder } : dataset !== undefined ? { dataset } : {}; // a folder wins over a dataset
      await runJob(
        service,
        'embed',
        { ...rest, ...source },
        (r: { images: number; encoded: number; cached: number; seconds: number }) =>
          `${r.images} images: ${r.encoded} encoded, ${r.cached} already cached (${r.seconds.toFixed(1)} s)`,
      );
      if (dataset !== undefined && folder === undefined) await (await import('./encoder-fit.ts')).warnEncoderFit(service, dataset, rest.model);
    }),
  );

  const cli: CliContext = { withService, runJob, output };
  registerDatasetCommands(program, cli);
  registerPseudoCommands(program, cli);
  registerTrainCommands(program, cli);
  registerRunAdminCommands(program, cli);
  registerDemoCommand(program, cli);
  registerAblationCommand(program, cli);
  return program;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // usage errors exit 2
    return printError(error, { json: program.opts<GlobalOptions>().json === true });
  }
}
