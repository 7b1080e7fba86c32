/**
 * The one API of Lafite Studio: every method's name, input schema and output type.
 *
 * Electron IPC, the HTTP server and the CLI all serve exactly these methods; the renderer
 * imports this file (types and schemas only, no Node) to call them. The core (info, jobs,
 * models) is here; each capability's part sits beside it and is composed in below:
 * datasets.ts (datasets.*, dataset jobs), pseudo.ts (pseudo.*, vocabulary.*, pseudo jobs),
 * training.ts (runs.*, the gan-train and gan-generate jobs), gallery.ts (gallery.*: generated
 * pictures across runs, their PNG settings, export).
 *
 * @example
 *   const info = await api.call('info', {});
 *   const job = await api.call('jobs.start', { kind: 'backend-benchmark', input: { size: 256 } });
 */
import { z } from 'zod';
import { datasetJobSchemas, datasetMethodSchemas, type DatasetOutputs } from './datasets.ts';
import { galleryMethodSchemas, type GalleryOutputs } from './gallery.ts';
import { pseudoJobSchemas, pseudoMethodSchemas, type PseudoOutputs } from './pseudo.ts';
import { diffusionJobSchemas, DIFFUSION_TRAIN_JOB_OPTIONS } from './diffusion.ts';
import { trainingJobSchemas, trainingMethodSchemas, type PreflightProblem, type TrainingOutputs } from './training.ts';
import { absolutePath, datasetIdSchema, jobRefSchema, modelIdSchema } from './schemas.ts';
import { JOB_STATUSES, type JobStatus } from './job-status.ts';
import type { OptionTable } from './options.ts';
import { DATASET_IMPORT_OPTIONS } from './datasets.ts';
import { PSEUDO_SYNTH_OPTIONS, PSEUDO_TRAIN_NN_OPTIONS } from './pseudo.ts';
import { GAN_EVAL_OPTIONS, GAN_GENERATE_OPTIONS, GAN_TRAIN_JOB_OPTIONS } from './training.ts';
import type { DesktopInfo, MenuCommand } from './desktop.ts';

export * from './datasets.ts';
export * from './desktop.ts';
export * from './diffusion.ts';
export * from './gallery.ts';
export * from './job-status.ts';
export * from './job-labels.ts';
export * from './options.ts';
export * from './pseudo.ts';
export * from './schemas.ts';
export * from './training.ts';

/** Compute backends, in the order they are tried (ARCHITECTURE.md, Compute backends). */
export const BACKEND_IDS = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export type BackendId = (typeof BACKEND_IDS)[number];

/** One candidate backend as probed on this machine. */
export interface BackendStatus {
  /** Our name for it (`--backend` takes these). */
  id: BackendId;
  /** The npm package that provides it. */
  package: string;
  /** Whether it loaded and found what it needs (for GPU backends: a hardware device). */
  available: boolean;
  /** The GPU adapter or device name, where there is one. */
  device?: string;
  /** Why it is not available: not installed, no GPU adapter, or failed to load (the error). */
  reason?: string;
}

/** What `lafite info` reports. */
export interface InfoResult {
  version: string;
  /** The backend actually in use by this process. */
  backend: BackendId;
  backends: BackendStatus[];
  tfjsVersion: string;
  onnxruntimeVersion: string;
  nodeVersion: string;
  dataDir: string;
  dbPath: string;
  schemaVersion: number;
}

/** Progress of a running job, as shown by the CLI's bar and the UI. */
export interface JobProgress {
  /** Fraction done, 0 to 1. */
  fraction: number;
  /** What it is doing now, in words. */
  message: string;
  /** Steps done and the total, where the work counts steps. */
  step?: number;
  total?: number;
  /** Estimated time left in milliseconds. */
  etaMs?: number;
  /** Figures worth plotting (losses, rates). */
  metrics?: Record<string, number>;
  /** Which phase of a job with several is running (a latent diffusion run's `autoencoder` before its UNet); absent: the job's main work. */
  phase?: string;
}

/** A job as stored in the `jobs` table. */
export interface JobRecord {
  id: string;
  kind: JobKind;
  status: JobStatus;
  input: unknown;
  progress: JobProgress | null;
  result: unknown;
  error: { code: string; message: string } | null;
  /** How many times it has been started (resume adds one). */
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Where a model comes from: shipped with the app, a user's folder (referenced in place), or downloaded into dataDir/models. */
export const MODEL_SOURCES = ['builtin', 'folder', 'download'] as const;
export type ModelSource = (typeof MODEL_SOURCES)[number];

/** One file of a model folder, as hashed when the model was added. */
export interface ModelFile {
  /** Path inside the folder, `/`-separated. */
  path: string;
  bytes: number;
  /** Hex sha256. */
  sha256: string;
}

/** A CLIP encoder known to the model manager (`models` table). */
export interface ModelRecord {
  id: string;
  kind: 'clip';
  source: ModelSource;
  /** Absolute folder in the Hugging Face ONNX layout. */
  path: string;
  /** Feature dimension. */
  dim: number;
  files: ModelFile[];
  /** Where a download came from: the registry id and the URLs. */
  origin?: { registryId?: string; urls: string[] };
  addedAt: string;
}

/** Zero-shot figures of an encoder on held-out ShapesWorld renders (engine/shapes/clip-eval.ts). */
export interface ZeroShotReport {
  images: number;
  colorAccuracy: number;
  shapeAccuracy: number;
  /** Both color and shape right at once. */
  colorShapeAccuracy: number;
  /** Mean cosine of each image with its own canonical caption. */
  meanImageTextCosine: number;
  /** Mean cosine between captions of different images. */
  meanTextTextCosine: number;
  /** Mean cosine between different images. */
  meanImageImageCosine: number;
  /** ‖mean image feature − mean text feature‖ (Liang et al. 2022's modality gap; 0 when the modalities share one region). */
  modalityGap: number;
}

/** What a `model-eval` job returns. */
export interface ModelEvalResult extends ZeroShotReport {
  model: string;
  seed: number;
  imageSize: number;
  seconds: number;
}

/** The `embed` job's options, in the CLI's order. */
export const EMBED_OPTIONS = {
  folder: { flag: '--folder <dir>', help: 'folder of images, read recursively', parse: 'path' },
  dataset: { flag: '--dataset <name>', help: 'or a dataset: its imported images', parse: 'text' },
  model: { flag: '--model <id>', help: 'installed model id (lafite model list)', parse: 'text', required: true },
  batchSize: { flag: '--batch-size <n>', help: 'images per encoder call', parse: 'integer', default: 64 },
} as const satisfies OptionTable;

/** Input schemas of the job kinds; a later capability adds a kind here and a handler in main/jobs/kinds/. */
export const jobInputSchemas = {
  /** Times matrix products on a compute backend: a check that the backend works and how fast. */
  'backend-benchmark': z
    .object({
      size: z.number().int().min(8).max(4096).default(512).describe('matrix side n of an n×n·n×n product'),
      repeats: z.number().int().min(1).max(1000).default(10).describe('how many products to time'),
      backend: z.enum(BACKEND_IDS).optional().describe('backend to force; default: the best available'),
    })
    .strict(),
  /** Draws ShapesWorld pictures (the demo domain) into a folder: PNGs plus metadata.jsonl, deterministic by seed. */
  'shapes-generate': z
    .object({
      n: z.number().int().min(1).max(1_000_000).describe('how many images'),
      out: z
        .string()
        .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'an absolute path')
        .describe('output folder, absolute; empty, new, or an earlier run of the same seed and size'),
      size: z.number().int().min(8).max(1024).default(64).describe('image side in pixels'),
      seed: z.number().int().min(0).max(0xffffffff).default(0).describe('run seed: the same seed draws the same images'),
      captions: z.boolean().default(false).describe('write ground-truth captions into metadata.jsonl'),
    })
    .strict(),
  /** Zero-shot accuracy (color, shape) and modality-gap figures of an installed encoder on held-out ShapesWorld renders. */
  'model-eval': z
    .object({
      model: modelIdSchema.describe('installed model id (see models.list), e.g. shapes-clip'),
      n: z.number().int().min(10).max(100_000).default(1000).describe('held-out images'),
      seed: z.number().int().min(0).max(0xffffffff).default(999).describe('seed of the held-out scenes (not the training seed)'),
      size: z.number().int().min(8).max(1024).default(64).describe('render side in pixels; the model preprocesses it to its own input size'),
    })
    .strict(),
  /** Image features of every picture in a folder, through the embedding cache (nothing encoded twice). */
  embed: z
    .object({
      model: modelIdSchema.describe('installed model id (see models.list)'),
      folder: absolutePath.optional().describe('folder of images, read recursively'),
      dataset: datasetIdSchema.optional().describe('a dataset: its imported images'),
      batchSize: z.number().int().min(1).max(1024).default(EMBED_OPTIONS.batchSize.default).describe('images per encoder call, stored together'),
    })
    .strict()
    .refine((input) => (input.folder === undefined) !== (input.dataset === undefined), { message: 'give either a folder or a dataset', path: ['folder'] }),
  ...datasetJobSchemas,
  ...pseudoJobSchemas,
  ...trainingJobSchemas,
  ...diffusionJobSchemas,
  /** Downloads a CLIP folder (a registry id, or a list of files) into dataDir/models/<id>, resumable, verified, then registers it. */
  'model-download': z
    .object({
      id: modelIdSchema.describe('model id: a registry id (clip-vit-b32, clip-vit-b16), or the id for `files`'),
      files: z
        .array(
          z
            .object({
              path: z
                .string()
                .regex(/^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path inside the model folder')
                .describe('path inside the model folder'),
              url: z
                .string()
                .url()
                .regex(/^https?:\/\//, 'an http(s) URL')
                .describe('where to download it'),
              sha256: z
                .string()
                .regex(/^[0-9a-f]{64}$/, 'a hex sha256')
                .optional()
                .describe('expected sha256; verified when given'),
            })
            .strict(),
        )
        .min(1)
        .optional()
        .describe('files to download instead of a registry entry'),
      mirror: z
        .string()
        .url()
        .regex(/^https?:\/\//, 'an http(s) URL')
        .optional()
        .describe('base URL replacing https://huggingface.co for registry files (default: LAFITE_MODEL_MIRROR)'),
    })
    .strict(),
} as const;
export type JobKind = keyof typeof jobInputSchemas;
export const JOB_KINDS = Object.keys(jobInputSchemas) as JobKind[];
/** What a caller passes to start a job of `kind` (defaults may be left out). */
export type JobInput<K extends JobKind> = z.input<(typeof jobInputSchemas)[K]>;
/** What a job of `kind` receives (after validation, defaults filled in). */
export type ParsedJobInput<K extends JobKind> = z.output<(typeof jobInputSchemas)[K]>;

/** The option table of each job kind the CLI and the forms offer: fields of that kind's input only. */
export const JOB_OPTIONS = {
  embed: EMBED_OPTIONS,
  'dataset-import': DATASET_IMPORT_OPTIONS,
  'pseudo-synth': PSEUDO_SYNTH_OPTIONS,
  'pseudo-train-nn': PSEUDO_TRAIN_NN_OPTIONS,
  'gan-train': GAN_TRAIN_JOB_OPTIONS,
  'gan-eval': GAN_EVAL_OPTIONS,
  'gan-generate': GAN_GENERATE_OPTIONS,
  'diffusion-train': DIFFUSION_TRAIN_JOB_OPTIONS,
} as const satisfies { [K in JobKind]?: OptionTable<keyof JobInput<K> & string> };
export type OptionJobKind = keyof typeof JOB_OPTIONS;
/** Table entries that are no field of their job's input (none: a typo or a renamed field fails the type check here). */
type StrayOptionFields = { [K in OptionJobKind]: Exclude<keyof (typeof JOB_OPTIONS)[K], keyof JobInput<K>> }[OptionJobKind];
/** true, or the stray fields' names. */
export const JOB_OPTIONS_ARE_FIELDS: [StrayOptionFields] extends [never] ? true : StrayOptionFields = true;

const jobId = jobRefSchema;

/** Input schemas of every API method. */
export const inputSchemas = {
  info: z.object({}).strict(),
  'jobs.list': z
    .object({
      limit: z.number().int().min(1).max(1000).default(50),
      status: z.enum(JOB_STATUSES).optional(),
    })
    .strict(),
  'jobs.get': z.object({ id: jobId }).strict(),
  'jobs.start': z
    .object({
      kind: z.enum(JOB_KINDS as [JobKind, ...JobKind[]]),
      input: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
  'jobs.cancel': z.object({ id: jobId }).strict(),
  'jobs.resume': z.object({ id: jobId }).strict(),
  'jobs.pause': z.object({ id: jobId }).strict(),
  /** What would make a job fail before its first step (api/preflight.ts): the form disables Start with the reason. */
  'jobs.check': z
    .object({
      kind: z.enum(JOB_KINDS as [JobKind, ...JobKind[]]),
      input: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
  'models.list': z.object({}).strict(),
  'models.add': z
    .object({
      folder: absolutePath.describe('a CLIP folder in the Hugging Face ONNX layout, absolute; referenced in place, never copied'),
      id: modelIdSchema.optional().describe('model id; default: the folder name'),
    })
    .strict(),
  'models.remove': z.object({ id: modelIdSchema }).strict(),
  ...datasetMethodSchemas,
  ...pseudoMethodSchemas,
  ...trainingMethodSchemas,
  ...galleryMethodSchemas,
} as const;

/** Output types of every API method. */
export interface Outputs extends DatasetOutputs, PseudoOutputs, TrainingOutputs, GalleryOutputs {
  info: InfoResult;
  'jobs.list': JobRecord[];
  'jobs.get': JobRecord;
  'jobs.start': JobRecord;
  'jobs.cancel': JobRecord;
  'jobs.resume': JobRecord;
  'jobs.pause': JobRecord;
  'jobs.check': { problems: PreflightProblem[] };
  'models.list': ModelRecord[];
  'models.add': ModelRecord;
  /** `deletedFiles`: whether a downloaded model's folder was deleted (a user's folder never is). */
  'models.remove': { id: string; deletedFiles: boolean };
}

export type Method = keyof typeof inputSchemas;
export const METHODS = Object.keys(inputSchemas) as Method[];
/** What a caller passes (defaults may be left out). */
export type Input<M extends Method> = z.input<(typeof inputSchemas)[M]>;
/** What a handler receives (after validation, defaults filled in). */
export type ParsedInput<M extends Method> = z.output<(typeof inputSchemas)[M]>;
export type Output<M extends Method> = Outputs[M];

/** Events pushed to every client: over IPC, server-sent events, or in-process. */
export type ApiEvent = { type: 'job.updated'; job: JobRecord };

/** Error codes; each adapter maps them to an IPC result, an HTTP status or a CLI exit code. */
export const ERROR_CODES = ['invalid_input', 'unauthorized', 'not_found', 'conflict', 'unavailable', 'cancelled', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as it crosses a process boundary: never a stack trace. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** The input field at fault, as a dotted path, where there is one. */
  field?: string;
}

/** The result of a call as it crosses IPC or HTTP. */
export type CallResult<T> = { ok: true; result: T } | { ok: false; error: ErrorPayload };

/** Any client of the API: the IPC bridge, the HTTP client, or the service itself. */
export interface ApiClient {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  /** Listens to events; returns a function that stops listening. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** The object the Electron preload exposes as `window.lafite`. */
export interface PreloadBridge {
  call(method: Method, input: unknown): Promise<CallResult<unknown>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** The desktop's native folder picker: an absolute path, or null when the user cancels. */
  pickFolder(): Promise<string | null>;
  /** The native file picker, for an image: an absolute path, or null when the user cancels. */
  pickImage(): Promise<string | null>;
  /** The path of a file or folder dropped on the window (Electron's webUtils.getPathForFile); '' for one that has none. */
  pathForFile(file: File): string;
  /** The log file, the data folder and its disk use. */
  desktopInfo(): Promise<DesktopInfo>;
  /** Listens to menu commands meant for the renderer; returns a function that stops listening. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
