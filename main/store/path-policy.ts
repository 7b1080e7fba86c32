/**
 * The one policy for paths that cross the API (a caption file, a model folder, an image
 * folder to import, an output folder, an image or an Inception file): every one is checked
 * here before anything opens it, and the caller goes on with the real path this returns.
 *
 * - The real path counts (symbolic links resolved), not the spelling: a link cannot lead
 *   into the data folder's caches or out of the allowed folders.
 * - Never the kernel's pseudo file systems (/proc, /sys, /dev, Windows device paths): reading
 *   them discloses the process (its environment) or blocks forever, and writing there can
 *   spin a recursive mkdir that no worker.terminate() interrupts.
 * - A file to read is a regular file: a FIFO or a device blocks the thread that opens it
 *   (onnxruntime opens models synchronously, on the main thread in Electron).
 * - With `LAFITE_ALLOWED_DIRS` (folders separated by the platform's path delimiter), only
 *   paths inside those folders or the data folder are accepted: the folders the user chose.
 *
 * @example
 *   const file = checkPath(input.file, { use: 'read-file', field: 'file', dataDir });
 */
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { basename, delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { invalidInput } from '../contract/errors.ts';

/** What the caller is about to do with the path. */
export type PathUse = 'read-file' | 'read-folder' | 'write-folder';

export interface PathCheck {
  use: PathUse;
  /** The input field the path came from, named in errors. */
  field: string;
  /** The data folder: always allowed (as a place; callers refuse reading its caches). */
  dataDir: string;
  /** Folders the user chose; default: `LAFITE_ALLOWED_DIRS`, and anywhere but the pseudo file systems when unset. */
  allowedDirs?: readonly string[];
}

/** Pseudo file systems, as real paths. */
const SYSTEM_ROOTS = process.platform === 'win32' ? [] : ['/proc', '/sys', '/dev'];
/** Windows device namespaces (\\.\PIPE\x, \\?\GLOBALROOT\Device\…). */
const WINDOWS_DEVICE = /^[\\/]{2}[.?][\\/]/;

/** Whether `path` is `dir` or lies inside it (both absolute and real). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/** The real path of an existing path. */
const real = (path: string): string => realpathSync.native(path);

/** The real path of a path that may not exist yet: its deepest existing ancestor, made real, plus the rest. */
function realForCreation(path: string): string {
  const rest: string[] = [];
  let at = path;
  for (;;) {
    try {
      return join(real(at), ...rest.reverse());
    } catch {
      const parent = dirname(at);
      if (parent === at) return path;
      rest.push(basename(at));
      at = parent;
    }
  }
}

function allowedDirs(check: PathCheck): string[] | undefined {
  const dirs = check.allowedDirs ?? process.env.LAFITE_ALLOWED_DIRS?.split(delimiter).filter((dir) => dir.trim() !== '');
  if (!dirs || dirs.length === 0) return undefined;
  return [...dirs, check.dataDir].map((dir) => realForCreation(resolve(dir)));
}

const describeKind = (info: Stats): string =>
  info.isFIFO()
    ? 'a named pipe'
    : info.isSocket()
      ? 'a socket'
      : info.isCharacterDevice() || info.isBlockDevice()
        ? 'a device'
        : info.isDirectory()
          ? 'a folder'
          : 'not a regular file';

/**
 * Checks `path` for `check.use` and returns its real path. Throws invalid_input naming the
 * field; the message never quotes the file's contents.
 */
export function checkPath(path: string, check: PathCheck): string {
  const { field, use } = check;
  const refuse = (why: string) => invalidInput(`${field}: ${path} ${why}`, field);
  const missing = () => invalidInput(`${field}: no ${use.endsWith('folder') ? 'folder' : 'file'} at ${path}`, field);
  if (WINDOWS_DEVICE.test(path)) throw refuse('is a device path');
  const absolute = resolve(path);
  let realPath: string;
  if (use === 'write-folder') realPath = realForCreation(absolute);
  else {
    try {
      realPath = real(absolute);
    } catch {
      throw missing();
    }
  }
  if (SYSTEM_ROOTS.some((root) => isInside(realPath, root)))
    throw refuse(`is in the system's ${SYSTEM_ROOTS.find((root) => isInside(realPath, root))} file system, which Lafite Studio never reads or writes`);
  const allowed = allowedDirs(check);
  if (allowed && !allowed.some((dir) => isInside(realPath, dir))) {
    throw refuse(`is outside the folders Lafite Studio may use (LAFITE_ALLOWED_DIRS and the data folder)`);
  }
  const info = lstatOrUndefined(realPath);
  if (use === 'read-file' && !info?.isFile()) throw info ? refuse(`is ${describeKind(info)}, not a file`) : missing();
  if (use === 'read-folder' && !info?.isDirectory()) throw info ? refuse(`is ${describeKind(info)}, not a folder`) : missing();
  if (use === 'write-folder' && info && !info.isDirectory()) throw refuse(`is ${describeKind(info)}, not a folder`);
  return realPath;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
