/**
 * The training part of the API contract: the `gan-train` job (Lafite's conditional StyleGAN2)
 * and what it returns (composed into ../contract.ts). Generation is the `gan-generate` job.
 */
import { z } from 'zod';
import { absolutePath, datasetIdSchema, modelIdSchema } from './schemas.ts';

/** Where the conditions h of the training images come from. */
export const TRAIN_CONDITIONS = ['gaussian', 'retrieval', 'clo', 'captions'] as const;
export type TrainCondition = (typeof TRAIN_CONDITIONS)[number];

/** What a `gan-train` job returns (and reports per step as metrics). */
export interface TrainResult {
  steps: number;
  images: number;
  backend: string;
  seconds: number;
  imagesPerSecond: number;
  /** The last losses. */
  losses: { dLoss: number; gLoss: number; conDReal: number; conDFake: number; conG: number };
  /** Folder with the checkpoint and the sample grids. */
  folder: string;
}

const jobIdSchema = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a job id');

export const trainingJobSchemas = {
  /** Trains the text-to-image generator on a dataset, language-free or with captions; checkpoints and sample grids as it goes. */
  'gan-train': z
    .object({
      dataset: datasetIdSchema.describe('the dataset to train on'),
      model: modelIdSchema.default('shapes-clip').describe('the CLIP encoder of the conditions (and of ConG)'),
      preset: z.enum(['tiny', 'shapes', 'paper']).default('shapes').describe('network size: tiny 16 px, shapes 32 px, paper 256 px'),
      pseudo: z.enum(TRAIN_CONDITIONS).default('gaussian').describe('conditions: pseudo text features (gaussian, retrieval, clo) or real captions'),
      xi: z.number().min(0).max(100).default(3).describe('Gaussian noise level ξ (paper form)'),
      steps: z.number().int().min(1).max(10_000_000).default(2000),
      batchSize: z.number().int().min(2).max(256).default(8),
      learningRate: z.number().gt(0).max(1).default(0.0025),
      conG: z.boolean().default(true).describe('ConG through the CLIP image tower (eq. 7)'),
      checkpointEvery: z.number().int().min(1).max(1_000_000).default(100),
      sampleEvery: z.number().int().min(1).max(1_000_000).default(100),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
    })
    .strict(),
  /** Draws images from a trained run for a prompt (G_ema, Lafite's inference: h = n(f_txt(prompt))). */
  'gan-generate': z
    .object({
      run: jobIdSchema.describe('the gan-train job whose checkpoint to use'),
      prompt: z.string().trim().min(1, 'an empty prompt').max(1000, 'a prompt of at most 1000 characters'),
      n: z.number().int().min(1).max(64).default(4),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      truncation: z.number().min(0).max(2).default(1),
      out: absolutePath.describe('folder for the PNGs'),
    })
    .strict(),
} as const;
