/**
 * The gallery part of the API contract: every generated picture across runs (`gallery.list`),
 * the settings a generated PNG carries in its text chunks (`gallery.pngSettings`: what the
 * Playground restores from a dropped PNG), and batch export of chosen pictures to a folder or
 * as a zip (`gallery.export`), composed into index.ts.
 *
 * A generated PNG holds two tEXt chunks, as InvokeAI and ComfyUI write theirs: `lafite`, the
 * settings as JSON (ASCII: other characters \u-escaped, so it stays valid Latin-1 tEXt), and
 * `parameters`, the same in one human line per field group (Automatic1111's key, read by many
 * tools).
 */
import { z } from 'zod';
import type { JobStatus } from './job-status.ts';
import type { GenerationSampling } from './sampling.ts';
import { absolutePath } from './schemas.ts';

/** The tEXt keyword of the settings JSON. */
export const PNG_SETTINGS_KEY = 'lafite';
/** The tEXt keyword of the human-readable settings. */
export const PNG_PARAMETERS_KEY = 'parameters';
/** The version of the JSON below; a reader refuses others it does not know. */
export const PNG_SETTINGS_FORMAT = 1;

const generationIdSchema = z.string().regex(/^[0-9a-z-]{8,64}$/, 'a job id');
/** A generated image's file name as its generation wrote it (`seed<seed>-<index>.png`). */
const imageNameSchema = z.string().regex(/^[A-Za-z0-9._-]{1,128}\.png$/, 'a generated image’s file name');

/** What a generated PNG records of how it was drawn (the `lafite` chunk). */
export const pngSettingsSchema = z.object({
  format: z.literal(PNG_SETTINGS_FORMAT),
  /** The app and its version that wrote it. */
  software: z.string(),
  /** The training run whose generator drew it, and the step of that generator. */
  run: z.string(),
  step: z.number().int().min(0),
  /** The model family (`gan`: Lafite's StyleGAN2). */
  family: z.string(),
  /** The run's text encoder, dataset and preset. */
  model: z.string(),
  dataset: z.string(),
  preset: z.string(),
  prompt: z.string().nullable(),
  /** The image mixed in (its absolute path when drawn), and its share. */
  image: z.string().nullable(),
  mix: z.number(),
  /** The generation's seed, its image count, and this image's index in it (z is row `index` of the seed's draw). */
  seed: z.number().int().min(0),
  n: z.number().int().min(1),
  index: z.number().int().min(0),
  /** Truncation ψ (the GAN's guidance-like knob: 1 is none). */
  truncation: z.number(),
  /** A diffusion run's sampler, its denoising steps, DDIM's η and the classifier-free guidance scale; null for a GAN. */
  sampling: z.object({ sampler: z.string(), steps: z.number().int().min(1), eta: z.number(), guidance: z.number() }).nullable(),
  /** Side in pixels. */
  size: z.number().int().min(1),
  /** The generation (job) that wrote it, and when it was asked for. */
  generation: z.string(),
  createdAt: z.string(),
});
export type PngSettings = z.infer<typeof pngSettingsSchema>;

/** One generated picture as the gallery shows it: its generation's settings and the image's own seed index. */
export interface GalleryItem {
  /** The generation (a `gan-generate` job). */
  generation: string;
  run: string;
  /** The generator's step; null for generations made before the step was recorded, when none was asked. */
  step: number | null;
  prompt: string | null;
  image: string | null;
  mix: number;
  seed: number;
  n: number;
  /** This image's index within its generation. */
  index: number;
  truncation: number;
  /** A diffusion run's generation: how it sampled (restored by "Use settings"); null for a GAN's. */
  sampling: GenerationSampling | null;
  /** The file name (`seed<seed>-<index>.png`). */
  name: string;
  createdAt: string;
  status: JobStatus;
}

/** One picture to export: its generation and its file name there. */
export const galleryImageRefSchema = z.object({ generation: generationIdSchema, name: imageNameSchema }).strict();
export type GalleryImageRef = z.infer<typeof galleryImageRefSchema>;

export const galleryMethodSchemas = {
  /** Every image of the finished generations, newest first, of one run or of all. */
  'gallery.list': z
    .object({
      run: z
        .string()
        .regex(/^[0-9a-z-]{8,64}$/, 'a job id')
        .optional()
        .describe('only this run’s generations'),
      limit: z.number().int().min(1).max(1000).default(200).describe('at most this many generations'),
    })
    .strict(),
  /** The settings a PNG carries in its text chunks (a generated PNG's, or any PNG's text chunks). */
  'gallery.pngSettings': z
    .object({
      png: z
        .string()
        .min(1)
        .max(1 << 20)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'a PNG in base64')
        .describe('the PNG file, base64'),
    })
    .strict(),
  /** Copies chosen pictures (with their settings chunks) into a folder with a metadata.jsonl, or packs them into a zip returned in base64. */
  'gallery.export': z
    .object({
      images: z.array(galleryImageRefSchema).min(1).max(1000),
      folder: absolutePath.optional().describe('an absolute folder to copy into (made when missing; existing files are never overwritten); without it, a zip'),
    })
    .strict(),
} as const;

/** What `gallery.pngSettings` finds: the settings when the PNG is a Lafite one, and every text chunk. */
export interface PngSettingsResult {
  settings: PngSettings | null;
  /** Every tEXt chunk, keyword to text. */
  text: Record<string, string>;
  /** Why `settings` is null, in words (no chunk, or a chunk that does not parse). */
  reason: string | null;
}

/** What `gallery.export` did: the files written into `folder`, or the zip. */
export type GalleryExportResult = { folder: string; files: string[] } | { zip: string; files: string[] };

export interface GalleryOutputs {
  'gallery.list': GalleryItem[];
  'gallery.pngSettings': PngSettingsResult;
  'gallery.export': GalleryExportResult;
}

/**
 * The `gan-generate` input that draws a PNG's picture again (its whole generation: the seed's n
 * images, the step it drew with). Given the run as it is now, a step that is its latest and was
 * not kept as a snapshot is asked as "latest" (a run keeps its newest generator in its checkpoint).
 */
export function pngGenerateInput(settings: PngSettings, run?: { step: number; snapshotSteps: readonly number[] }): Record<string, unknown> {
  const latest = run !== undefined && settings.step === run.step && !run.snapshotSteps.includes(settings.step);
  return {
    run: settings.run,
    ...(settings.step > 0 && !latest ? { step: settings.step } : {}),
    ...(settings.prompt !== null ? { prompt: settings.prompt } : {}),
    ...(settings.image !== null ? { image: settings.image, mix: settings.mix } : {}),
    n: settings.n,
    seed: settings.seed,
    truncation: settings.truncation,
    ...(settings.sampling ?? {}),
  };
}
