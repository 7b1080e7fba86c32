/**
 * The training part of the API contract: the `gan-train` job (Lafite's conditional StyleGAN2),
 * the `gan-generate` job, the `runs.*` methods the Training view and the Playground read, and
 * what they return (composed into index.ts).
 */
import { z } from 'zod';
import type { JobStatus } from './job-status.ts';
import { cloOptionsShape } from './pseudo.ts';
import { absolutePath, datasetIdSchema, modelIdSchema, perturbationIdSchema, pseudoRunIdSchema, UNSAFE_TEXT_CHARS } from './schemas.ts';

/** Where the conditions h of the training images come from: Lafite_G, Lafite_NN, Lafite2 retrieval and CLO, or real captions. */
export const TRAIN_CONDITIONS = ['gaussian', 'nn', 'retrieval', 'clo', 'captions'] as const;
export type TrainCondition = (typeof TRAIN_CONDITIONS)[number];

/** What a `gan-train` job returns (and reports per step as metrics). */
export interface TrainResult {
  /** The step the run reached (below the asked steps when a time budget, `minutes`, ended it). */
  steps: number;
  images: number;
  backend: string;
  seconds: number;
  imagesPerSecond: number;
  /** The last losses. */
  losses: { dLoss: number; gLoss: number; conDReal: number; conDFake: number; conG: number };
  /** Folder with the checkpoint and the sample grids. */
  folder: string;
  /** The stored pseudo-feature run it trained on (retrieval, or CLO from retrieval); null for the others. */
  pseudoRun: string | null;
}

/** A run's job id (a UUID), or a built-in run's name such as `shapes-pretrained`. */
const jobIdSchema = z.string().regex(/^[0-9a-z-]{8,64}$/, 'a job id');

/** When retrieval features come in (Lafite2 §3.3): the share of samples on them, the rest on Gaussian features (engine/pseudo/schedule.ts). */
export const pseudoScheduleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('linear'),
      startStep: z.number().int().min(0),
      endStep: z.number().int().min(1),
      finalShare: z.number().min(0).max(1).optional(),
    })
    .strict()
    .refine((s) => s.endStep > s.startStep, { message: 'endStep must be after startStep', path: ['endStep'] }),
  z
    .object({
      kind: z.literal('steps'),
      points: z
        .array(z.object({ atStep: z.number().int().min(0), share: z.number().min(0).max(1) }).strict())
        .min(1)
        .max(100)
        .refine((points) => points.every((p, i) => i === 0 || p.atStep > points[i - 1]!.atStep), { message: 'steps must increase' }),
    })
    .strict(),
]);

export type PseudoSchedule = z.output<typeof pseudoScheduleSchema>;

/** Which of a dataset's images a run trains on: all, the training split, or the few-shot pairs (`lafite dataset split | fewshot`). */
export const TRAIN_SUBSETS = ['all', 'train', 'fewshot'] as const;
export type TrainSubset = (typeof TRAIN_SUBSETS)[number];

/** The longest prompt the API takes (the CLI's prompt files are checked against it line by line). */
export const MAX_PROMPT_CHARS = 1000;
// Prompts are printed in the CLI, the Runs view and the reports: refuse what would print as something else (schemas.ts UNSAFE_TEXT_CHARS).
const promptSchema = z
  .string()
  .trim()
  .min(1, 'an empty prompt')
  .max(MAX_PROMPT_CHARS, `a prompt of at most ${MAX_PROMPT_CHARS} characters`)
  .refine((text) => !UNSAFE_TEXT_CHARS.test(text), 'no control characters (NUL, escape, …) or direction overrides in a prompt');
/** The most prompts an evaluation takes (as many as it may generate images). */
export const MAX_EVAL_PROMPTS = 50_000;

/** Whether the pseudo run a training input names fits its conditions (retrieval, or CLO starting from retrieval). */
export const usesPseudoRun = (input: { pseudo: TrainCondition; cloInit: string }): boolean => input.pseudo === 'retrieval' || (input.pseudo === 'clo' && input.cloInit === 'retrieval');

export const trainingJobSchemas = {
  /** Trains the text-to-image generator on a dataset, language-free or with captions; checkpoints and sample grids as it goes. */
  'gan-train': z
    .object({
      dataset: datasetIdSchema.describe('the dataset to train on'),
      model: modelIdSchema.default('shapes-clip').describe('the CLIP encoder of the conditions (and of ConG)'),
      preset: z.enum(['tiny', 'shapes', 'shapes64', 'paper']).default('shapes').describe('network size: tiny 16 px, shapes 32 px, shapes64 64 px, paper 256 px'),
      pseudo: z.enum(TRAIN_CONDITIONS).default('gaussian').describe('conditions: pseudo text features (gaussian, nn, retrieval, clo) or real captions'),
      pseudoRun: pseudoRunIdSchema.optional().describe('with retrieval or clo: the stored retrieval run of this dataset to train on (default: the newest complete one of the model); the run records which'),
      nn: perturbationIdSchema.optional().describe('with nn: the trained perturbation network (lafite pseudo train-nn), fresh noise every batch'),
      ...cloOptionsShape,
      xi: z.number().min(0).max(100).default(3).describe('Gaussian noise level ξ (paper form)'),
      steps: z.number().int().min(1).max(10_000_000).default(2000),
      minutes: z.number().gt(0).max(1_000_000).optional().describe('time budget of this attempt: stop at the first step past it, with a checkpoint and a sample grid, even before `steps`'),
      batchSize: z.number().int().min(2).max(256).default(8),
      accumulate: z.number().int().min(1).max(256).default(1).describe('gradient accumulation: each step runs the batch in this many micro-batches, their gradients summed (less GPU memory for the same batch; contrastive negatives within a micro-batch)'),
      learningRate: z.number().gt(0).max(1).default(0.0025),
      conG: z.boolean().default(true).describe('ConG through the CLIP image tower (eq. 7)'),
      checkpointEvery: z.number().int().min(1).max(1_000_000).default(100),
      sampleEvery: z.number().int().min(1).max(1_000_000).default(100),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      samplePrompts: z.array(promptSchema).max(16).optional().describe('prompts of the sample grids (default: the conditions of the first 8 training images)'),
      schedule: pseudoScheduleSchema.optional().describe('with retrieval or clo: the share of samples on those features over the steps, the rest Gaussian'),
      captionShare: z.number().min(0).max(1).default(0).describe('semi-supervised: the chance that a captioned image is conditioned on its caption'),
      subset: z.enum(TRAIN_SUBSETS).default('all').describe('the images to train on'),
      init: jobIdSchema.optional().describe('fine-tune: start from this run’s networks (same preset and encoder)'),
      freezeD: z.number().int().min(0).max(16).default(0).describe('Freeze-D: discriminator blocks left untrained, from the input side'),
      styleMixing: z.number().min(0).max(1).default(0.9).describe('style mixing probability (StyleGAN2; 0.9 in Lafite’s configuration)'),
      plWeight: z.number().min(0).max(100).default(2).describe('path-length regularisation weight (StyleGAN2, lazy every 4 steps; 0: off)'),
      contrastiveForm: z.enum(['paper', 'official']).default('paper').describe('ConD/ConG: the paper’s softmax of Sim/τ, or the official code’s softmax of exp(Sim/τ)'),
      semanticForm: z.enum(['paper', 'official']).default('paper').describe('D(x, h): ⟨h, f_s(x)⟩ per sample (paper), or summed over the batch (official code)'),
      condition: z.enum(['paper', 'official']).optional().describe('how h enters each style: the paper’s u = A′([A(w), c]) or the official u = A([w, c]) (default: the preset’s, the paper’s)'),
    })
    .strict()
    .refine((input) => input.schedule === undefined || input.pseudo === 'retrieval' || input.pseudo === 'clo', { message: 'a schedule needs --pseudo retrieval or clo', path: ['schedule'] })
    .refine((input) => input.accumulate * 2 <= input.batchSize, { message: '--accumulate splits a batch into micro-batches of 2 images at least: it can be at most half --batch-size', path: ['accumulate'] })
    .refine((input) => (input.pseudo === 'nn') === (input.nn !== undefined), { message: '--pseudo nn and --nn NAME go together (a network trained by lafite pseudo train-nn)', path: ['nn'] })
    .refine((input) => input.pseudoRun === undefined || usesPseudoRun(input), {
      message: 'a pseudo run (--pseudo-run) is trained on with --pseudo retrieval, or --pseudo clo starting from retrieval (--clo-init retrieval)',
      path: ['pseudoRun'],
    }),
  /** Draws images from a trained run for a prompt (G_ema, Lafite's inference: h = n(f_txt(prompt))). */
  'gan-generate': z
    .object({
      run: jobIdSchema.describe('the gan-train job whose checkpoint to use'),
      step: z.number().int().min(1).optional().describe('a past checkpoint’s generator (default: the latest)'),
      prompt: promptSchema.optional(),
      image: absolutePath.optional().describe('an image whose feature is mixed with the prompt’s (Lafite Figure 6)'),
      mix: z.number().min(0).max(1).default(0.5).describe('with an image: its share, h = n((1 − mix)·f_txt + mix·f_img)'),
      n: z.number().int().min(1).max(64).default(4),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      truncation: z.number().min(0).max(2).default(1),
      out: absolutePath.optional().describe('folder for the PNGs (default: the run’s generated/<job> folder)'),
    })
    .strict()
    .refine((input) => input.prompt !== undefined || input.image !== undefined, { message: 'give a prompt, an image, or both', path: ['prompt'] }),
  /** Measures a run's generator at a step: Fréchet distance of CLIP image features, CLIP score, R-precision, ShapesWorld attribute accuracy. */
  'gan-eval': z
    .object({
      run: jobIdSchema.describe('the gan-train job to measure'),
      step: z.number().int().min(1).optional().describe('the step of a kept generator (default: the latest)'),
      n: z
        .number()
        .int()
        .min(10)
        .max(50_000)
        .default(500)
        .describe('images to generate: one per prompt drawn from the dataset’s captions (validation split first); with `prompts`, each prompt ⌈n / prompts⌉ times, in order'),
      prompts: z.array(promptSchema).min(1, 'no prompts').max(MAX_EVAL_PROMPTS).optional().describe('evaluate on these prompts instead of the dataset’s captions (lafite eval --prompts FILE reads them)'),
      promptFile: z.string().min(1).max(4096).optional().describe('where `prompts` came from (a label kept with the evaluation)'),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      truncation: z.number().min(0).max(2).default(1),
      batchSize: z.number().int().min(1).max(256).default(32),
      inception: absolutePath
        .optional()
        .describe('Inception-v3 ONNX file (pool3 [N, 2048], optional logits) for FID, FID-k and the Inception Score (default: DATA/models/inception/inception-v3.onnx when installed; without one, no Inception figures)'),
      blur: z
        .array(z.number().int().min(1).max(32))
        .max(32)
        .default([])
        .describe('FID-k: blur radii k (σ = k pixels at the generator’s resolution), FID measured on both image sets blurred (Lafite §4); needs Inception'),
    })
    .strict()
    .refine((input) => input.promptFile === undefined || input.prompts !== undefined, { message: 'a prompt file name without its prompts', path: ['promptFile'] }),
} as const;

/** The figures of one evaluation (names absent when they could not be measured). */
export interface EvalMetrics {
  /** Fréchet distance between CLIP image features of generated and real images (FID's formula, CLIP's features). */
  fdClip: number;
  /** Mean 100·max(cos(image, prompt), 0) (CLIPScore, w = 100). */
  clipScore: number;
  /** Share of images whose prompt ranks first among 100 (needs 100 prompts or more). */
  rPrecision?: number;
  /** ShapesWorld: the asked shape, color, count, and all three, by the project's attribute classifier. */
  shapeAccuracy?: number;
  colorAccuracy?: number;
  countAccuracy?: number;
  attributeAccuracy?: number;
  /** FID: Fréchet distance between Inception-v3 pool3 features of generated and real images (with an Inception model installed or given). */
  fid?: number;
  /** FID-k (Lafite §4, Table 3): `fid1`, `fid2`, `fid4`, …, one per asked blur radius k, both image sets blurred (σ = k px) before Inception. */
  [blurred: `fid${number}`]: number | undefined;
  /** Inception Score (Salimans et al. 2016) of the generated images: mean and standard deviation over 10 splits (a model with logits). */
  inceptionScore?: number;
  inceptionScoreStd?: number;
}

/** What a `gan-eval` job returns, and one row of `runs.evaluations`. */
export interface EvaluationRecord {
  id: string;
  run: string;
  step: number;
  images: number;
  /** The prompt list it was measured on (`lafite eval --prompts FILE`): the file and how many prompts; null: the dataset's captions. */
  prompts: { file: string | null; count: number } | null;
  metrics: EvalMetrics & Record<string, number>;
  createdAt: string;
}

/** One training run (a `gan-train` job) as the Training view lists it. */
export interface RunSummary {
  id: string;
  status: JobStatus;
  dataset: string;
  /** The CLIP encoder of its conditions (a fine-tune must use the same). */
  model: string;
  preset: string;
  pseudo: TrainCondition;
  /** Steps asked for, and the last step with recorded losses. */
  steps: number;
  step: number;
  /** Of the latest attempt; null before the run has started. */
  backend: string | null;
  device: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** The losses and images/s of the last recorded step. */
  last: Record<string, number> | null;
  /** Sample grids written so far. */
  samples: number;
  hasCheckpoint: boolean;
  /** The run it was fine-tuned from. */
  init: string | null;
  /** The stored pseudo-feature run its conditions come from (retrieval, or CLO from retrieval); null for the others. */
  pseudoRun: string | null;
  /** With nn conditions: the perturbation network. */
  nn: string | null;
}

export interface RunDetail extends RunSummary {
  /** The whole configuration, as validated (the job's input). */
  config: Record<string, unknown>;
  gParams: number | null;
  dParams: number | null;
  images: number | null;
  attempts: { backend: string; device: string | null; fromStep: number; at: string }[];
  /** Losses per step (averaged over groups of steps beyond `maxPoints`). */
  metrics: { step: number; metrics: Record<string, number> }[];
  /** Steps that have a sample grid. */
  sampleSteps: number[];
  /** Steps whose generator average is kept (one per checkpoint): generation and evaluation can use any of them. */
  snapshotSteps: number[];
  /** What each column of the sample grids shows (a prompt, or a training image's file). */
  sampleLabels: string[];
  progress: { message: string; etaMs?: number } | null;
  error: { code: string; message: string } | null;
}

/** One sample grid: columns are conditions, rows are seeds. */
export interface RunSample {
  step: number;
  /** PNG, base64. */
  png: string;
  labels: string[];
}

/** One generation (a `gan-generate` job) of a run, as the Playground's history shows it. */
export interface GenerationRecord {
  id: string;
  run: string;
  status: JobStatus;
  prompt: string | null;
  image: string | null;
  mix: number;
  n: number;
  seed: number;
  truncation: number;
  createdAt: string;
  error: { code: string; message: string } | null;
}

/** What a `gan-generate` job returns. */
export interface GenerateResult {
  run: string;
  prompt: string | null;
  files: string[];
  /** Milliseconds per image, generation only (no encoding, no PNG writing). */
  msPerImage: number;
}

export const trainingMethodSchemas = {
  'runs.list': z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  'runs.get': z.object({ id: jobIdSchema, maxPoints: z.number().int().min(10).max(100_000).default(1000) }).strict(),
  'runs.sample': z.object({ id: jobIdSchema, step: z.number().int().min(1) }).strict(),
  'runs.generations': z.object({ id: jobIdSchema, limit: z.number().int().min(1).max(1000).default(50) }).strict(),
  /** The images of a finished generation, as PNGs in base64. */
  'runs.generated': z.object({ id: jobIdSchema }).strict(),
  /** Evaluations (gan-eval results) of one run, or of every run, by step. */
  'runs.evaluations': z.object({ id: jobIdSchema.optional() }).strict(),
} as const;

export interface TrainingOutputs {
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  'runs.sample': RunSample;
  'runs.generations': GenerationRecord[];
  'runs.generated': { id: string; images: { name: string; png: string }[] };
  'runs.evaluations': EvaluationRecord[];
}
