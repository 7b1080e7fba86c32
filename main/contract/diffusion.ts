/**
 * The diffusion family's part of the API contract (Lafite2's diffusion model beside the GAN,
 * issue 16): the `diffusion-train` job, trained on the same conditions as `gan-train` (any
 * pseudo-feature method or schedule, captions, semi-supervised, fine-tuning) with the fields
 * both share taken from the gan-train schema and its option table, plus the diffusion options
 * (noise schedule, condition dropout, EMA, the sample grid's sampler, a latent preset's autoencoder
 * phase); and the sampling options
 * `gan-generate` and `gan-eval` take for a diffusion run (DDIM/DDPM steps, η, guidance). One
 * generation job and one evaluation job serve both families: they dispatch on the run's kind.
 *
 * @example
 *   await api.call('jobs.start', { kind: 'diffusion-train', input: { dataset: 'shapes', preset: 'shapes', steps: 2000, condDrop: 0.1 } });
 *   await api.call('jobs.start', { kind: 'gan-generate', input: { run: id, prompt: 'two red circles', steps: 25, sampler: 'ddim', guidance: 3 } });
 */
import { z } from 'zod';
import type { OptionTable } from './options.ts';
import { CLO_OPTIONS, cloOptionsShape } from './pseudo.ts';
export * from './sampling.ts';
import { GAN_TRAIN_OPTIONS, trainingJobSchemas, usesPseudoRun, type TrainResult } from './training.ts';

/** The presets (engine/diffusion/presets.ts): the GAN's names in pixel space, so `--preset` reads the same for both families, and the latent ones (LDM: an autoencoder, then the UNet on its latents). */
export const DIFFUSION_PRESETS = ['tiny', 'shapes', 'shapes64', 'paper', 'tinyLatent', 'latent128', 'latent256'] as const;
export type DiffusionPreset = (typeof DIFFUSION_PRESETS)[number];
/** β schedules: DDPM's linear, or Improved DDPM's cosine. */
export const NOISE_SCHEDULES = ['linear', 'cosine'] as const;

/** The fields `diffusion-train` shares with `gan-train`: the data, the conditions, the loop, fine-tuning. */
const SHARED_FIELDS = [
  'dataset',
  'model',
  'pseudo',
  'pseudoRun',
  'nn',
  'xi',
  'steps',
  'minutes',
  'batchSize',
  'checkpointEvery',
  'sampleEvery',
  'seed',
  'samplePrompts',
  'schedule',
  'captionShare',
  'subset',
  'init',
] as const;
type SharedField = (typeof SHARED_FIELDS)[number];

const pick = <T extends Record<SharedField, unknown>>(from: T): Pick<T, SharedField> =>
  Object.fromEntries(SHARED_FIELDS.map((field) => [field, from[field]])) as Pick<T, SharedField>;

/** The diffusion options of `lafite train --family diffusion`, in the CLI's order. */
export const DIFFUSION_OWN_OPTIONS = {
  preset: {
    flag: '--preset <preset>',
    help: 'network size: tiny 16 px (tests), shapes 32 px (ShapesWorld on a CPU), shapes64 64 px, paper 64 px GPU-sized (the GAN’s names, pixel space); latent space (an autoencoder trained first, the UNet on its 32×32×4 latents): latent128 128 px (f = 4), latent256 256 px (f = 8), tinyLatent 32 px (tests)',
    parse: 'choice',
    choices: DIFFUSION_PRESETS,
    default: 'shapes',
  },
  learningRate: { flag: '--lr <rate>', help: 'Adam learning rate (diffusion default 0.0005)', parse: 'number', default: 0.0005 },
  condDrop: {
    flag: '--cond-drop <p>',
    help: 'diffusion: chance that a sample trains on the null condition (h = 0), for classifier-free guidance',
    parse: 'number',
    default: 0.1,
  },
  ema: { flag: '--ema <decay>', help: 'diffusion: EMA decay of the weights that sample (ramped up over the first steps)', parse: 'number', default: 0.999 },
  noiseSchedule: {
    flag: '--noise-schedule <kind>',
    help: 'diffusion: the β schedule, DDPM’s linear or the cosine one',
    parse: 'choice',
    choices: NOISE_SCHEDULES,
    default: 'cosine',
  },
  timesteps: { flag: '--timesteps <T>', help: 'diffusion: the number of noise levels T', parse: 'integer', default: 1000 },
  sampleSteps: { flag: '--sample-steps <n>', help: 'diffusion: DDIM steps of the sample grids', parse: 'integer', default: 25 },
  sampleGuidance: { flag: '--sample-guidance <s>', help: 'diffusion: classifier-free guidance scale of the sample grids', parse: 'number', default: 3 },
  autoencoderSteps: {
    flag: '--autoencoder-steps <n>',
    help: 'latent presets: steps of the autoencoder phase before the UNet trains (same batch size and checkpoint cadence)',
    parse: 'integer',
    default: 1000,
  },
  autoencoderLr: { flag: '--autoencoder-lr <rate>', help: 'latent presets: Adam learning rate of the autoencoder phase', parse: 'number', default: 0.001 },
} as const satisfies OptionTable;

/** Every option of the `diffusion-train` job: the shared ones (gan-train's entries), its own, and CLO's. */
export const DIFFUSION_TRAIN_JOB_OPTIONS = { ...pick(GAN_TRAIN_OPTIONS), ...DIFFUSION_OWN_OPTIONS, ...CLO_OPTIONS } as const satisfies OptionTable;

const gan = trainingJobSchemas['gan-train'].shape;

export const diffusionJobSchemas = {
  /** Trains Lafite2's diffusion model (a CLIP-conditioned UNet) on a dataset with the GAN's conditions; checkpoints, EMA snapshots and sample grids as it goes. */
  'diffusion-train': z
    .object({
      ...pick(gan),
      ...cloOptionsShape,
      preset: z
        .enum(DIFFUSION_PRESETS)
        .default(DIFFUSION_OWN_OPTIONS.preset.default)
        .describe('network size: tiny 16 px, shapes 32 px, shapes64 64 px, paper 64 px (GPU); latent space: tinyLatent 32 px, latent128 128 px, latent256 256 px'),
      learningRate: z.number().gt(0).max(1).default(DIFFUSION_OWN_OPTIONS.learningRate.default),
      condDrop: z.number().min(0).max(1).default(DIFFUSION_OWN_OPTIONS.condDrop.default).describe('chance of the null condition h = 0 per sample (classifier-free guidance)'),
      ema: z.number().min(0).max(1).default(DIFFUSION_OWN_OPTIONS.ema.default).describe('EMA decay of the weights used for sampling'),
      noiseSchedule: z.enum(NOISE_SCHEDULES).default(DIFFUSION_OWN_OPTIONS.noiseSchedule.default).describe('the β schedule'),
      timesteps: z.number().int().min(10).max(10_000).default(DIFFUSION_OWN_OPTIONS.timesteps.default).describe('noise levels T'),
      sampleSteps: z.number().int().min(1).max(1000).default(DIFFUSION_OWN_OPTIONS.sampleSteps.default).describe('DDIM steps of the sample grids'),
      sampleGuidance: z.number().min(0).max(30).default(DIFFUSION_OWN_OPTIONS.sampleGuidance.default).describe('guidance scale of the sample grids'),
      autoencoderSteps: z.number().int().min(1).max(1_000_000).default(DIFFUSION_OWN_OPTIONS.autoencoderSteps.default).describe('latent presets: steps of the autoencoder phase'),
      autoencoderLr: z.number().gt(0).max(1).default(DIFFUSION_OWN_OPTIONS.autoencoderLr.default).describe('latent presets: Adam learning rate of the autoencoder'),
    })
    .strict()
    .refine((input) => input.schedule === undefined || input.pseudo === 'retrieval' || input.pseudo === 'clo', {
      message: 'a schedule needs --pseudo retrieval or clo',
      path: ['schedule'],
    })
    .refine((input) => (input.pseudo === 'nn') === (input.nn !== undefined), {
      message: '--pseudo nn and --nn NAME go together (a network trained by lafite pseudo train-nn)',
      path: ['nn'],
    })
    .refine((input) => input.pseudoRun === undefined || usesPseudoRun(input), {
      message: 'a pseudo run (--pseudo-run) is trained on with --pseudo retrieval, or --pseudo clo starting from retrieval (--clo-init retrieval)',
      path: ['pseudoRun'],
    })
    .refine((input) => input.sampleSteps <= input.timesteps, { message: '--sample-steps can be at most --timesteps', path: ['sampleSteps'] }),
} as const;

/** A latent run's first stage, as its job reports it. */
export interface AutoencoderSummary {
  parameters: number;
  /** Steps it trained (those of the run it was copied from, when fine-tuning). */
  steps: number;
  /** Mean |x − x̂| per pixel and channel (images in [−1, 1]) of its last step. */
  reconstruction: number;
  /** LDM's scale factor: 1/std of a first batch's latents. */
  scaleFactor: number;
}

/** What a `diffusion-train` job returns: the GAN's figures with the diffusion loss. */
export interface DiffusionTrainResult extends Omit<TrainResult, 'losses'> {
  family: 'diffusion';
  /** The last step's noise-prediction loss (DDPM eq. 14). */
  losses: { loss: number };
  /** UNet parameters. */
  parameters: number;
  /** A latent preset's autoencoder. */
  autoencoder?: AutoencoderSummary;
}
