/**
 * How the Playground samples a diffusion run (issue 16): DDIM or DDPM, the number of denoising
 * steps, DDIM's η and the classifier-free guidance scale, the fields `gan-generate` takes for a
 * diffusion run (contract/sampling.ts) and a GAN run ignores. Their defaults are the option
 * table's, the checks its schema's, and a step count above the run's T is refused as the job
 * would. Pure: no store, no API.
 *
 * @example
 *   const sampling: SamplingForm = { ...DEFAULT_SAMPLING_FORM, steps: 10, guidance: 5 };
 *   if (Object.keys(checkSamplingForm(sampling, 1000)).length === 0) input = { ...generateInput(run, form), ...samplingInput(sampling) };
 */
import {
  DIFFUSION_SAMPLERS,
  DIFFUSION_SAMPLING_OPTIONS as OPTIONS,
  diffusionSamplingShape,
  type DiffusionSampler,
  type GenerationSampling,
  type RunSummary,
} from '../../../main/contract/index.ts';
import { issueMessage, type SchemaIssue } from './schema-issues.ts';

/** The sampling fields; '' is an empty number field. */
export interface SamplingForm {
  /** Denoising steps: DDIM's respaced steps, or with DDPM its respaced ancestral steps. */
  steps: number | '';
  sampler: DiffusionSampler;
  /** DDIM's η: 0 deterministic, 1 as noisy as DDPM. */
  eta: number | '';
  /** Classifier-free guidance scale s: 1 is the conditional model alone, 0 the unconditional one. */
  guidance: number | '';
}
export type SamplingField = keyof SamplingForm;

/** The `gan-generate` option table's sampling defaults (contract/sampling.ts: the schema's too). */
export const DEFAULT_SAMPLING_FORM: Readonly<SamplingForm> = {
  steps: OPTIONS.steps.default,
  sampler: OPTIONS.sampler.default,
  eta: OPTIONS.eta.default,
  guidance: OPTIONS.guidance.default,
};

/** Whether the run samples by denoising (steps, sampler, η, guidance apply) rather than with a GAN's truncation. */
export const isDiffusionRun = (run: Pick<RunSummary, 'family'> | null | undefined): boolean => run?.family === 'diffusion';

/** The sampling fields of the `gan-generate` input (η only for DDIM, which is the only sampler that reads it). */
export function samplingInput(form: SamplingForm): Record<string, unknown> {
  const input: Record<string, unknown> = { steps: form.steps, sampler: form.sampler, guidance: form.guidance };
  if (form.sampler === 'ddim') input.eta = form.eta;
  return input;
}

/**
 * Messages for the fields that are wrong, by field; empty when they may be sent. The checks are
 * the schema's; `timesteps` (the run's T, when known) bounds the steps, as the job does.
 */
export function checkSamplingForm(form: SamplingForm, timesteps?: number): Partial<Record<SamplingField, string>> {
  const problems: Partial<Record<SamplingField, string>> = {};
  for (const field of ['steps', 'eta', 'guidance'] as const) if (form[field] === '') problems[field] = 'Required.';
  const input = samplingInput(form);
  for (const field of Object.keys(input) as SamplingField[]) {
    if (problems[field] !== undefined) continue;
    const parsed = diffusionSamplingShape[field].safeParse(input[field]);
    if (!parsed.success) problems[field] = issueMessage(parsed.error.issues[0] as SchemaIssue);
  }
  if (problems.steps === undefined && timesteps !== undefined && typeof form.steps === 'number' && form.steps > timesteps)
    problems.steps = `At most ${timesteps.toLocaleString('en')} (the run’s T).`;
  return problems;
}

/**
 * The form a diffusion generation's recorded sampling fills (a PNG's settings, a gallery item:
 * "Use settings"); null when there is none (a GAN's generation), so the form keeps its own.
 */
export function samplingFormOf(sampling: GenerationSampling | null | undefined): SamplingForm | null {
  if (!sampling) return null;
  const sampler = (DIFFUSION_SAMPLERS as readonly string[]).includes(sampling.sampler) ? (sampling.sampler as DiffusionSampler) : OPTIONS.sampler.default;
  return { sampler, steps: sampling.steps, eta: sampling.eta, guidance: sampling.guidance };
}

/** The sampling of a generation, in a line: “DDIM 25 steps · η 0 · guidance 3”. */
export function samplingLine(form: Pick<SamplingForm, 'steps' | 'eta' | 'guidance'> & { sampler: string }): string {
  const eta = form.sampler === 'ddim' ? ` · η ${form.eta}` : '';
  return `${form.sampler.toUpperCase()} ${form.steps} steps${eta} · guidance ${form.guidance}`;
}
