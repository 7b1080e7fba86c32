/**
 * Checksums of the ONNX files the project writes (the demo CLIP `shapes-clip` and any export of
 * `writeClipOnnx`): `checksums.json` beside them holds each file's size and sha256, and every
 * load checks them, so a cut or changed export is refused with a message naming the file
 * instead of reaching ONNX Runtime (which may parse a truncated protobuf without complaint).
 * Folders without the file (a user's own Hugging Face export) are loaded as they are.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput } from '../../contract/errors.ts';
import { writeFileDurably } from '../durable-file.ts';

export const EXPORT_CHECKSUMS_FILE = 'checksums.json';

interface Checksums {
  format: 'lafite-export-checksums';
  files: Record<string, { size: number; sha256: string }>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Writes `dir/checksums.json` for `files` (paths relative to `dir`), after the files themselves. */
export async function writeExportChecksums(dir: string, files: readonly string[]): Promise<void> {
  const entries: Checksums['files'] = {};
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    entries[file] = { size: bytes.length, sha256: sha256(bytes) };
  }
  const checksums: Checksums = { format: 'lafite-export-checksums', files: entries };
  await writeFileDurably(join(dir, EXPORT_CHECKSUMS_FILE), `${JSON.stringify(checksums, null, 2)}\n`);
}

/** Checks the files `dir/checksums.json` lists (nothing to check without it); throws invalid_input naming the file at fault. */
export async function verifyExportChecksums(dir: string, only?: readonly string[]): Promise<void> {
  const path = join(dir, EXPORT_CHECKSUMS_FILE);
  if (!existsSync(path)) return;
  const checksums = JSON.parse(await readFile(path, 'utf8')) as Checksums;
  if (checksums.format !== 'lafite-export-checksums') throw invalidInput(`${path} is not a Lafite checksum file`, 'folder');
  for (const [file, expected] of Object.entries(checksums.files)) {
    if (only && !only.some((wanted) => wanted.replaceAll('\\', '/') === file)) continue; // keys use '/', callers may join with the platform's separator
    const full = join(dir, file);
    if (!existsSync(full)) throw invalidInput(`${full} is missing (the export listed it in ${EXPORT_CHECKSUMS_FILE})`, 'folder');
    const bytes = await readFile(full);
    if (bytes.length !== expected.size) throw invalidInput(`${full} is cut or changed: ${bytes.length} bytes where the export wrote ${expected.size}`, 'folder');
    if (sha256(bytes) !== expected.sha256) throw invalidInput(`${full} was changed after it was written (its sha256 differs from ${EXPORT_CHECKSUMS_FILE})`, 'folder');
  }
}
