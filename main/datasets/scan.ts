/**
 * Walks a folder for the importer: every file with an image extension, recursively, in a
 * stable order. Symbolic links are not followed (a link can point anywhere, or in a loop);
 * a sub-folder that cannot be read is reported, not fatal; other files are only counted.
 *
 * @example
 *   const { files, problems, ignored } = await scanFolder('/photos', { skip: [dataDir] });
 */
import { lstat, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { IMAGE_EXTENSIONS } from './sniff.ts';

export interface ScannedFile {
  /** Absolute path. */
  absolute: string;
  /** Inside the folder, `/`-separated (the key of its row). */
  path: string;
  bytes: number;
  mtimeMs: number;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Entries that look like images but cannot be imported as found (links, unreadable folders). */
  problems: { path: string; reason: string }[];
  /** Other files, counted by extension (`(none)` for files without one). */
  ignored: Record<string, number>;
}

const toKey = (folder: string, absolute: string): string => relative(folder, absolute).split(sep).join('/');

export async function scanFolder(folder: string, options: { skip?: readonly string[] } = {}): Promise<ScanResult> {
  const result: ScanResult = { files: [], problems: [], ignored: {} };
  const skip = new Set(options.skip ?? []);
  const pending = [folder];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      result.problems.push({ path: `${toKey(folder, dir)}/`, reason: `folder could not be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
      continue;
    }
    for (const entry of entries) {
      const absolute = join(dir, entry.name);
      const extension = extname(entry.name).toLowerCase();
      if (entry.isDirectory()) {
        if (!skip.has(absolute)) pending.push(absolute);
      } else if (!IMAGE_EXTENSIONS.has(extension)) {
        const key = extension || '(none)';
        result.ignored[key] = (result.ignored[key] ?? 0) + 1;
      } else if (entry.isSymbolicLink()) {
        result.problems.push({ path: toKey(folder, absolute), reason: 'a symbolic link: links are not followed' });
      } else if (!entry.isFile()) {
        result.problems.push({ path: toKey(folder, absolute), reason: 'not a regular file (a device, socket or pipe)' });
      } else {
        const info = await lstat(absolute).catch(() => undefined);
        if (info) result.files.push({ absolute, path: toKey(folder, absolute), bytes: info.size, mtimeMs: Math.round(info.mtimeMs) });
        else result.problems.push({ path: toKey(folder, absolute), reason: 'unreadable: the file disappeared during the import' });
      }
    }
  }
  result.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return result;
}
