/**
 * How much a folder holds and how much its disk has free, for the status bar. Plain Node
 * (no Electron import), unit-tested. The count walks the folder once in the background;
 * symbolic links are not followed (a model added "in place" stays where the user keeps it).
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes in the files below `dir` (0 for a folder that does not exist). */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await lstat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Bytes free to this user on the disk of `dir`; null where the OS does not say. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const stats = await statfs(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}
