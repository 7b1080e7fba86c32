/**
 * Training runs and their evaluations as the jobs stored them: the `gan-train` job of a run
 * (its input is the run's configuration) and the `gan-eval` rows with the prompt list each
 * was measured on. The API (api/runs.ts) and the gan-eval and gan-generate jobs read them here.
 */
import type { EvaluationRecord, JobRecord } from '../contract/index.ts';
import { notFound } from '../contract/errors.ts';
import type { EvaluationStore } from '../store/evaluations.ts';
import type { JobStore } from '../store/jobs.ts';
import type { JobInput } from './job-kind.ts';

type TrainInput = JobInput<'gan-train'>;
type EvalInput = JobInput<'gan-eval'>;

/** The `gan-train` job of run `id`; `not_found` when there is none. */
export function trainingJob(jobs: JobStore, id: string): JobRecord & { input: TrainInput } {
  const job = jobs.get(id);
  if (!job || job.kind !== 'gan-train') throw notFound(`no training run '${id}': see \`lafite runs\` or the Training view`);
  return job as JobRecord & { input: TrainInput };
}

/** A training run of either family: its job, narrowed by kind (gan-train or diffusion-train). */
export type TrainingRunJob = (JobRecord & { kind: 'gan-train'; input: TrainInput }) | (JobRecord & { kind: 'diffusion-train'; input: JobInput<'diffusion-train'> });

/** The training job of run `id`, of either family (generation, evaluation and the Runs view take both); `not_found` when there is none. */
export function trainingRun(jobs: JobStore, id: string): TrainingRunJob {
  const job = jobs.get(id);
  if (!job || (job.kind !== 'gan-train' && job.kind !== 'diffusion-train')) throw notFound(`no training run '${id}': see \`lafite runs\` or the Training view`);
  return job as TrainingRunJob;
}

/** The prompt list an evaluation job was given (its input keeps the prompts and the file's name); null: the dataset's captions. */
function promptsOf(jobs: JobStore, jobId: string): EvaluationRecord['prompts'] {
  const input = jobs.get(jobId)?.input as EvalInput | undefined;
  return input?.prompts ? { file: input.promptFile ?? null, count: input.prompts.length } : null;
}

/** Evaluations of one run (or all runs), as stored by gan-eval jobs, with the prompt list each was measured on. */
export function listEvaluations(evaluations: EvaluationStore, jobs: JobStore, runId: string | undefined): EvaluationRecord[] {
  return evaluations.list(runId).map((row) => ({
    id: row.jobId,
    run: row.runId,
    step: row.step,
    images: row.images,
    prompts: promptsOf(jobs, row.jobId),
    metrics: row.metrics as EvaluationRecord['metrics'],
    createdAt: row.createdAt,
  }));
}
