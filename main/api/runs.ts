/**
 * `runs.*`: training runs as the Training view and the Playground read them: the job row,
 * what the run recorded (backend, sizes, losses per step: store/runs.ts), its sample grids
 * and its generations. Nothing here trains or draws; those are the gan-train and
 * gan-generate jobs.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  jobInputSchemas,
  usesPseudoRun,
  type GenerateResult,
  type GenerationRecord,
  type JobRecord,
  type RunDetail,
  type RunSample,
  type RunSummary,
  type TrainResult,
} from '../contract/index.ts';
import type { JobInput } from '../jobs/job-kind.ts';
import { invalidInput, notFound } from '../contract/errors.ts';
import type { JobStore } from '../store/jobs.ts';
import type { PseudoStore } from '../store/pseudo.ts';
import { findPseudoRun } from '../jobs/pseudo-run.ts';
import { trainingRun, type TrainingRunJob } from '../jobs/run-records.ts';
import type { RunStore } from '../store/runs.ts';
import type { RunCatalog } from '../store/run-catalog.ts';
import { canResume, folderBytes } from './run-admin.ts';
import { checkpointFile, runFolder, sampleFile, sampleLabelsFile, SAMPLES_FOLDER, SNAPSHOTS_FOLDER, stepsOf } from '../jobs/run-files.ts';
import { generationSamplingOf, generationStep } from './gallery.ts';

type GenerateInput = JobInput<'gan-generate'>;

interface Stores {
  jobs: JobStore;
  runs: RunStore;
  catalog: RunCatalog;
  dataDir: string;
}

/** Steps with a file in one of the run's step folders (sample grids, G_ema snapshots). */
async function stepFiles(dataDir: string, id: string, subfolder: string, ext: string): Promise<number[]> {
  const folder = join(runFolder(dataDir, id), subfolder);
  return existsSync(folder) ? stepsOf(await readdir(folder), ext) : [];
}
const sampleSteps = (dataDir: string, id: string) => stepFiles(dataDir, id, SAMPLES_FOLDER, 'png');

async function summarise(stores: Stores, job: TrainingRunJob): Promise<RunSummary> {
  const recorded = stores.runs.get(job.id);
  const lastStep = stores.runs.lastStep(job.id);
  const last = lastStep > 0 ? (stores.runs.metrics(job.id, Number.MAX_SAFE_INTEGER).at(-1)?.metrics ?? null) : null;
  const hasCheckpoint = existsSync(checkpointFile(runFolder(stores.dataDir, job.id)));
  return {
    id: job.id,
    family: job.kind === 'diffusion-train' ? 'diffusion' : 'gan',
    status: job.status,
    dataset: job.input.dataset,
    model: job.input.model,
    preset: job.input.preset,
    pseudo: job.input.pseudo,
    steps: job.input.steps,
    step: lastStep || ((job.result as TrainResult | null)?.steps ?? 0), // a built-in run ships without its loss history
    backend: recorded?.backend ?? (job.result as TrainResult | null)?.backend ?? null, // a built-in run records its backend in its result
    device: recorded?.device ?? null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    last,
    samples: (await sampleSteps(stores.dataDir, job.id)).length,
    hasCheckpoint,
    init: job.input.init ?? null,
    // Pinned in the input when the job was made (pinPseudoRun); a job made without the API says it in its result.
    pseudoRun: job.input.pseudoRun ?? (job.result as TrainResult | null)?.pseudoRun ?? null,
    nn: job.input.nn ?? null,
    name: stores.catalog.names([job.id]).get(job.id) ?? null,
    minutes: job.input.minutes ?? null,
    resumable: canResume(job, hasCheckpoint),
    diskBytes: await folderBytes(runFolder(stores.dataDir, job.id)),
    builtin: Boolean((job.result as { builtin?: unknown } | null)?.builtin),
  };
}

/**
 * A `gan-train` or `diffusion-train` input with the pseudo run it trains on named: the one asked for, checked (this
 * dataset, a retrieval run, this encoder), else the newest suitable one, so the run's record
 * says which and a resume trains on the same. A bad name is refused before a job is made; an
 * input that does not parse is left to the job runner to refuse.
 */
export function pinPseudoRun(pseudo: PseudoStore, input: Record<string, unknown>, kind: 'gan-train' | 'diffusion-train' = 'gan-train'): Record<string, unknown> {
  const parsed = jobInputSchemas[kind].safeParse(input);
  if (!parsed.success || !usesPseudoRun(parsed.data)) return input;
  const run = findPseudoRun(pseudo, parsed.data);
  return run ? { ...input, pseudoRun: run.id } : input; // none yet: the job says how to make one
}

export async function listTrainingRuns(stores: Stores, limit: number): Promise<RunSummary[]> {
  // Both families, newest first (each list is newest first; ISO times sort as text).
  const jobs = [...stores.jobs.listOfKind('gan-train', limit), ...stores.jobs.listOfKind('diffusion-train', limit)] as TrainingRunJob[];
  jobs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return Promise.all(jobs.slice(0, limit).map((job) => summarise(stores, job)));
}

async function readLabels(dataDir: string, id: string): Promise<string[]> {
  const file = sampleLabelsFile(runFolder(dataDir, id));
  if (!existsSync(file)) return [];
  return JSON.parse(await readFile(file, 'utf8')) as string[];
}

export async function getTrainingRun(stores: Stores, id: string, maxPoints: number): Promise<RunDetail> {
  const job = trainingRun(stores.jobs, id);
  const recorded = stores.runs.get(id);
  return {
    ...(await summarise(stores, job)),
    config: job.input as unknown as Record<string, unknown>,
    gParams: recorded?.gParams ?? null,
    dParams: recorded?.dParams ?? null,
    images: recorded?.images ?? null,
    attempts: recorded?.attempts ?? [],
    metrics: stores.runs.metrics(id, maxPoints),
    sampleSteps: await sampleSteps(stores.dataDir, id),
    snapshotSteps: await stepFiles(stores.dataDir, id, SNAPSHOTS_FOLDER, 'bin'),
    sampleLabels: await readLabels(stores.dataDir, id),
    progress: job.progress ? { message: job.progress.message, ...(job.progress.etaMs !== undefined ? { etaMs: job.progress.etaMs } : {}) } : null,
    error: job.error,
  };
}

export async function getRunSample(stores: Stores, id: string, step: number): Promise<RunSample> {
  trainingRun(stores.jobs, id);
  const file = sampleFile(runFolder(stores.dataDir, id), step);
  if (!existsSync(file)) throw notFound(`run ${id} has no sample grid at step ${step}`);
  return { step, png: (await readFile(file)).toString('base64'), labels: await readLabels(stores.dataDir, id) };
}

const toGeneration = (job: JobRecord, runKind: string): GenerationRecord => {
  const input = job.input as GenerateInput;
  return {
    id: job.id,
    run: input.run,
    status: job.status,
    prompt: input.prompt ?? null,
    image: input.image ?? null,
    mix: input.mix,
    n: input.n,
    seed: input.seed,
    truncation: input.truncation,
    sampling: generationSamplingOf(job, runKind),
    step: generationStep(job),
    createdAt: job.createdAt,
    error: job.error,
  };
};

export function listGenerations(stores: Stores, id: string, limit: number): GenerationRecord[] {
  const run = trainingRun(stores.jobs, id);
  return stores.jobs.listOfKind('gan-generate', limit, id).map((job) => toGeneration(job, run.kind));
}

/** The PNGs a finished generation wrote: only the files its job recorded, never another path. */
export async function generatedImages(stores: Stores, id: string): Promise<{ id: string; images: { name: string; png: string }[] }> {
  const job = stores.jobs.get(id);
  if (!job || job.kind !== 'gan-generate') throw notFound(`no generation '${id}'`);
  if (job.status !== 'succeeded') throw invalidInput(`generation ${id} is ${job.status}: it has no images`, 'id');
  const { files } = job.result as GenerateResult;
  const images = await Promise.all(
    files.map(async (file) => {
      if (!existsSync(file)) throw notFound(`the image ${file} of generation ${id} was moved or deleted`);
      return { name: basename(file), png: (await readFile(file)).toString('base64') };
    }),
  );
  return { id, images };
}
