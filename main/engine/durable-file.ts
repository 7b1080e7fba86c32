/**
 * Files written whole or not at all, and still whole after a power cut: the bytes go to a
 * temporary file beside the target, are fsynced, and the temporary file is renamed over the
 * target (then the folder is fsynced, so the rename itself is on disk). Without the first
 * fsync a crash soon after the rename can leave the new name pointing at a file of zeros or a
 * short one, which is what a checkpoint "written atomically" looked like after a power loss.
 *
 * @example
 *   await writeFileDurably('/data/runs/x/checkpoint.bin', bytes);
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `data` to `path` through a fsynced temporary file and a rename. */
export async function writeFileDurably(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Unique per writer: two processes saving the same file must not write into one temporary.
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    // 'wx': never through a symbolic link or over a file someone planted under this name.
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

/** Fsyncs a folder, so that a rename in it survives a crash; a platform that cannot (Windows) is left as is. */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Folders cannot be opened or fsynced everywhere (Windows: EPERM, EISDIR): the file itself is synced.
  } finally {
    await handle?.close();
  }
}
