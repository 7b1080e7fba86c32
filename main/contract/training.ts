/**
 * The training part of the API contract: the `gan-train` job (Lafite's conditional StyleGAN2),
 * the `gan-generate` job, the `runs.*` methods the Training view and the Playground read, and
 * what they return (composed into index.ts).
 */
import { z } from 'zod';
import type { JobStatus } from './job-status.ts';
import type { OptionTable } from './options.ts';
import { CLO_OPTIONS, cloOptionsShape } from './pseudo.ts';
import { DIFFUSION_SAMPLING_OPTIONS, diffusionSamplingShape, type GenerationSampling } from './sampling.ts';
import { absolutePath, datasetIdSchema, jobRefSchema, modelIdSchema, perturbationIdSchema, pseudoRunIdSchema, runNameSchema, UNSAFE_TEXT_CHARS } from './schemas.ts';

/** Where the conditions h of the training images come from: Lafite_G, Lafite_NN, Lafite2 retrieval and CLO, or real captions. */
export const TRAIN_CONDITIONS = ['gaussian', 'nn', 'retrieval', 'clo', 'captions'] as const;
export type TrainCondition = (typeof TRAIN_CONDITIONS)[number];

/** The model families a run trains (issue 16): Lafite's conditional StyleGAN2 (`gan-train`) or Lafite2's diffusion model (`diffusion-train`). */
export const TRAIN_FAMILIES = ['gan', 'diffusion'] as const;
export type TrainFamily = (typeof TRAIN_FAMILIES)[number];

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

/** A run's job id (a UUID), a built-in run's name such as `shapes-pretrained`, a unique prefix, or its name (api/ids.ts resolves it). */
const jobIdSchema = jobRefSchema;

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

/** The generator's network presets (engine/gan/presets.ts). */
export const GAN_PRESETS = ['tiny', 'shapes', 'shapes64', 'paper'] as const;
/** The paper's form of a formula, or the official code's. */
const PAPER_OR_OFFICIAL = ['paper', 'official'] as const;

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
export const usesPseudoRun = (input: { pseudo: TrainCondition; cloInit: string }): boolean =>
  input.pseudo === 'retrieval' || (input.pseudo === 'clo' && input.cloInit === 'retrieval');

/** The `gan-train` job's options, in the CLI's order (its CLO options are CLO_OPTIONS'; GAN_TRAIN_JOB_OPTIONS has both). */
export const GAN_TRAIN_OPTIONS = {
  dataset: { flag: '--dataset <name>', help: 'the dataset', parse: 'text' },
  model: { flag: '--model <id>', help: 'CLIP encoder of the conditions and of ConG', parse: 'text', default: 'shapes-clip' },
  preset: {
    flag: '--preset <preset>',
    help: 'network size: tiny 16 px (tests), shapes 32 px (ShapesWorld on a CPU), shapes64 64 px (ShapesWorld, shapes large enough to tell apart; about half the speed), paper 256 px (GPU)',
    parse: 'choice',
    choices: GAN_PRESETS,
    default: 'shapes',
  },
  pseudo: {
    flag: '--pseudo <method>',
    help: 'conditions: pseudo text features (gaussian, nn, retrieval, clo) or real captions',
    parse: 'choice',
    choices: TRAIN_CONDITIONS,
    default: 'gaussian',
  },
  pseudoRun: {
    flag: '--pseudo-run <id>',
    help: 'with --pseudo retrieval or clo: the retrieval run of this dataset to train on (lafite pseudo stats lists them; default: the newest); each step draws one of an image’s top-m prompts',
    parse: 'text',
  },
  nn: { flag: '--nn <name>', help: 'with --pseudo nn: the trained perturbation network (lafite pseudo train-nn), fresh noise every batch', parse: 'text' },
  xi: { flag: '--xi <ξ>', help: 'Gaussian noise level', parse: 'number', default: 3 },
  steps: { flag: '--steps <n>', help: 'training steps', parse: 'integer', default: 2000 },
  minutes: { flag: '--minutes <m>', help: 'time budget: stop after this many minutes (with a checkpoint), even before --steps', parse: 'number' },
  batchSize: { flag: '--batch-size <n>', help: 'images per step', parse: 'integer', default: 8 },
  accumulate: {
    flag: '--accumulate <n>',
    help: 'gradient accumulation: run each step’s batch in n micro-batches, their gradients summed (less GPU memory for the same batch; docs/BENCHMARKS.md has the memory plan)',
    parse: 'integer',
    default: 1,
  },
  recompute: {
    flag: '--recompute',
    help: 'gradient checkpointing: keep only each block’s input and recompute the rest in the backward pass (a fraction of the activation memory for about one more forward pass; docs/BENCHMARKS.md has the memory plan)',
    parse: 'switch',
    default: false,
  },
  learningRate: { flag: '--lr <rate>', help: 'Adam learning rate', parse: 'number', default: 0.0025 },
  conG: { flag: '--no-con-g', help: 'leave out ConG (the CLIP image tower on generated images)', parse: 'negate', default: true },
  checkpointEvery: { flag: '--checkpoint-every <n>', help: 'steps between checkpoints', parse: 'integer', default: 100 },
  sampleEvery: { flag: '--sample-every <n>', help: 'steps between sample grids', parse: 'integer', default: 100 },
  seed: { flag: '--seed <n>', help: 'seed', parse: 'integer', default: 0 },
  samplePrompts: { flag: '--sample-prompt <text>', help: 'a prompt of the sample grids (repeat for more; default: the conditions of 8 training images)', parse: 'repeat' },
  schedule: {
    flag: '--schedule <spec>',
    help: 'with --pseudo retrieval or clo: bring them in over the steps, Gaussian before (linear:START:END[:FINAL] or steps:STEP=SHARE,…)',
    parse: 'custom',
  },
  captionShare: { flag: '--caption-share <p>', help: 'semi-supervised: the chance that a captioned image is conditioned on its caption', parse: 'number', default: 0 },
  subset: { flag: '--subset <subset>', help: 'the images to train on: all, the training split, or the few-shot pairs', parse: 'choice', choices: TRAIN_SUBSETS, default: 'all' },
  init: { flag: '--init <run>', help: 'fine-tune: start from this run’s networks (same preset and model)', parse: 'text' },
  freezeD: { flag: '--freeze-d <k>', help: 'Freeze-D: leave the first k discriminator blocks untrained', parse: 'integer', default: 0 },
  styleMixing: { flag: '--style-mixing <p>', help: 'style mixing probability (StyleGAN2; Lafite’s configuration: 0.9)', parse: 'number', default: 0.9 },
  plWeight: { flag: '--pl-weight <w>', help: 'path-length regularisation weight, lazily every 4 steps (StyleGAN2: 2; 0 turns it off)', parse: 'number', default: 2 },
  modeSeeking: {
    flag: '--mode-seeking <λ>',
    help: 'weight of the mode-seeking term (MSGAN): different seeds draw different pictures of a prompt (0: off, as Lafite)',
    parse: 'number',
    default: 0,
  },
  contrastiveForm: {
    flag: '--contrastive-form <form>',
    help: 'ConD/ConG as the paper writes them, or the official code’s double exponential',
    parse: 'choice',
    choices: PAPER_OR_OFFICIAL,
    default: 'paper',
  },
  semanticForm: {
    flag: '--semantic-form <form>',
    help: 'D’s text term ⟨h, f_s(x)⟩ per sample (paper) or summed over the batch (official code)',
    parse: 'choice',
    choices: PAPER_OR_OFFICIAL,
    default: 'paper',
  },
  condition: {
    flag: '--condition <form>',
    help: 'how h enters each style: the paper’s u = A′([A(w), c]) or the official u = A([w, c])',
    parse: 'choice',
    choices: PAPER_OR_OFFICIAL,
  },
} as const satisfies OptionTable;

/** Every option of the `gan-train` job: its own and CLO's. */
export const GAN_TRAIN_JOB_OPTIONS = { ...GAN_TRAIN_OPTIONS, ...CLO_OPTIONS } as const satisfies OptionTable;

/** The `gan-eval` job's options, in the CLI's order. */
export const GAN_EVAL_OPTIONS = {
  run: { flag: '--run <id>', help: 'the training run', parse: 'text', required: true },
  step: { flag: '--step <n>', help: 'a kept step (lafite runs show RUN; default: the latest)', parse: 'integer' },
  n: {
    flag: '--n <n>',
    help: 'images: one per prompt drawn from the dataset’s captions (validation split first); with --prompts each prompt ⌈n / prompts⌉ times',
    parse: 'integer',
    default: 500,
  },
  prompts: { flag: '--prompts <file>', help: 'evaluate on these prompts (one a line; blank lines ignored) instead of the dataset’s captions', parse: 'file' },
  seed: { flag: '--seed <n>', help: 'seed of the prompts, z and the noise', parse: 'integer', default: 0 },
  truncation: { flag: '--truncation <ψ>', help: 'truncation ψ (1: none)', parse: 'number', default: 1 },
  batchSize: { flag: '--batch-size <n>', help: 'images per generator call', parse: 'integer', default: 32 },
  inception: {
    flag: '--inception <file>',
    help: 'Inception-v3 ONNX file for FID and the Inception Score (default: DATA/models/inception/inception-v3.onnx when installed)',
    parse: 'path',
  },
  blur: { flag: '--blur <list>', help: 'FID-k: blur radii in pixels, e.g. 1,2,4,8 (needs Inception)', parse: 'custom', default: [], cliDefault: false },
  ...DIFFUSION_SAMPLING_OPTIONS,
} as const satisfies OptionTable;

/** The `gan-generate` job's options, in the CLI's order. */
export const GAN_GENERATE_OPTIONS = {
  run: { flag: '--run <id>', help: 'the training run (its job id: lafite jobs list)', parse: 'text', required: true },
  prompt: { flag: '--prompt <text>', help: 'what to draw', parse: 'text' },
  image: { flag: '--image <file>', help: 'an image to mix with the prompt (Lafite Figure 6), or to draw alone', parse: 'path' },
  mix: { flag: '--mix <share>', help: 'with --image: its share of the condition, 0 (prompt only) to 1 (image only)', parse: 'number', default: 0.5 },
  step: { flag: '--step <n>', help: 'a past checkpoint’s generator (lafite runs show RUN lists them; default: the latest)', parse: 'integer' },
  n: { flag: '--n <n>', help: 'how many images', parse: 'integer', default: 4 },
  seed: { flag: '--seed <n>', help: 'seed of z and the noise', parse: 'integer', default: 0 },
  truncation: { flag: '--truncation <ψ>', help: 'truncation ψ (1: none)', parse: 'number', default: 1 },
  out: { flag: '--out <dir>', help: 'folder for the PNGs (default: the run’s generated/ folder in the data folder)', parse: 'path' },
  ...DIFFUSION_SAMPLING_OPTIONS,
} as const satisfies OptionTable;

export const trainingJobSchemas = {
  /** Trains the text-to-image generator on a dataset, language-free or with captions; checkpoints and sample grids as it goes. */
  'gan-train': z
    .object({
      dataset: datasetIdSchema.describe('the dataset to train on'),
      model: modelIdSchema.default(GAN_TRAIN_OPTIONS.model.default).describe('the CLIP encoder of the conditions (and of ConG)'),
      preset: z.enum(GAN_PRESETS).default(GAN_TRAIN_OPTIONS.preset.default).describe('network size: tiny 16 px, shapes 32 px, shapes64 64 px, paper 256 px'),
      pseudo: z.enum(TRAIN_CONDITIONS).default(GAN_TRAIN_OPTIONS.pseudo.default).describe('conditions: pseudo text features (gaussian, nn, retrieval, clo) or real captions'),
      pseudoRun: pseudoRunIdSchema
        .optional()
        .describe('with retrieval or clo: the stored retrieval run of this dataset to train on (default: the newest complete one of the model); the run records which'),
      nn: perturbationIdSchema.optional().describe('with nn: the trained perturbation network (lafite pseudo train-nn), fresh noise every batch'),
      ...cloOptionsShape,
      xi: z.number().min(0).max(100).default(GAN_TRAIN_OPTIONS.xi.default).describe('Gaussian noise level ξ (paper form)'),
      steps: z.number().int().min(1).max(10_000_000).default(GAN_TRAIN_OPTIONS.steps.default),
      minutes: z
        .number()
        .gt(0)
        .max(1_000_000)
        .optional()
        .describe('time budget of this attempt: stop at the first step past it, with a checkpoint and a sample grid, even before `steps`'),
      batchSize: z.number().int().min(2).max(256).default(GAN_TRAIN_OPTIONS.batchSize.default),
      accumulate: z
        .number()
        .int()
        .min(1)
        .max(256)
        .default(GAN_TRAIN_OPTIONS.accumulate.default)
        .describe(
          'gradient accumulation: each step runs the batch in this many micro-batches, their gradients summed (less GPU memory for the same batch; contrastive negatives within a micro-batch)',
        ),
      recompute: z
        .boolean()
        .default(GAN_TRAIN_OPTIONS.recompute.default)
        .describe('gradient checkpointing: G’s and D’s blocks keep only their inputs and are recomputed in the backward pass (same losses and weights, less memory)'),
      learningRate: z.number().gt(0).max(1).default(GAN_TRAIN_OPTIONS.learningRate.default),
      conG: z.boolean().default(GAN_TRAIN_OPTIONS.conG.default).describe('ConG through the CLIP image tower (eq. 7)'),
      checkpointEvery: z.number().int().min(1).max(1_000_000).default(GAN_TRAIN_OPTIONS.checkpointEvery.default),
      sampleEvery: z.number().int().min(1).max(1_000_000).default(GAN_TRAIN_OPTIONS.sampleEvery.default),
      seed: z.number().int().min(0).max(0xffffffff).default(GAN_TRAIN_OPTIONS.seed.default),
      samplePrompts: z.array(promptSchema).max(16).optional().describe('prompts of the sample grids (default: the conditions of the first 8 training images)'),
      schedule: pseudoScheduleSchema.optional().describe('with retrieval or clo: the share of samples on those features over the steps, the rest Gaussian'),
      captionShare: z
        .number()
        .min(0)
        .max(1)
        .default(GAN_TRAIN_OPTIONS.captionShare.default)
        .describe('semi-supervised: the chance that a captioned image is conditioned on its caption'),
      subset: z.enum(TRAIN_SUBSETS).default(GAN_TRAIN_OPTIONS.subset.default).describe('the images to train on'),
      init: jobIdSchema.optional().describe('fine-tune: start from this run’s networks (same preset and encoder)'),
      freezeD: z.number().int().min(0).max(16).default(GAN_TRAIN_OPTIONS.freezeD.default).describe('Freeze-D: discriminator blocks left untrained, from the input side'),
      styleMixing: z.number().min(0).max(1).default(GAN_TRAIN_OPTIONS.styleMixing.default).describe('style mixing probability (StyleGAN2; 0.9 in Lafite’s configuration)'),
      plWeight: z.number().min(0).max(100).default(GAN_TRAIN_OPTIONS.plWeight.default).describe('path-length regularisation weight (StyleGAN2, lazy every 4 steps; 0: off)'),
      modeSeeking: z.number().min(0).max(100).default(GAN_TRAIN_OPTIONS.modeSeeking.default).describe('mode-seeking term weight (MSGAN: variety across seeds; 0: off)'),
      contrastiveForm: z
        .enum(PAPER_OR_OFFICIAL)
        .default(GAN_TRAIN_OPTIONS.contrastiveForm.default)
        .describe('ConD/ConG: the paper’s softmax of Sim/τ, or the official code’s softmax of exp(Sim/τ)'),
      semanticForm: z
        .enum(PAPER_OR_OFFICIAL)
        .default(GAN_TRAIN_OPTIONS.semanticForm.default)
        .describe('D(x, h): ⟨h, f_s(x)⟩ per sample (paper), or summed over the batch (official code)'),
      condition: z
        .enum(PAPER_OR_OFFICIAL)
        .optional()
        .describe('how h enters each style: the paper’s u = A′([A(w), c]) or the official u = A([w, c]) (default: the preset’s, the paper’s)'),
    })
    .strict()
    .refine((input) => input.schedule === undefined || input.pseudo === 'retrieval' || input.pseudo === 'clo', {
      message: 'a schedule needs --pseudo retrieval or clo',
      path: ['schedule'],
    })
    .refine((input) => input.accumulate * 2 <= input.batchSize, {
      message: '--accumulate splits a batch into micro-batches of 2 images at least: it can be at most half --batch-size',
      path: ['accumulate'],
    })
    .refine((input) => (input.pseudo === 'nn') === (input.nn !== undefined), {
      message: '--pseudo nn and --nn NAME go together (a network trained by lafite pseudo train-nn)',
      path: ['nn'],
    })
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
      mix: z.number().min(0).max(1).default(GAN_GENERATE_OPTIONS.mix.default).describe('with an image: its share, h = n((1 − mix)·f_txt + mix·f_img)'),
      n: z.number().int().min(1).max(64).default(GAN_GENERATE_OPTIONS.n.default),
      seed: z.number().int().min(0).max(0xffffffff).default(GAN_GENERATE_OPTIONS.seed.default),
      truncation: z.number().min(0).max(2).default(GAN_GENERATE_OPTIONS.truncation.default),
      out: absolutePath.optional().describe('folder for the PNGs (default: the run’s generated/<job> folder)'),
      ...diffusionSamplingShape,
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
        .default(GAN_EVAL_OPTIONS.n.default)
        .describe('images to generate: one per prompt drawn from the dataset’s captions (validation split first); with `prompts`, each prompt ⌈n / prompts⌉ times, in order'),
      prompts: z
        .array(promptSchema)
        .min(1, 'no prompts')
        .max(MAX_EVAL_PROMPTS)
        .optional()
        .describe('evaluate on these prompts instead of the dataset’s captions (lafite eval --prompts FILE reads them)'),
      promptFile: z.string().min(1).max(4096).optional().describe('where `prompts` came from (a label kept with the evaluation)'),
      seed: z.number().int().min(0).max(0xffffffff).default(GAN_EVAL_OPTIONS.seed.default),
      truncation: z.number().min(0).max(2).default(GAN_EVAL_OPTIONS.truncation.default),
      batchSize: z.number().int().min(1).max(256).default(GAN_EVAL_OPTIONS.batchSize.default),
      ...diffusionSamplingShape,
      inception: absolutePath
        .optional()
        .describe(
          'Inception-v3 ONNX file (pool3 [N, 2048], optional logits) for FID, FID-k and the Inception Score (default: DATA/models/inception/inception-v3.onnx when installed; without one, no Inception figures)',
        ),
      blur: z
        .array(z.number().int().min(1).max(32))
        .max(32)
        .default(() => [...GAN_EVAL_OPTIONS.blur.default])
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
  /** Which model it trains: `gan` (a gan-train job) or `diffusion` (a diffusion-train job). */
  family: TrainFamily;
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
  /** The name a user gave it (`lafite runs rename`), usable wherever its id is. */
  name?: string | null;
  /** Its time budget in minutes (`--minutes`): it stops there, long before `steps`. */
  minutes?: number | null;
  /** Whether Resume can work: stopped, and either past its first checkpoint or stopped for a reason a resume can get past. */
  resumable?: boolean;
  /** Bytes of its files in the data folder (checkpoint, snapshots, sample grids, generations). */
  diskBytes?: number;
  /** It ships with Lafite Studio (`shapes-pretrained`): it can be renamed, not removed. */
  builtin?: boolean;
}

/** Something that would make a job fail before its first step (api/preflight.ts). */
export interface PreflightProblem {
  code: 'invalid_input' | 'unauthorized' | 'not_found' | 'conflict' | 'unavailable' | 'cancelled' | 'internal';
  message: string;
  /** The input field at fault. */
  field?: string;
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
  /** A diffusion run's generation: its sampler, steps, η and guidance; null for a GAN's. */
  sampling: GenerationSampling | null;
  /** The generator's step: the one drawn with (recorded since the gallery), else the one asked for; null when neither is known. */
  step: number | null;
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
  /** The step of the generator that drew them (absent in results written before it was recorded). */
  step?: number;
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
  /** Deletes a run's files and rows (its generations and evaluations too); refused while it or one of them runs. */
  'runs.remove': z.object({ id: jobIdSchema }).strict(),
  /** Names a run: the name is shown beside its id and accepted wherever the id is. */
  'runs.rename': z.object({ id: jobIdSchema, name: runNameSchema }).strict(),
} as const;

export interface TrainingOutputs {
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  'runs.sample': RunSample;
  'runs.generations': GenerationRecord[];
  'runs.generated': { id: string; images: { name: string; png: string }[] };
  'runs.evaluations': EvaluationRecord[];
  'runs.remove': { id: string; removedJobs: number; freedBytes: number };
  'runs.rename': RunSummary;
}
