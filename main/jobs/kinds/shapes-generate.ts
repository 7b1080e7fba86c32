/**
 * Job kind `shapes-generate`: draws ShapesWorld pictures (main/engine/shapes) into a folder:
 * `00000.png, 00001.png, …` and `metadata.jsonl` (one line per image: file, attributes,
 * object positions and, with `captions`, ground-truth captions), plus `shapes-world.json`,
 * which marks the folder as a run of one seed and size.
 *
 * Image i depends only on (seed, i), so the job resumes exactly: metadata.jsonl lists only
 * images whose PNG is complete (written to a temporary file, then renamed), and a resumed or
 * repeated run continues after its last complete line.
 *
 * @example
 *   runner.start('shapes-generate', { n: 1000, out: '/data/shapes', captions: true });
 */
import { closeSync, existsSync, mkdirSync, opendirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { conflict } from '../../contract/errors.ts';
import { SHAPES_METADATA_FILE } from '../../contract/shapes-demo.ts';
import { generateShapes, sceneAttributes, type ShapesSample } from '../../engine/shapes/index.ts';
import type { JobHandler, JobInput } from '../job-kind.ts';

/** The file that marks a folder as a ShapesWorld run. */
export const MANIFEST_FILE = 'shapes-world.json';
export const METADATA_FILE = SHAPES_METADATA_FILE;
/** Captions written per image with `captions`. */
export const CAPTIONS_PER_IMAGE = 5;
/** Progress and checkpoints at least this often, besides every 1 % of the images. */
const REPORT_INTERVAL_MS = 1000;

interface State {
  /** Images written and listed in metadata.jsonl. */
  written: number;
}

/** What the folder's manifest records: a run of these settings (n may grow between runs). */
interface Manifest {
  generator: 'shapes-world';
  version: 1;
  seed: number;
  size: number;
  captions: boolean;
  captionsPerImage: number;
}

export interface ShapesGenerateResult {
  /** Images in the folder. */
  count: number;
  out: string;
  size: number;
  seed: number;
  captions: boolean;
  /** Images already there when this attempt started (an earlier, interrupted run). */
  resumedFrom: number;
  /** Wall time of this attempt. */
  seconds: number;
}

/** `00000.png`: five digits at least, whatever n, so names stay the same when a run grows. */
export const imageFileName = (index: number): string => `${String(index).padStart(5, '0')}.png`;

const manifestOf = (input: JobInput<'shapes-generate'>): Manifest => ({
  generator: 'shapes-world',
  version: 1,
  seed: input.seed,
  size: input.size,
  captions: input.captions,
  captionsPerImage: CAPTIONS_PER_IMAGE,
});

/** Counts the complete lines of metadata.jsonl and cuts off a partial last line (a run killed mid-write). */
function completeMetadataLines(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let lines = 0;
  let offset = 0;
  let endOfLastLine = 0;
  try {
    for (let read = readSync(fd, chunk, 0, chunk.length, offset); read > 0; read = readSync(fd, chunk, 0, chunk.length, offset)) {
      for (let i = 0; i < read; i++) {
        if (chunk[i] === 0x0a) {
          lines++;
          endOfLastLine = offset + i + 1;
        }
      }
      offset += read;
    }
  } finally {
    closeSync(fd);
  }
  if (endOfLastLine < offset) truncateSync(path, endOfLastLine);
  return lines;
}

/** Whether a folder has no entries (reads one entry, not the whole listing). */
function isEmptyFolder(path: string): boolean {
  const dir = opendirSync(path);
  try {
    return dir.readSync() === null;
  } finally {
    dir.closeSync();
  }
}

/** Makes the folder ready and returns how many images an earlier run of the same settings left there. */
function prepareFolder(input: JobInput<'shapes-generate'>): number {
  const { out } = input;
  const wanted = manifestOf(input);
  if (existsSync(out) && !statSync(out).isDirectory()) throw conflict(`output folder ${out} is a file, not a folder`);
  mkdirSync(out, { recursive: true });
  const manifestPath = join(out, MANIFEST_FILE);
  if (isEmptyFolder(out)) {
    writeFileSync(manifestPath, `${JSON.stringify(wanted, null, 2)}\n`);
    return 0;
  }
  let found: Partial<Manifest> | undefined;
  try {
    found = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<Manifest>;
  } catch {
    found = undefined;
  }
  if (found?.generator !== 'shapes-world') {
    throw conflict(`output folder ${out} is not empty and is not a ShapesWorld run: choose an empty or new folder`);
  }
  const differs = (['seed', 'size', 'captions', 'captionsPerImage'] as const).filter((key) => found[key] !== wanted[key]);
  if (differs.length > 0) {
    const settings = `seed ${found.seed}, size ${found.size}, ${found.captions ? 'with' : 'without'} captions`;
    throw conflict(`output folder ${out} holds a ShapesWorld run of other settings (${settings}): use the same ones to continue it, or choose another folder`);
  }
  const done = completeMetadataLines(join(out, METADATA_FILE));
  if (done > input.n) throw conflict(`output folder ${out} already holds ${done} images, more than the ${input.n} asked for`);
  return done;
}

/** One metadata.jsonl line: the file, the attributes a caption states, where each object is. */
function metadataLine(sample: ShapesSample, withCaptions: boolean): string {
  const { shape, color, size, count, background } = sceneAttributes(sample.scene);
  const round = (value: number): number => Math.round(value * 1e4) / 1e4;
  const objects = sample.scene.objects.map((o) => ({ x: round(o.x), y: round(o.y), rotationDeg: round(o.rotationDeg) }));
  const line = { file: imageFileName(sample.index), index: sample.index, shape, color, size, count, background, objects, ...(withCaptions ? { captions: sample.captions } : {}) };
  return `${JSON.stringify(line)}\n`;
}

/** Writes the PNG under a temporary name, then renames it: a killed run never leaves a half-written image under its name. */
async function writePng(out: string, sample: ShapesSample, sizePx: number): Promise<void> {
  const file = imageFileName(sample.index);
  const temporary = join(out, `.${file}.tmp`);
  const png = await sharp(sample.pixels, { raw: { width: sizePx, height: sizePx, channels: 3 } })
    .png()
    .toBuffer();
  writeFileSync(temporary, png);
  renameSync(temporary, join(out, file));
}

export const shapesGenerate: JobHandler<'shapes-generate', State> = {
  async run(input, job) {
    const startedAt = Date.now();
    const { n, out, size, seed } = input;
    // The checkpoint may lag the folder by an image (it is posted after the line is written):
    // metadata.jsonl is the record of what is done, so the run continues after its last line.
    const resumedFrom = prepareFolder(input);
    rmSync(join(out, `.${imageFileName(resumedFrom)}.tmp`), { force: true });
    const onePercent = Math.max(1, Math.floor(n / 100));
    let written = resumedFrom;
    let lastReportAt = 0;
    const report = (): void => {
      lastReportAt = Date.now();
      job.checkpoint({ written });
      job.progress({ fraction: written / n, message: `${written}/${n} images (${size}×${size}) in ${out}`, step: written, total: n });
    };
    report();
    const metadata = openSync(join(out, METADATA_FILE), 'a');
    try {
      for (const sample of generateShapes({ n, size, seed, start: resumedFrom, captionsPerImage: CAPTIONS_PER_IMAGE })) {
        job.throwIfCancelled();
        await writePng(out, sample, size);
        writeSync(metadata, metadataLine(sample, input.captions)); // listed only once its PNG is complete
        written = sample.index + 1;
        if (written % onePercent === 0 || written === n || Date.now() - lastReportAt >= REPORT_INTERVAL_MS) report();
      }
    } finally {
      closeSync(metadata);
    }
    report();
    const result: ShapesGenerateResult = { count: written, out, size, seed, captions: input.captions, resumedFrom, seconds: (Date.now() - startedAt) / 1000 };
    return result;
  },
};
