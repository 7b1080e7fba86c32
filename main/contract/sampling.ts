/**
 * How a diffusion run is sampled (issue 16): the options `gan-generate` and `gan-eval` take
 * for a diffusion run (DDIM or DDPM steps, DDIM's η, the classifier-free guidance scale); a
 * GAN run ignores them. Apart from diffusion.ts so training.ts can spread them in without an
 * import cycle.
 */
import { z } from 'zod';
import type { OptionTable } from './options.ts';

/** Samplers: DDIM (deterministic at η = 0) or DDPM's ancestral sampler. */
export const DIFFUSION_SAMPLERS = ['ddim', 'ddpm'] as const;
export type DiffusionSampler = (typeof DIFFUSION_SAMPLERS)[number];

/** The sampling options of `gan-generate` and `gan-eval` for a diffusion run (a GAN run ignores them). */
export const DIFFUSION_SAMPLING_OPTIONS = {
  steps: { flag: '--steps <n>', help: 'diffusion runs: denoising steps (DDIM; with --sampler ddpm, T for DDPM exactly)', parse: 'integer', default: 50 },
  sampler: { flag: '--sampler <kind>', help: 'diffusion runs: ddim or ddpm (ancestral)', parse: 'choice', choices: DIFFUSION_SAMPLERS, default: 'ddim' },
  eta: { flag: '--eta <η>', help: 'diffusion runs: DDIM’s η (0 deterministic, 1 DDPM-like noise)', parse: 'number', default: 0 },
  guidance: { flag: '--guidance <s>', help: 'diffusion runs: classifier-free guidance scale (1: the conditional model alone)', parse: 'number', default: 3 },
} as const satisfies OptionTable;

/** The sampling fields of `gan-generate` and `gan-eval` (spread into their schemas). */
export const diffusionSamplingShape = {
  steps: z.number().int().min(1).max(10_000).default(DIFFUSION_SAMPLING_OPTIONS.steps.default).describe('diffusion runs: denoising steps (at most the run’s T)'),
  sampler: z.enum(DIFFUSION_SAMPLERS).default(DIFFUSION_SAMPLING_OPTIONS.sampler.default).describe('diffusion runs: DDIM or DDPM ancestral sampling'),
  eta: z.number().min(0).max(1).default(DIFFUSION_SAMPLING_OPTIONS.eta.default).describe('diffusion runs: DDIM’s η'),
  guidance: z.number().min(0).max(30).default(DIFFUSION_SAMPLING_OPTIONS.guidance.default).describe('diffusion runs: classifier-free guidance scale s'),
};

/** How a diffusion generation sampled, as its PNG settings (`sampling`), the gallery and the Playground's history keep it. */
export interface GenerationSampling {
  sampler: string;
  steps: number;
  eta: number;
  guidance: number;
}

/** A diffusion run's generation input's sampling fields, as recorded (a record from before they existed falls back to the defaults). */
export const generationSampling = (input: { steps?: number; sampler?: string; eta?: number; guidance?: number }): GenerationSampling => ({
  sampler: input.sampler ?? DIFFUSION_SAMPLING_OPTIONS.sampler.default,
  steps: input.steps ?? DIFFUSION_SAMPLING_OPTIONS.steps.default,
  eta: input.eta ?? DIFFUSION_SAMPLING_OPTIONS.eta.default,
  guidance: input.guidance ?? DIFFUSION_SAMPLING_OPTIONS.guidance.default,
});
