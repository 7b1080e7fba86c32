/**
 * The one API of Lafite Studio: every method's name, input schema and output type.
 *
 * Electron IPC, the HTTP server and the CLI all serve exactly these methods; the renderer
 * imports this file (types and schemas only, no Node) to call them.
 *
 * @example
 *   const info = await api.call('info', {});
 *   const job = await api.call('jobs.start', { kind: 'backend-benchmark', input: { size: 256 } });
 */
import { z } from 'zod';

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

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

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

/** A model id: also a folder name under dataDir/models. */
export const modelIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a model id: letters, digits, ., _ or -, at most 64');
/** A dataset name: also a folder name under dataDir/datasets. */
export const datasetIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a dataset name: letters, digits, ., _ or -, at most 64');
/** A stored perturbation network's name (a file name under dataDir/perturbation). */
export const perturbationIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name: letters, digits, ., _ or -, at most 64');
/** A vocabulary set's id (a domain: photos, faces, birds, shapes, or a user's). */
export const vocabularySetIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a vocabulary set id: lowercase letters, digits and -, at most 64');
const absolutePath = z.string().regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'an absolute path');

/** Zero-shot figures of an encoder on held-out ShapesWorld renders (engine/encoders/shapes-clip-eval.ts). */
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

/** What became of one file of a dataset's folder. */
export const IMAGE_STATUSES = ['imported', 'rejected', 'duplicate', 'excluded'] as const;
/**
 * `imported`: usable for training; `rejected`: could not be used (`reason` says why);
 * `duplicate`: the same picture as another image of the dataset (`duplicateOf`), exactly (sha256)
 * or nearly (image-feature cosine); `excluded`: also in another dataset (Lafite2's overlap removal).
 */
export type ImageStatus = (typeof IMAGE_STATUSES)[number];
export const SPLITS = ['train', 'val'] as const;
export type Split = (typeof SPLITS)[number];
/** Caption file formats `datasets.captions` reads (`auto`: by extension and content). */
export const CAPTION_FORMATS = ['auto', 'json', 'jsonl', 'csv', 'coco'] as const;
export type CaptionFormat = (typeof CAPTION_FORMATS)[number];

/** Counts of a dataset's images, by what became of them and what they carry. */
export interface DatasetCounts {
  /** Every file considered (all statuses). */
  files: number;
  imported: number;
  rejected: number;
  duplicate: number;
  excluded: number;
  /** Imported images with at least one caption, and all their captions. */
  captioned: number;
  captions: number;
  train: number;
  val: number;
  fewShot: number;
}

/** A dataset: the images of one folder, imported into the database (`datasets` table). */
export interface DatasetRecord {
  /** The name users type (`--name`, `lafite dataset show D`). */
  id: string;
  /** The folder it was imported from, absolute. */
  folder: string;
  /** Side of the square training crops cached on disk. */
  imageSize: number;
  /** Images whose shorter side is under this are rejected. */
  minSize: number;
  counts: DatasetCounts;
  /** How the train/validation split and the few-shot subset were drawn, once they were. */
  split: { val: number; seed: number } | null;
  fewShot: { pairs: number; seed: number } | null;
  createdAt: string;
  updatedAt: string;
}

/** One file of a dataset (`images` table). */
export interface DatasetImage {
  id: number;
  /** Path inside the dataset's folder, `/`-separated. */
  path: string;
  status: ImageStatus;
  /** Why it was rejected, excluded or marked a duplicate, in words. */
  reason: string | null;
  duplicateOf: number | null;
  bytes: number;
  /** Content hashes (hex), absent when the file could not be read. */
  sha256: string | null;
  md5: string | null;
  /** Decoded format (jpeg, png, webp, gif, bmp, tiff) and size after EXIF orientation. */
  format: string | null;
  width: number | null;
  height: number | null;
  split: Split | null;
  fewShot: boolean;
  captions: number;
}

/** An image with its captions, for the detail pane and `lafite dataset show D --image`. */
export interface DatasetImageDetail extends DatasetImage {
  captionTexts: { id: number; text: string; source: string }[];
}

/** What a `dataset-import` job returns. */
export interface DatasetImportResult {
  dataset: string;
  /** Files found with an image extension, and those skipped because they had not changed since the last import. */
  found: number;
  unchanged: number;
  /** What became of the files processed this time. */
  imported: number;
  rejected: number;
  duplicate: number;
  /** Other files in the folder (not images by their extension), by extension. */
  ignored: Record<string, number>;
  seconds: number;
  imagesPerSecond: number;
  counts: DatasetCounts;
}

/** What `datasets.captions` did with a caption file. */
export interface CaptionImportResult {
  dataset: string;
  format: Exclude<CaptionFormat, 'auto'>;
  /** Entries read from the file, captions added (duplicates of a stored caption are not), images that got one. */
  entries: number;
  added: number;
  images: number;
  /** Entries naming no image of the dataset, with a few of their names. */
  unmatched: number;
  unmatchedExamples: string[];
  /** Entries left out (empty or longer than the caption limit). */
  skipped: number;
  counts: DatasetCounts;
}

/** What a `dataset-dedupe` job returns. */
export interface DatasetDedupeResult {
  dataset: string;
  /** Images marked `excluded` because another dataset holds the same file (by sha256 or by MD5). */
  against: string | null;
  excludedBySha256: number;
  excludedByMd5: number;
  /** Images marked near-duplicates by image-feature cosine, and how many lacked cached features. */
  nearDuplicates: number;
  withoutFeatures: number;
  counts: DatasetCounts;
}

/** Pseudo text-feature methods (Lafite: gaussian, nn; Lafite2: retrieval, clo); `all` runs gaussian, retrieval and clo (and nn when a network is named). */
export const PSEUDO_METHODS = ['gaussian', 'nn', 'retrieval', 'clo'] as const;
export type PseudoMethodName = (typeof PSEUDO_METHODS)[number];

/** A distribution of cosines (engine/pseudo/stats.ts). */
export interface CosineDistribution {
  count: number;
  mean: number;
  std: number;
  histogram: { min: number; max: number; counts: number[] };
}

/** One stored synthesis of pseudo text features (`pseudo_runs`). */
export interface PseudoRunRecord {
  /** Hash of its configuration and of the dataset's images: its version. */
  id: string;
  dataset: string;
  method: PseudoMethodName;
  model: string;
  config: Record<string, unknown>;
  /** Lafite2 Figure 1: image–text and text–text cosines of the features. */
  stats: { imageText: CosineDistribution; textText: CosineDistribution } | null;
  /** Method figures: retrieval's distinct against naive prompt encodings, CLO's likelihood gain. */
  summary: Record<string, number> | null;
  complete: boolean;
  createdAt: string;
}

/** What a `pseudo-synth` job returns. */
export interface PseudoSynthResult {
  dataset: string;
  images: number;
  runs: (PseudoRunRecord & { reused: boolean })[];
  seconds: number;
}

/** A vocabulary set with its templates (Lafite2 step 1), as the editor shows it. */
export interface VocabularySetRecord {
  id: string;
  description: string;
  /** `saved`: edited, imported or built in this data folder (it takes the place of a default of the same id). */
  source: 'saved' | 'default';
  /** Whether a default of this id ships with the app (a saved one can be reset to it). */
  hasDefault: boolean;
  vocabularies: { name: string; entries: string[] }[];
  templates: string[];
}

/** One template checked against a set's vocabulary names. */
export interface TemplateCheck {
  template: string;
  ok: boolean;
  /** Its slots in order, when it parses. */
  slots: string[];
  error?: string;
}

/** What retrieval finds for one image with a vocabulary set (the editor's preview). */
export interface RetrievalPreview {
  image: number;
  /** Per vocabulary, its top-k entries with their cosine to the image. */
  topWords: { vocabulary: string; words: { word: string; score: number }[] }[];
  prompts: { prompt: string; score: number }[];
}

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
      out: z.string().regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'an absolute path').describe('output folder, absolute; empty, new, or an earlier run of the same seed and size'),
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
      batchSize: z.number().int().min(1).max(1024).default(64).describe('images per encoder call, stored together'),
    })
    .strict()
    .refine((input) => (input.folder === undefined) !== (input.dataset === undefined), { message: 'give either a folder or a dataset', path: ['folder'] }),
  /** Imports a folder of images into a dataset: hashes, sizes, thumbnails and training crops; a re-run imports only what is new. */
  'dataset-import': z
    .object({
      dataset: datasetIdSchema.describe('dataset name: new, or one imported from the same folder before'),
      folder: absolutePath.describe('folder of images, read recursively; symbolic links are not followed'),
      imageSize: z.number().int().min(8).max(1024).default(256).describe('side of the square training crops cached on disk'),
      minSize: z.number().int().min(1).max(4096).default(32).describe('images whose shorter side is under this are rejected'),
    })
    .strict(),
  /** Removes overlap with another dataset (sha256 and MD5, as Lafite2 does) and near-duplicates by image-feature cosine. */
  'dataset-dedupe': z
    .object({
      dataset: datasetIdSchema.describe('the dataset to clean'),
      against: datasetIdSchema.optional().describe('another dataset (e.g. the pre-training set): images of `dataset` also in it are excluded'),
      near: z.number().min(0.5).max(1).optional().describe('image-feature cosine at or above which two images are near-duplicates'),
      model: modelIdSchema.optional().describe('encoder whose cached image features `near` uses (default: shapes-clip)'),
    })
    .strict()
    .refine((input) => input.against !== undefined || input.near !== undefined, { message: 'say --against D2, --near COSINE or both', path: ['against'] }),
  /** Pseudo text features of a dataset's images (Lafite eq. 1, Lafite2 retrieval and CLO), stored per configuration. */
  'pseudo-synth': z
    .object({
      dataset: datasetIdSchema.describe('the dataset'),
      model: modelIdSchema.default('shapes-clip').describe('the CLIP encoder'),
      method: z.enum([...PSEUDO_METHODS, 'all']).default('all').describe('which features; all: gaussian, retrieval and clo'),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      xi: z.number().min(0).max(100).optional().describe('Gaussian noise level ξ (paper form default 3; official form default 0.75)'),
      form: z.enum(['paper', 'official']).default('paper').describe('Gaussian formula: the paper\'s eq. 1 or the official code\'s mixing'),
      vocabulary: vocabularySetIdSchema.default('shapes').describe('vocabulary set (a default domain: photos, faces, birds, shapes)'),
      templates: vocabularySetIdSchema.optional().describe('template set (default: the vocabulary set\'s domain)'),
      k: z.number().int().min(1).max(50).default(5).describe('words kept per image and vocabulary'),
      m: z.number().int().min(1).max(50).default(5).describe('prompts kept per image'),
      mode: z.enum(['full', 'iterative']).default('iterative').describe('fill templates at once, or the core {Noun} {Verb} {Noun} first'),
      keepCore: z.number().int().min(1).max(50).default(3).describe('r: core fillings kept per image (iterative mode)'),
      threshold: z.number().min(-1).max(1).optional().describe('drop prompts under this cosine'),
      refineSteps: z.number().int().min(0).max(20).default(0).describe('greedy refinement: phrases appended to each best prompt while its cosine rises (0: off)'),
      cloSteps: z.number().int().min(0).max(1000).default(10).describe('CLO: K steps'),
      cloStepSize: z.number().min(0).max(100).default(0.1).describe('CLO: step size η'),
      cloTau: z.number().gt(0).max(10).default(0.1).describe('CLO: temperature τ'),
      cloBatch: z.number().int().min(2).max(4096).default(64).describe('CLO: mini-batch size'),
      cloInit: z.enum(['retrieval', 'gaussian', 'uniform']).default('retrieval').describe('CLO starting features (uniform: the paper\'s ablation)'),
      nn: perturbationIdSchema.optional().describe('trained perturbation network (pseudo-train-nn) for the nn method'),
    })
    .strict()
    .refine((input) => input.method !== 'nn' || input.nn !== undefined, { message: 'the nn method needs a trained network: --nn NAME (lafite pseudo train-nn)', path: ['nn'] }),
  /** Trains Lafite's trainable perturbation (eq. 2) on a dataset's image–caption pairs; stored by name, reusable on other datasets. */
  'pseudo-train-nn': z
    .object({
      dataset: datasetIdSchema.describe('a dataset with captions'),
      model: modelIdSchema.default('shapes-clip').describe('the CLIP encoder'),
      name: perturbationIdSchema.describe('name to store the trained network under'),
      steps: z.number().int().min(1).max(1_000_000).default(2000),
      batchSize: z.number().int().min(2).max(4096).default(64),
      hidden: z.number().int().min(8).max(4096).default(1024).describe('width of the hidden layers of r1 and r2'),
      learningRate: z.number().gt(0).max(1).default(0.001),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
    })
    .strict(),
  /** Downloads a CLIP folder (a registry id, or a list of files) into dataDir/models/<id>, resumable, verified, then registers it. */
  'model-download': z
    .object({
      id: modelIdSchema.describe('model id: a registry id (clip-vit-b32, clip-vit-b16), or the id for `files`'),
      files: z
        .array(
          z
            .object({
              path: z.string().regex(/^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path inside the model folder').describe('path inside the model folder'),
              url: z.string().url().regex(/^https?:\/\//, 'an http(s) URL').describe('where to download it'),
              sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex sha256').optional().describe('expected sha256; verified when given'),
            })
            .strict(),
        )
        .min(1)
        .optional()
        .describe('files to download instead of a registry entry'),
      mirror: z.string().url().regex(/^https?:\/\//, 'an http(s) URL').optional().describe('base URL replacing https://huggingface.co for registry files (default: LAFITE_MODEL_MIRROR)'),
    })
    .strict(),
} as const;
export type JobKind = keyof typeof jobInputSchemas;
export const JOB_KINDS = Object.keys(jobInputSchemas) as JobKind[];

const jobId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a job id');

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
  'models.list': z.object({}).strict(),
  'models.add': z
    .object({
      folder: absolutePath.describe('a CLIP folder in the Hugging Face ONNX layout, absolute; referenced in place, never copied'),
      id: modelIdSchema.optional().describe('model id; default: the folder name'),
    })
    .strict(),
  'models.remove': z.object({ id: modelIdSchema }).strict(),
  'datasets.list': z.object({}).strict(),
  'datasets.get': z.object({ dataset: datasetIdSchema }).strict(),
  'datasets.remove': z.object({ dataset: datasetIdSchema }).strict(),
  'datasets.images': z
    .object({
      dataset: datasetIdSchema,
      status: z.enum(IMAGE_STATUSES).optional().describe('only images with this status'),
      captioned: z.boolean().optional().describe('only images with (true) or without (false) captions'),
      split: z.enum(SPLITS).optional(),
      fewShot: z.boolean().optional().describe('only the few-shot subset'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    })
    .strict(),
  'datasets.image': z.object({ dataset: datasetIdSchema, id: z.number().int().min(1) }).strict(),
  'datasets.thumbnails': z
    .object({
      dataset: datasetIdSchema,
      ids: z.array(z.number().int().min(1)).max(500),
      size: z.enum(['thumb', 'crop']).default('thumb').describe('the small thumbnail, or the training crop'),
    })
    .strict(),
  'datasets.captions': z
    .object({
      dataset: datasetIdSchema,
      file: absolutePath.describe('caption file: JSON, JSONL, CSV or COCO captions'),
      format: z.enum(CAPTION_FORMATS).default('auto'),
    })
    .strict(),
  'datasets.split': z
    .object({
      dataset: datasetIdSchema,
      val: z.number().min(0).max(0.9).default(0.1).describe('fraction of the imported images in the validation split'),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
    })
    .strict(),
  'datasets.fewshot': z
    .object({
      dataset: datasetIdSchema,
      pairs: z.number().int().min(1).optional().describe('how many captioned images (10, 20, 50, 100 in Lafite)'),
      percent: z.number().gt(0).max(100).optional().describe('or a percentage of the captioned images'),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
    })
    .strict()
    .refine((input) => (input.pairs === undefined) !== (input.percent === undefined), { message: 'give either pairs or percent', path: ['pairs'] }),
  'pseudo.runs': z.object({ dataset: datasetIdSchema }).strict(),
  'pseudo.stats': z.object({ dataset: datasetIdSchema, model: modelIdSchema.default('shapes-clip') }).strict(),
  'pseudo.networks': z.object({}).strict(),
  'pseudo.captions': z
    .object({
      run: z.string().regex(/^[0-9a-f]{16}$/, 'a pseudo run id'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    })
    .strict(),
  'vocabulary.list': z.object({}).strict(),
  'vocabulary.get': z.object({ id: vocabularySetIdSchema }).strict(),
  'vocabulary.save': z
    .object({
      id: vocabularySetIdSchema,
      description: z.string().max(4000).default(''),
      vocabularies: z
        .array(z.object({ name: z.string().max(64), entries: z.array(z.string().max(200)).max(100_000) }).strict())
        .min(1)
        .max(64),
      templates: z.array(z.string().max(300)).min(1).max(500),
    })
    .strict(),
  'vocabulary.reset': z.object({ id: vocabularySetIdSchema }).strict(),
  'vocabulary.check': z
    .object({
      vocabularies: z.array(z.string().max(64)).max(64).describe('the vocabulary names templates may use'),
      templates: z.array(z.string().max(10_000)).max(500),
    })
    .strict(),
  'vocabulary.build': z
    .object({
      id: vocabularySetIdSchema.describe('id of the new saved set'),
      model: modelIdSchema.describe("the CLIP model whose tokenizer's whole words are sorted"),
      templatesFrom: vocabularySetIdSchema.optional().describe('copy the templates of this set (default: photos)'),
    })
    .strict(),
  'vocabulary.preview': z
    .object({
      dataset: datasetIdSchema,
      image: z.number().int().min(1),
      id: vocabularySetIdSchema.describe('vocabulary set'),
      model: modelIdSchema.default('shapes-clip'),
      k: z.number().int().min(1).max(50).default(5),
      m: z.number().int().min(1).max(50).default(5),
    })
    .strict(),
} as const;

/** Output types of every API method. */
export interface Outputs {
  info: InfoResult;
  'jobs.list': JobRecord[];
  'jobs.get': JobRecord;
  'jobs.start': JobRecord;
  'jobs.cancel': JobRecord;
  'jobs.resume': JobRecord;
  'models.list': ModelRecord[];
  'models.add': ModelRecord;
  /** `deletedFiles`: whether a downloaded model's folder was deleted (a user's folder never is). */
  'models.remove': { id: string; deletedFiles: boolean };
  'datasets.list': DatasetRecord[];
  'datasets.get': DatasetRecord;
  /** `deletedImages`: rows removed; the cached thumbnails and crops are deleted, the user's folder never is. */
  'datasets.remove': { dataset: string; deletedImages: number };
  'datasets.images': { total: number; images: DatasetImage[] };
  'datasets.image': DatasetImageDetail;
  /** Data URLs (`image/webp` thumbnails, `image/png` crops); an id without a cached picture is left out. */
  'datasets.thumbnails': { id: number; url: string }[];
  'datasets.captions': CaptionImportResult;
  'datasets.split': DatasetRecord;
  'datasets.fewshot': DatasetRecord;
  'vocabulary.list': VocabularySetRecord[];
  'vocabulary.get': VocabularySetRecord;
  'vocabulary.save': VocabularySetRecord;
  /** `removed`: whether there was a saved set; the default (if any) is what the id means now. */
  'vocabulary.reset': { id: string; removed: boolean };
  'vocabulary.check': TemplateCheck[];
  'vocabulary.build': VocabularySetRecord;
  'vocabulary.preview': RetrievalPreview;
  'pseudo.runs': PseudoRunRecord[];
  /** Trained perturbation networks (`lafite pseudo train-nn`), for the nn method. */
  'pseudo.networks': { name: string; model: string; dim: number; hidden: number; steps: number; meanCosine: number; pairs: number }[];
  /**
   * Lafite2 Figure 1 for a dataset: its real captions (each image with its first caption; null
   * when it has none, or their features are not cached yet: \`lafite pseudo synth\` caches them)
   * and every stored run.
   */
  'pseudo.stats': { captions: { imageText: CosineDistribution; textText: CosineDistribution; pairs: number } | null; runs: PseudoRunRecord[] };
  /** Per image (in path order) its pseudo captions (retrieval) or feature scores (others), best first. */
  'pseudo.captions': { total: number; images: { id: number; path: string; captions: { prompt: string | null; score: number }[] }[] };
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
}
