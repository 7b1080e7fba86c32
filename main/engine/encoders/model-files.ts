/**
 * The files of a CLIP model folder and their sha256 hashes, recorded by the model manager
 * when a model is added or downloaded (so a changed or corrupted file can be told apart).
 *
 * @example
 *   const files = await hashModelFiles('/models/clip-vit-b32'); // [{ path: 'onnx/text_model.onnx', bytes, sha256 }, …]
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFile } from '../../contract/index.ts';
import { CLIP_ONNX_FILES } from './clip-files.ts';

/** Files besides the required ones that a CLIP folder may hold and the model uses. */
const OPTIONAL_FILES = ['special_tokens_map.json', 'vocab.json', 'merges.txt'] as const;

/** Hex sha256 of a file, streamed (model files are hundreds of MB). */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The model's files present in `dir` (the layout's, plus external ONNX weight files), hashed. */
export async function hashModelFiles(dir: string): Promise<ModelFile[]> {
  const paths = new Set<string>([...Object.values(CLIP_ONNX_FILES), ...OPTIONAL_FILES]);
  // Large exports keep weights beside the graph (`text_model.onnx_data`): they are part of the model.
  if (existsSync(join(dir, 'onnx'))) for (const name of await readdir(join(dir, 'onnx'))) if (/^(text|vision)_model\.onnx_data$/.test(name)) paths.add(`onnx/${name}`);
  const files: ModelFile[] = [];
  for (const path of [...paths].sort()) {
    const full = join(dir, path);
    if (!existsSync(full)) continue;
    files.push({ path, bytes: (await stat(full)).size, sha256: await sha256File(full) });
  }
  return files;
}
