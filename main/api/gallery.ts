/**
 * `gallery.*`: every picture the finished generations wrote, across runs (the Gallery view),
 * the settings a PNG carries (what the Playground restores from a dropped file, and
 * `lafite generate --from-png`), and batch export of chosen pictures: copied into a folder with
 * a metadata.jsonl, or packed into a zip. Only files a generation's job recorded are read.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import {
  generationSampling,
  type GalleryExportResult,
  type GalleryImageRef,
  type GalleryItem,
  type GenerateResult,
  type GenerationSampling,
  type JobRecord,
  type PngSettingsResult,
} from '../contract/index.ts';
import { conflict, invalidInput, notFound } from '../contract/errors.ts';
import type { JobInput } from '../jobs/job-kind.ts';
import { readPngSettings } from '../jobs/png-settings.ts';
import type { JobStore } from '../store/jobs.ts';
import { checkPath } from '../store/path-policy.ts';

type GenerateInput = JobInput<'gan-generate'>;

/** The step of a generation: the one it drew with (recorded), else the one it asked for. */
export const generationStep = (job: JobRecord): number | null => (job.result as GenerateResult | null)?.step ?? (job.input as GenerateInput).step ?? null;

/** How a generation sampled when its run is a diffusion run (`runKind`: the run's job kind); null for a GAN's, whose input's sampling defaults drew nothing. */
export const generationSamplingOf = (job: JobRecord, runKind: string | undefined): GenerationSampling | null =>
  runKind === 'diffusion-train' ? generationSampling(job.input as Partial<GenerateInput>) : null;

/** The image index in a generated file's name (`seed7-3.png` → 3), else its place in the list. */
const indexOf = (name: string, fallback: number): number => Number(/-(\d+)\.png$/.exec(name)?.[1] ?? fallback);

/** Every image of the finished generations, newest generation first, images in order. */
export function listGallery(jobs: JobStore, run: string | undefined, limit: number): GalleryItem[] {
  const kinds = new Map<string, string | undefined>(); // run id → its job kind, read once
  const kindOf = (id: string): string | undefined => (kinds.has(id) ? kinds.get(id) : kinds.set(id, jobs.get(id)?.kind).get(id));
  return jobs
    .listOfKind('gan-generate', limit, run)
    .filter((job) => job.status === 'succeeded')
    .flatMap((job) => {
      const input = job.input as GenerateInput;
      const files = (job.result as GenerateResult | null)?.files ?? [];
      const sampling = generationSamplingOf(job, kindOf(input.run));
      return files.map((file, k) => ({
        generation: job.id,
        run: input.run,
        step: generationStep(job),
        prompt: input.prompt ?? null,
        image: input.image ?? null,
        mix: input.mix,
        seed: input.seed,
        n: input.n,
        index: indexOf(basename(file), k),
        truncation: input.truncation,
        sampling,
        name: basename(file),
        createdAt: job.createdAt,
        status: job.status,
      }));
    });
}

/** The settings chunks of a PNG given in base64. */
export function pngSettings(base64: string): PngSettingsResult {
  const bytes = Buffer.from(base64, 'base64');
  try {
    return readPngSettings(bytes);
  } catch (error) {
    throw invalidInput(`png: not a PNG file that can be read (${(error as Error).message})`, 'png');
  }
}

/** The recorded file of one chosen picture, its job, and the name it gets when exported. */
function resolveImage(jobs: JobStore, ref: GalleryImageRef): { file: string; exportName: string; job: JobRecord } {
  const job = jobs.get(ref.generation);
  if (!job || job.kind !== 'gan-generate') throw notFound(`no generation '${ref.generation}'`);
  if (job.status !== 'succeeded') throw invalidInput(`generation ${ref.generation} is ${job.status}: it has no images`, 'images');
  const file = ((job.result as GenerateResult).files ?? []).find((candidate) => basename(candidate) === ref.name);
  if (!file) throw notFound(`generation ${ref.generation} wrote no image '${ref.name}'`);
  if (!existsSync(file)) throw notFound(`the image ${file} of generation ${ref.generation} was moved or deleted`);
  const run = (job.input as GenerateInput).run;
  return { file, job, exportName: `lafite-${run.slice(0, 8)}-${job.id.slice(0, 8)}-${ref.name}` };
}

/**
 * Exports the chosen pictures with their settings (each PNG keeps its chunks; metadata.jsonl has
 * one line per picture: its file name and settings). Into `folder` (made when missing, no file
 * overwritten: a name taken refuses the whole export first), or as a zip in base64.
 */
export async function exportGallery(jobs: JobStore, dataDir: string, images: GalleryImageRef[], folder: string | undefined): Promise<GalleryExportResult> {
  const seen = new Set<string>();
  const chosen = images.map((ref) => resolveImage(jobs, ref)).filter((image) => !seen.has(image.exportName) && seen.add(image.exportName));
  const entries = await Promise.all(
    chosen.map(async (image) => {
      const bytes = await readFile(image.file);
      const { settings } = readPngSettingsOrNone(bytes);
      return { name: image.exportName, bytes, line: JSON.stringify({ file: image.exportName, generation: image.job.id, settings }) };
    }),
  );
  const metadata = Buffer.from(entries.map((entry) => entry.line).join('\n') + '\n');
  const files = entries.map((entry) => entry.name);
  if (folder === undefined) {
    const zip = zipSync({ ...Object.fromEntries(entries.map((entry) => [entry.name, entry.bytes])), 'metadata.jsonl': metadata }, { level: 0 }); // PNGs are compressed already
    return { zip: Buffer.from(zip).toString('base64'), files: [...files, 'metadata.jsonl'] };
  }
  const target = checkPath(folder, { use: 'write-folder', field: 'folder', dataDir });
  await mkdir(target, { recursive: true });
  const metadataName = `metadata-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
  const taken = [...files, metadataName].filter((name) => existsSync(join(target, name)));
  if (taken.length > 0)
    throw conflict(`${join(folder, taken[0]!)} already exists (${taken.length} of the ${files.length} pictures were exported there before): choose another folder`);
  for (const entry of entries) await writeFile(join(target, entry.name), entry.bytes, { flag: 'wx' });
  await writeFile(join(target, metadataName), metadata, { flag: 'wx' });
  return { folder, files: [...files, metadataName] };
}

/** A picture written before the settings chunks existed reads as no settings, not as an error. */
function readPngSettingsOrNone(bytes: Uint8Array): Pick<PngSettingsResult, 'settings'> {
  try {
    return readPngSettings(bytes);
  } catch {
    return { settings: null };
  }
}
