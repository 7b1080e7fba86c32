/**
 * The dataset part of the API contract: records, the `dataset-import` and `dataset-dedupe`
 * jobs, the `datasets.*` methods and their outputs (composed into index.ts).
 */
import { z } from 'zod';
import type { OptionTable } from './options.ts';
import { absolutePath, datasetIdSchema, modelIdSchema, plainText } from './schemas.ts';

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
  /** Images imported this time whose shorter side was under the crop size: enlarged to it (blurrier crops), with the smallest such side. */
  upscaled?: { count: number; smallestSide: number; imageSize: number };
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
  /** Every entry not added, counted by why (skipped, naming no image, a caption the image has already), with a few examples where they name an image. */
  notAdded?: { reason: string; count: number; examples: string[] }[];
  counts: DatasetCounts;
}

/** Whether an encoder fits a dataset (api/encoder-fit.ts): a warning per sign that it does not, with the figures behind them. */
export interface EncoderFit {
  dataset: string;
  model: string;
  /** No warnings. */
  fits: boolean;
  /** Sentences for people, the last one saying what to do; empty when it fits (or nothing is known yet). */
  warnings: string[];
  /** The mean image–text cosine of each image's first real caption (null until captions and both features are cached). */
  captionCosine: { mean: number; pairs: number } | null;
  /** Caption words (occurrences) without a whole-word token in the encoder's tokenizer, with the most frequent. */
  unknownWords: { words: number; unknown: number; examples: string[]; vocabulary: number } | null;
  /** The mean image–text cosine of the newest retrieval pseudo-captions of this encoder, beside the demo's. */
  retrievalCosine: { mean: number; demo: number; run: string } | null;
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

/** The `dataset-import` job's options, in the CLI's order (the folder is the command's argument). */
export const DATASET_IMPORT_OPTIONS = {
  dataset: { flag: '--name <name>', help: 'dataset name: new, or one imported from this folder before', parse: 'text', required: true },
  imageSize: { flag: '--size <px>', help: 'side of the square training crops', parse: 'integer', default: 256 },
  minSize: { flag: '--min-size <px>', help: 'reject images whose shorter side is under this', parse: 'integer', default: 32 },
} as const satisfies OptionTable;

/** Input schemas of the dataset jobs. */
export const datasetJobSchemas = {
  /** Imports a folder of images into a dataset: hashes, sizes, thumbnails and training crops; a re-run imports only what is new. */
  'dataset-import': z
    .object({
      dataset: datasetIdSchema.describe('dataset name: new, or one imported from the same folder before'),
      folder: absolutePath.describe('folder of images, read recursively; symbolic links are not followed'),
      imageSize: z.number().int().min(8).max(1024).default(DATASET_IMPORT_OPTIONS.imageSize.default).describe('side of the square training crops cached on disk'),
      minSize: z.number().int().min(1).max(4096).default(DATASET_IMPORT_OPTIONS.minSize.default).describe('images whose shorter side is under this are rejected'),
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
} as const;

/** A caption typed in the app: trimmed, not empty, at most 1,000 characters (the longest a caption file may give). */
const captionText = plainText(1000)
  .transform((text) => text.trim().replace(/\s+/g, ' '))
  .refine((text) => text.length > 0, 'an empty caption');

/** Input schemas of the `datasets.*` methods. */
export const datasetMethodSchemas = {
  'datasets.list': z.object({}).strict(),
  'datasets.get': z.object({ dataset: datasetIdSchema }).strict(),
  /** Whether an encoder fits the dataset (default: the encoder of its newest pseudo-captions, else shapes-clip). */
  'datasets.fit': z.object({ dataset: datasetIdSchema, model: modelIdSchema.optional() }).strict(),
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
  /** Adds, edits or removes one caption of an image (the image panel's editing), in one transaction. */
  'datasets.caption': z
    .discriminatedUnion('action', [
      z.object({ action: z.literal('add'), dataset: datasetIdSchema, image: z.number().int().min(1), text: captionText }).strict(),
      z.object({ action: z.literal('edit'), dataset: datasetIdSchema, image: z.number().int().min(1), caption: z.number().int().min(1), text: captionText }).strict(),
      z.object({ action: z.literal('remove'), dataset: datasetIdSchema, image: z.number().int().min(1), caption: z.number().int().min(1) }).strict(),
    ])
    .describe('add a caption to an image, edit one, or remove one'),
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
} as const;

/** Output types of the `datasets.*` methods. */
export interface DatasetOutputs {
  'datasets.list': DatasetRecord[];
  'datasets.get': DatasetRecord;
  /** `deletedImages`: rows removed; the cached thumbnails and crops are deleted, the user's folder never is. */
  'datasets.remove': { dataset: string; deletedImages: number };
  'datasets.images': { total: number; images: DatasetImage[] };
  'datasets.image': DatasetImageDetail;
  /** The image after the change, with its captions. */
  'datasets.caption': DatasetImageDetail;
  /** Data URLs (`image/webp` thumbnails, `image/png` crops); an id without a cached picture is left out. */
  'datasets.thumbnails': { id: number; url: string }[];
  'datasets.captions': CaptionImportResult;
  'datasets.split': DatasetRecord;
  'datasets.fit': EncoderFit;
  'datasets.fewshot': DatasetRecord;
}

/** The import summary's word on enlarged pictures (CLI and UI): '' when none was. */
export function upscaledNote(r: Pick<DatasetImportResult, 'upscaled'>): string {
  const up = r.upscaled;
  if (!up || up.count === 0) return '';
  const images = up.count === 1 ? '1 image was' : `${up.count} images were`;
  return `${images} smaller than the ${up.imageSize} px crops (the smallest ${up.smallestSide} px) and enlarged to ${up.imageSize} px: their crops are blurrier than the rest; import with a smaller --size (crop size) to keep them sharp`;
}
