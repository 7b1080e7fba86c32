/**
 * Job kind `model-download`: downloads a CLIP folder (a registry entry, or a list of files
 * with URLs) into `dataDir/models/<id>.partial/`, resuming each file with HTTP Range from the
 * bytes already there; verifies each file's sha256 where one is known (a mismatch deletes
 * that file and installs nothing); checks the folder loads as a CLIP; then renames it to
 * `dataDir/models/<id>/` and registers it in the `models` table.
 *
 * `.partial/.lafite-download.json` lists the files already complete and verified, so a
 * cancelled, failed or killed run (resumed, or started again) skips them.
 *
 * @example
 *   runner.start('model-download', { id: 'clip-vit-b32' }); // LAFITE_MODEL_MIRROR may replace huggingface.co
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFile, ModelRecord } from '../../contract/index.ts';
import { conflict, notFound } from '../../contract/errors.ts';
import { loadClipOnnx } from '../../engine/encoders/clip-onnx.ts';
import { downloadFile } from '../../engine/encoders/download-file.ts';
import { sha256File } from '../../engine/encoders/model-files.ts';
import { fileUrl, HUGGING_FACE_URL, MODEL_REGISTRY, registryEntry } from '../../engine/encoders/registry.ts';
import { openDatabase } from '../../store/db.ts';
import { modelsDir, ModelStore } from '../../store/models.ts';
import type { JobContext, JobHandler, JobInput } from '../job-kind.ts';

/** The file in `.partial/` that lists completed, verified files. */
export const DOWNLOAD_STATE_FILE = '.lafite-download.json';
const REPORT_INTERVAL_MS = 250;

interface PlannedFile {
  path: string;
  url: string;
  sha256?: string;
  approxBytes?: number;
}

interface State {
  /** Files complete and verified. */
  done: ModelFile[];
}

export interface ModelDownloadResult {
  model: ModelRecord;
  /** Bytes fetched by this attempt, and bytes that were already on disk from an earlier one. */
  downloadedBytes: number;
  resumedBytes: number;
  seconds: number;
}

/** The files to fetch: the registry entry's on the mirror (or huggingface.co), or the input's own list. */
function plan(input: JobInput<'model-download'>): { files: PlannedFile[]; registryId?: string } {
  if (input.files) return { files: input.files.map((f) => ({ path: f.path, url: f.url, ...(f.sha256 ? { sha256: f.sha256 } : {}) })) };
  const entry = registryEntry(input.id);
  if (!entry) throw notFound(`no model '${input.id}' in the registry (known: ${MODEL_REGISTRY.map((e) => e.id).join(', ')}); pass a list of files to download another`);
  const base = input.mirror ?? process.env.LAFITE_MODEL_MIRROR ?? HUGGING_FACE_URL;
  return {
    registryId: entry.id,
    files: entry.files.map((f) => ({
      path: f.path,
      url: fileUrl(entry, f, base),
      ...(f.sha256 ? { sha256: f.sha256 } : {}),
      ...(f.approxBytes ? { approxBytes: f.approxBytes } : {}),
    })),
  };
}

async function readState(partial: string): Promise<State> {
  try {
    return JSON.parse(await readFile(join(partial, DOWNLOAD_STATE_FILE), 'utf8')) as State;
  } catch {
    return { done: [] };
  }
}

/** Progress over all files: bytes, rate and time left. */
function progressReporter(job: JobContext<State>, files: readonly PlannedFile[]) {
  const startedAt = Date.now();
  const sizes = new Map<string, number>(); // exact sizes as learned
  const onDisk = new Map<string, number>();
  let fetched = 0; // bytes this attempt
  let lastAt = 0;
  return {
    setSize(path: string, bytes: number): void {
      sizes.set(path, bytes);
    },
    update(path: string, bytes: number, force = false): void {
      fetched += Math.max(0, bytes - (onDisk.get(path) ?? bytes));
      onDisk.set(path, bytes);
      if (!force && Date.now() - lastAt < REPORT_INTERVAL_MS) return;
      lastAt = Date.now();
      const total = files.reduce((sum, f) => sum + (sizes.get(f.path) ?? f.approxBytes ?? 0), 0);
      const done = [...onDisk.values()].reduce((a, b) => a + b, 0);
      const seconds = (Date.now() - startedAt) / 1000;
      const rate = seconds > 0 ? fetched / seconds : 0; // bytes/s
      const fraction = total > 0 ? Math.min(1, done / total) : files.filter((f) => sizes.has(f.path)).length / files.length;
      job.progress({
        fraction,
        message: `${path}: ${(done / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ''} MB at ${(rate / 1e6).toFixed(2)} MB/s`,
        step: done,
        ...(total ? { total } : {}),
        ...(rate > 0 && total > done ? { etaMs: ((total - done) / rate) * 1000 } : {}),
        metrics: { bytes: done, bytesPerSecond: rate },
      });
    },
    get fetched(): number {
      return fetched;
    },
  };
}

/** Fetches one file into `.partial/` and checks its hash; a mismatch deletes it. */
async function fetchVerified(
  file: PlannedFile,
  partial: string,
  job: JobContext<State>,
  report: ReturnType<typeof progressReporter>,
): Promise<ModelFile & { resumedFrom: number }> {
  const dest = join(partial, file.path);
  const { bytes, resumedFrom } = await downloadFile(file.url, dest, {
    signal: job.signal,
    onBytes: (onDisk, total) => {
      if (total !== undefined) report.setSize(file.path, total);
      report.update(file.path, onDisk);
    },
  });
  job.throwIfCancelled();
  const sha256 = await sha256File(dest, job.signal);
  if (file.sha256 && sha256 !== file.sha256) {
    await rm(dest, { force: true });
    throw conflict(`checksum mismatch for ${file.path} (from ${file.url}): expected sha256 ${file.sha256}, got ${sha256}; the file was deleted and nothing was installed`);
  }
  return { path: file.path, bytes, sha256, resumedFrom };
}

export const modelDownload: JobHandler<'model-download', State> = {
  async run(input, job) {
    const startedAt = Date.now();
    const { files, registryId } = plan(input);
    const root = modelsDir(job.dataDir);
    const finalDir = join(root, input.id);
    const partial = join(root, `${input.id}.partial`);
    const db = openDatabase(job.dbPath);
    try {
      const store = new ModelStore(db);
      if (store.get(input.id)) throw conflict(`model '${input.id}' is already installed: remove it first (lafite model remove ${input.id})`);
      if (existsSync(finalDir)) throw conflict(`${finalDir} exists but is not a registered model: move or delete it first`);
      await mkdir(partial, { recursive: true });
      const state = await readState(partial);
      const report = progressReporter(job, files);
      const done: ModelFile[] = [];
      let resumedBytes = 0;
      for (const file of files) {
        job.throwIfCancelled();
        const earlier = state.done.find((f) => f.path === file.path && (!file.sha256 || f.sha256 === file.sha256));
        const onDisk = existsSync(join(partial, file.path)) ? (await stat(join(partial, file.path))).size : -1;
        if (earlier && onDisk === earlier.bytes) {
          report.setSize(file.path, earlier.bytes);
          report.update(file.path, earlier.bytes);
          done.push(earlier);
          resumedBytes += earlier.bytes;
          continue;
        }
        const { resumedFrom, ...verified } = await fetchVerified(file, partial, job, report);
        resumedBytes += resumedFrom;
        report.update(file.path, verified.bytes, true);
        done.push(verified);
        await writeFile(join(partial, DOWNLOAD_STATE_FILE), JSON.stringify({ done } satisfies State));
        job.checkpoint({ done });
      }
      // Install only what loads as a CLIP (the loader's errors name the file and tensor at fault).
      const encoder = await loadClipOnnx(partial, { id: input.id });
      const dim = encoder.dim;
      await encoder.dispose();
      job.throwIfCancelled();
      await rm(join(partial, DOWNLOAD_STATE_FILE), { force: true });
      await rename(partial, finalDir); // atomic on one file system: the model appears whole or not at all
      const origin = { ...(registryId ? { registryId } : {}), urls: files.map((f) => f.url) };
      if (!store.add({ id: input.id, source: 'download', path: finalDir, dim, files: done, origin })) {
        await rm(finalDir, { recursive: true, force: true });
        throw conflict(`model '${input.id}' was installed by someone else meanwhile`);
      }
      const result: ModelDownloadResult = { model: store.get(input.id)!, downloadedBytes: report.fetched, resumedBytes, seconds: (Date.now() - startedAt) / 1000 };
      return result;
    } finally {
      db.close();
    }
  },
};
