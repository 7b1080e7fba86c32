/**
 * Checks before a job is made (gan-train and diffusion-train alike, and generations and
 * evaluations of either family's runs): what a job would only find out in its worker (a misspelled
 * dataset, pseudo features never synthesised, a perturbation network of another encoder, the
 * paper preset on a CPU backend) is refused here, so a mistake leaves no failed run behind. The
 * same checks tell the Training view why Start is disabled (`jobs.check`) and whether a stopped
 * run can be resumed. Ids arrive resolved (api/ids.ts).
 */
import { existsSync } from 'node:fs';
import { jobInputSchemas, usesPseudoRun, type BackendId, type ErrorCode, type JobKind, type PreflightProblem } from '../contract/index.ts';
import { fromZodError, LafiteError } from '../contract/errors.ts';
import type { DatasetStore } from '../store/datasets.ts';
import type { JobStore } from '../store/jobs.ts';
import type { ModelStore } from '../store/models.ts';
import type { PseudoStore } from '../store/pseudo.ts';
import { findPseudoRun } from '../jobs/pseudo-run.ts';
import { readPerturbationFile } from '../jobs/perturbation-files.ts';
import type { JobInput } from '../jobs/job-kind.ts';
import { checkpointFile, runFolder } from '../jobs/run-files.ts';
import { TRAINING_KINDS } from './ids.ts';

export interface PreflightStores {
  datasets: DatasetStore;
  pseudo: PseudoStore;
  jobs: JobStore;
  models: ModelStore;
  dataDir: string;
  /** The backend jobs are forced to (`--backend`), if any. */
  backend?: BackendId;
}

/** Backends without a GPU: the paper preset (256 px, about 75M parameters) runs out of memory or takes minutes a step there. */
const CPU_BACKENDS: readonly string[] = ['node', 'wasm', 'cpu'];
/** Presets that need a GPU backend. */
const GPU_PRESETS: readonly string[] = ['paper'];

/** The fields both training kinds (`gan-train`, `diffusion-train`) share that the checks read. */
type TrainInput = Pick<JobInput<'gan-train'>, 'dataset' | 'model' | 'pseudo' | 'pseudoRun' | 'nn' | 'subset' | 'captionShare' | 'init' | 'cloInit'> & { preset: string };
type TrainingKind = 'gan-train' | 'diffusion-train';
/** The network each family trains, in messages. */
const NETWORK: Record<TrainingKind, string> = { 'gan-train': 'GAN', 'diffusion-train': 'UNet' };

const problem = (code: ErrorCode, message: string, field?: string): PreflightProblem => ({ code, message, ...(field ? { field } : {}) });
const synthHint = (dataset: string, model: string): string =>
  `synthesise them first: lafite pseudo synth --dataset ${dataset} --method retrieval${model === 'shapes-clip' ? '' : ` --model ${model}`} (or the Pseudo-captions view)`;

/** The dataset's images in the subset a run trains on, with what is missing for it. */
function datasetProblems(stores: PreflightStores, input: TrainInput): PreflightProblem[] {
  const dataset = stores.datasets.get(input.dataset);
  if (!dataset) return [problem('not_found', `no dataset '${input.dataset}' (see \`lafite dataset list\`)`, 'dataset')];
  const out: PreflightProblem[] = [];
  const images = input.subset === 'all' ? dataset.counts.imported : input.subset === 'train' ? dataset.counts.train : dataset.counts.fewShot;
  if (input.subset === 'train' && !dataset.split)
    out.push(problem('invalid_input', `dataset '${dataset.id}' has no training split: run \`lafite dataset split ${dataset.id} --val 0.1\` first`, 'subset'));
  else if (input.subset === 'fewshot' && !dataset.fewShot)
    out.push(problem('invalid_input', `dataset '${dataset.id}' has no few-shot pairs: run \`lafite dataset fewshot ${dataset.id} --pairs 10\` first`, 'subset'));
  else if (images < 2)
    out.push(
      problem(
        'invalid_input',
        `dataset '${dataset.id}' has ${images} imported images${input.subset === 'all' ? '' : ` in its ${input.subset} subset`}: training needs at least 2`,
        'dataset',
      ),
    );
  if (input.pseudo === 'captions' && dataset.counts.captioned < 2) {
    const has = dataset.counts.captioned === 0 ? 'no captions' : 'only 1 captioned image';
    out.push(
      problem(
        'invalid_input',
        `dataset '${dataset.id}' has ${has}: training on captions needs at least 2 (import some: lafite dataset captions), or train language-free`,
        'pseudo',
      ),
    );
  } else if (input.captionShare > 0 && dataset.counts.captioned === 0)
    out.push(problem('invalid_input', `dataset '${dataset.id}' has no captions for --caption-share: import some (lafite dataset captions) or set it to 0`, 'captionShare'));
  return out;
}

/** The conditions' sources: a retrieval run, a perturbation network, the encoder. */
async function conditionProblems(stores: PreflightStores, input: TrainInput): Promise<PreflightProblem[]> {
  const out: PreflightProblem[] = [];
  if (!stores.models.get(input.model)) out.push(problem('not_found', `no model '${input.model}' (see \`lafite model list\`)`, 'model'));
  if (usesPseudoRun(input)) {
    try {
      if (!findPseudoRun(stores.pseudo, input))
        out.push(problem('invalid_input', `dataset '${input.dataset}' has no retrieval pseudo-captions for ${input.model}: ${synthHint(input.dataset, input.model)}`, 'pseudo'));
    } catch (error) {
      if (!(error instanceof LafiteError)) throw error;
      out.push(problem(error.code, error.message, error.field));
    }
  }
  if (input.pseudo === 'nn') {
    if (!input.nn) out.push(problem('invalid_input', 'nn conditions need a trained perturbation network (--nn NAME; lafite pseudo train-nn makes one)', 'nn'));
    else {
      const file = await readPerturbationFile(stores.dataDir, input.nn).catch(() => undefined);
      if (!file)
        out.push(problem('not_found', `no perturbation network '${input.nn}': train one with \`lafite pseudo train-nn --dataset ${input.dataset} --name ${input.nn}\``, 'nn'));
      else if (file.model !== input.model)
        out.push(problem('invalid_input', `perturbation network '${input.nn}' was trained for ${file.model}, not ${input.model}: train with --model ${file.model}`, 'nn'));
    }
  }
  return out;
}

/** A fine-tune's starting run: a training run of the same family with a checkpoint, of the same network and encoder (and noise levels). */
function initProblems(stores: PreflightStores, kind: TrainingKind, input: TrainInput): PreflightProblem[] {
  if (!input.init) return [];
  const source = stores.jobs.get(input.init);
  if (!source) return [problem('not_found', `no training run '${input.init}' to fine-tune from`, 'init')];
  if (source.kind !== kind) return [problem('invalid_input', `run ${input.init} is a ${source.kind} run: a ${kind} job fine-tunes only a run of its own family`, 'init')];
  const trained = source.input as TrainInput & { timesteps?: number; noiseSchedule?: string };
  const wanted = input as TrainInput & { timesteps?: number; noiseSchedule?: string };
  const family = kind === 'diffusion-train' ? ' --family diffusion' : '';
  const noise = kind === 'diffusion-train' ? ` --noise-schedule ${trained.noiseSchedule} --timesteps ${trained.timesteps}` : '';
  if (trained.preset !== input.preset || trained.model !== input.model || trained.timesteps !== wanted.timesteps || trained.noiseSchedule !== wanted.noiseSchedule)
    return [
      problem(
        'invalid_input',
        `run ${input.init} is a ${trained.preset} ${NETWORK[kind]} on ${trained.model}: fine-tune it with${family} --preset ${trained.preset} --model ${trained.model}${noise}`,
        'init',
      ),
    ];
  if (!existsSync(checkpointFile(runFolder(stores.dataDir, input.init)))) return [problem('invalid_input', `run ${input.init} has no checkpoint yet`, 'init')];
  return [];
}

/** Backends each family's paper preset cannot train on (the diffusion job's own check: wasm and cpu; the GAN's: any CPU backend). */
const SLOW_BACKENDS: Record<TrainingKind, readonly string[]> = { 'gan-train': CPU_BACKENDS, 'diffusion-train': ['wasm', 'cpu'] };
const PAPER_SIZE: Record<TrainingKind, string> = { 'gan-train': '256 px, about 75M parameters', 'diffusion-train': '64 px, about 37M parameters' };

/** The paper preset on a backend without a GPU: the backend jobs would use here (loads TensorFlow.js in this process once). */
async function backendProblems(stores: PreflightStores, kind: TrainingKind, input: TrainInput): Promise<PreflightProblem[]> {
  if (!GPU_PRESETS.includes(input.preset)) return [];
  const { initBackend } = await import('../engine/backend.ts');
  const backend = await initBackend(stores.backend).catch(() => undefined);
  if (!backend || !SLOW_BACKENDS[kind].includes(backend.id)) return [];
  const family = kind === 'diffusion-train' ? 'the diffusion ' : 'the ';
  return [
    problem(
      'unavailable',
      `${family}${input.preset} preset (${PAPER_SIZE[kind]}) needs a GPU backend; this machine trains on ${backend.id} (no GPU): train --preset shapes here, or on a GPU machine (lafite info lists the backends)`,
      'preset',
    ),
  ];
}

/** A generation or evaluation's run: a training run of either family with a checkpoint; a diffusion run's sampler within its noise levels. */
function runProblems(stores: PreflightStores, input: { run: string; steps?: number }): PreflightProblem[] {
  const { run } = input;
  const job = stores.jobs.get(run);
  if (!job || !TRAINING_KINDS.includes(job.kind)) return [problem('not_found', `no training run '${run}' (see \`lafite runs list\`)`, 'run')];
  if (!existsSync(checkpointFile(runFolder(stores.dataDir, run))))
    return [problem('invalid_input', `training run ${run} has no checkpoint yet (${job.status}): train it further, or pick another run`, 'run')];
  if (job.kind === 'diffusion-train') {
    const timesteps = (job.input as { timesteps?: number }).timesteps;
    if (input.steps !== undefined && timesteps !== undefined && input.steps > timesteps)
      return [problem('invalid_input', `--steps ${input.steps}: diffusion run ${run} has T = ${timesteps} noise levels, at most that many steps`, 'steps')];
  }
  return [];
}

export interface PreflightOptions {
  /** Leave out the backend check (listing runs: it would load TensorFlow.js). */
  skipBackend?: boolean;
}

/** Everything that would make a job of `kind` on `input` fail before its first step; empty: it may start. */
export async function preflightProblems(stores: PreflightStores, kind: JobKind, rawInput: unknown, options: PreflightOptions = {}): Promise<PreflightProblem[]> {
  const parsed = jobInputSchemas[kind].safeParse(rawInput ?? {});
  if (!parsed.success) {
    const error = fromZodError(parsed.error, `${kind} job`);
    return [problem(error.code, error.message, error.field)];
  }
  if (kind === 'gan-train' || kind === 'diffusion-train') {
    const input = parsed.data as TrainInput;
    const data = datasetProblems(stores, input);
    if (data.some((p) => p.code === 'not_found')) return data;
    return [...data, ...(await conditionProblems(stores, input)), ...initProblems(stores, kind, input), ...(options.skipBackend ? [] : await backendProblems(stores, kind, input))];
  }
  if (kind === 'gan-generate' || kind === 'gan-eval') return runProblems(stores, parsed.data as { run: string; steps?: number });
  return [];
}

/** Refuses a job that would fail before its first step: the first problem as the error (not_found first), nothing created. */
export async function checkJobStart(stores: PreflightStores, kind: JobKind, input: unknown): Promise<void> {
  const problems = await preflightProblems(stores, kind, input);
  const first = problems.find((p) => p.code === 'not_found') ?? problems[0];
  if (!first) return;
  const rest = problems.filter((p) => p !== first);
  const more = rest.length > 0 ? `; also: ${rest.map((p) => p.message).join('; ')}` : '';
  // jobs.start's fields are the job input's, one level down in the call (as the API's own validation names them).
  throw new LafiteError(first.code, `${first.message}${more}`, first.field ? `input.${first.field}` : undefined);
}
