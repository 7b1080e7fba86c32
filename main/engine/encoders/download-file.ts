/**
 * Downloads one file over HTTP(S), resuming from the bytes already on disk with a
 * `Range: bytes=N-` request. A server that ignores the range (200) makes it start over; 416
 * on a non-empty file means it is already complete. Redirects are followed (Hugging Face
 * serves files from a CDN).
 *
 * @example
 *   const { bytes } = await downloadFile(url, '/data/models/x.partial/onnx/text_model.onnx', { signal, onBytes });
 */
import { existsSync } from 'node:fs';
import { mkdir, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LafiteError, unavailable } from '../../contract/errors.ts';

export interface DownloadFileOptions {
  signal?: AbortSignal;
  /** Called as bytes arrive: bytes of the file on disk, and its full size when the server said. */
  onBytes?(bytesOnDisk: number, totalBytes: number | undefined): void;
}

export interface DownloadFileResult {
  /** Size of the complete file. */
  bytes: number;
  /** Bytes that were already on disk and were not downloaded again. */
  resumedFrom: number;
}

const cancelled = (): LafiteError => new LafiteError('cancelled', 'cancelled by the user');

const firstLine = (error: unknown): string => {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return `${(error as Error).message}${cause ? `: ${cause}` : ''}`.split('\n')[0]!;
};

/** The start offset of a `Content-Range: bytes S-E/T` header, and T when given. */
function parseContentRange(header: string | null): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header ?? '');
  if (!match) return undefined;
  return match[2] === '*' ? { start: Number(match[1]) } : { start: Number(match[1]), total: Number(match[2]) };
}

/** What to do when the model host cannot be reached (no network, a firewall): said with every such failure. */
export const OFFLINE_HINT =
  'Offline or behind a firewall? Give a mirror of huggingface.co (--mirror URL or LAFITE_MODEL_MIRROR), or copy the model folder from another machine and register it with `lafite model add FOLDER` (README: "A real CLIP offline" lists the files and their checksums)';

export async function downloadFile(url: string, dest: string, options: DownloadFileOptions = {}): Promise<DownloadFileResult> {
  const { signal } = options;
  await mkdir(dirname(dest), { recursive: true });
  let have = existsSync(dest) ? (await stat(dest)).size : 0;
  const resumedFrom = have;
  let response: Response;
  try {
    response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw unavailable(`cannot download ${url}: ${firstLine(error)}. ${OFFLINE_HINT}`);
  }
  if (response.status === 416 && have > 0) {
    await response.body?.cancel();
    return { bytes: have, resumedFrom }; // the file on disk is complete
  }
  let total: number | undefined;
  const length = Number(response.headers.get('content-length') ?? NaN);
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range?.start !== have) {
      await response.body?.cancel();
      throw unavailable(`cannot resume ${url}: asked for bytes ${have}- and the server answered ${response.headers.get('content-range') ?? 'without a Content-Range'}`);
    }
    total = range.total ?? (Number.isFinite(length) ? have + length : undefined);
  } else if (response.ok) {
    if (have > 0) await truncate(dest, 0); // the server sent the whole file: start over
    have = 0;
    total = Number.isFinite(length) ? length : undefined;
  } else {
    await response.body?.cancel();
    throw unavailable(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  if (!response.body) throw unavailable(`cannot download ${url}: empty response`);
  options.onBytes?.(have, total);
  const file = await open(dest, have > 0 ? 'a' : 'w');
  try {
    for await (const chunk of response.body) {
      await file.write(chunk);
      have += chunk.byteLength;
      options.onBytes?.(have, total);
    }
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    throw unavailable(`download of ${url} stopped after ${have} bytes (${firstLine(error)}); run it again to resume`);
  } finally {
    await file.close();
  }
  if (total !== undefined && have !== total) throw unavailable(`download of ${url} ended at ${have} of ${total} bytes; run it again to resume`);
  return { bytes: have, resumedFrom };
}
