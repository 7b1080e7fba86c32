/**
 * The demo's family comparison (issue 16): when the other model family has a demo run on the
 * same dataset in this data folder (`lafite demo` then `lafite demo --family diffusion`), the
 * report shows both on the same prompts: the same report prompts drawn with the same seed, and
 * the same held-out prompts evaluated with the same seed (an evaluation of that run at its
 * latest step with the same prompts, seed and sampling is reused, and so are the pictures its
 * own demo drew; otherwise they are made).
 *
 * @example
 *   const other = await otherFamilyRun(service, 'shapes-demo', 'gan');   // the newest diffusion demo run, if any
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvaluationRecord, GenerateResult, JobInput, RunSummary, TrainFamily } from '../contract/index.ts';
import type { Service } from '../api/service.ts';
import { samplingFields, type DiffusionSampling, type ShapesPipeline } from './shapes-pipeline.ts';

/** One family's side of the comparison. */
export interface DemoSide {
  family: TrainFamily;
  run: string;
  steps: number;
  /** Its training budget in minutes, when it had one. */
  minutes: number | null;
  /** The run it was fine-tuned from (the GAN's built-in shapes-pretrained); null: trained from noise. */
  init: string | null;
  /** How a diffusion run was sampled; null for a GAN. */
  sampling: DiffusionSampling | null;
  evaluation: EvaluationRecord;
  /** Four pictures (data URLs) per report prompt, in the report's prompt order. */
  prompts: { prompt: string; images: string[] }[];
}

/** The newest finished run of the family other than `family` trained on `dataset` with CLO features (a demo run), if any. */
export async function otherFamilyRun(service: Service, dataset: string, family: TrainFamily): Promise<RunSummary | undefined> {
  const runs = await service.call('runs.list', { limit: 1000 });
  return runs
    .filter((r) => r.family !== family && r.dataset === dataset && r.pseudo === 'clo' && r.status === 'succeeded' && r.hasCheckpoint)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

/** Four pictures per prompt from `run` with `seed`, as data URLs (a diffusion run with `sampling`), written under `out`. */
export async function drawPrompts(
  pipeline: ShapesPipeline,
  run: string,
  prompts: readonly string[],
  out: string,
  seed: number,
  sampling: DiffusionSampling | null,
): Promise<{ prompt: string; images: string[] }[]> {
  const drawn: { prompt: string; images: string[] }[] = [];
  for (const [i, prompt] of prompts.entries()) {
    const result = await pipeline.job<GenerateResult>(`drawing "${prompt}" with run ${run.slice(0, 8)}`, 'gan-generate', {
      run,
      prompt,
      n: 4,
      seed,
      out: join(out, `prompt-${i + 1}`),
      ...samplingFields(sampling ?? undefined),
    });
    const images = await Promise.all(result.files.map(async (file) => `data:image/png;base64,${(await readFile(file)).toString('base64')}`));
    drawn.push({ prompt, images });
  }
  return drawn;
}

/** An evaluation of `run` at `step` on the dataset's held-out prompts drawn with `seed`, `n` of them, sampled as asked: the same prompts as the demo's own. */
async function sameEvaluation(service: Service, run: string, step: number, n: number, seed: number, sampling: DiffusionSampling | null): Promise<EvaluationRecord | undefined> {
  const evaluations = (await service.call('runs.evaluations', { id: run })).filter((e) => e.step === step && e.images === n && e.prompts === null);
  for (const evaluation of evaluations.reverse()) {
    const input = (await service.call('jobs.get', { id: evaluation.id }).catch(() => undefined))?.input as JobInput<'gan-eval'> | undefined;
    if (input?.seed !== seed) continue;
    if (sampling && (input.sampler !== 'ddim' || input.eta !== 0 || input.steps !== sampling.steps || input.guidance !== sampling.guidance)) continue;
    return evaluation;
  }
  return undefined;
}

/** Pictures `run` drew at `step` before for each prompt with the same count, seed and sampling (the run's own demo drew them), as data URLs; undefined unless every prompt has some. */
async function samePictures(
  service: Service,
  run: string,
  step: number,
  prompts: readonly string[],
  seed: number,
  sampling: DiffusionSampling | null,
): Promise<{ prompt: string; images: string[] }[] | undefined> {
  const generations = (await service.call('runs.generations', { id: run, limit: 1000 })).filter(
    (g) =>
      g.status === 'succeeded' &&
      g.n === 4 &&
      g.seed === seed &&
      g.image === null &&
      g.step === step &&
      (sampling === null || (g.sampling?.sampler === 'ddim' && g.sampling.eta === 0 && g.sampling.steps === sampling.steps && g.sampling.guidance === sampling.guidance)),
  );
  const drawn: { prompt: string; images: string[] }[] = [];
  for (const prompt of prompts) {
    const generation = generations.find((g) => g.prompt === prompt);
    if (!generation) return undefined;
    const answer = await service.call('runs.generated', { id: generation.id }).catch(() => undefined); // its files moved or deleted: draw again
    if (!answer) return undefined;
    drawn.push({ prompt, images: answer.images.map((image) => `data:image/png;base64,${image.png}`) });
  }
  return drawn;
}

/** The other family's side: its evaluation on the same held-out prompts and its pictures for the report's prompts (each reused when that run made them before, else made). */
export async function otherSide(
  service: Service,
  pipeline: ShapesPipeline,
  other: RunSummary,
  options: { prompts: readonly string[]; n: number; seed: number; sampling: DiffusionSampling; out: string },
): Promise<DemoSide> {
  const sampling = other.family === 'diffusion' ? options.sampling : null;
  const evaluation =
    (await sameEvaluation(service, other.id, other.step, options.n, options.seed, sampling)) ?? (await pipeline.evaluate(other.id, options.n, options.seed, sampling ?? undefined));
  const prompts =
    (await samePictures(service, other.id, other.step, options.prompts, options.seed, sampling)) ??
    (await drawPrompts(pipeline, other.id, options.prompts, join(options.out, 'images', other.family), options.seed, sampling));
  return { family: other.family, run: other.id, steps: other.step, minutes: other.minutes ?? null, init: other.init, sampling, evaluation, prompts };
}
