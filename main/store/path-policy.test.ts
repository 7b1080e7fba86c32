import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { checkPath, isInside, type PathUse } from './path-policy.ts';

const unix = process.platform !== 'win32';

describe('path policy', () => {
  const dir = tempDir();
  const dataDir = join(dir.path, 'data');
  const mine = join(dir.path, 'mine');
  mkdirSync(dataDir);
  mkdirSync(join(mine, 'pictures'), { recursive: true });
  writeFileSync(join(mine, 'captions.csv'), 'image,caption\n');
  symlinkSync(join(mine, 'captions.csv'), join(mine, 'link.csv'));
  symlinkSync(dataDir, join(mine, 'data-link'));
  afterAll(() => dir.remove());
  const check = (path: string, use: PathUse, allowedDirs?: string[]) => checkPath(path, { use, field: 'file', dataDir, ...(allowedDirs ? { allowedDirs } : {}) });

  it('returns the real path of what it accepts', () => {
    expect(check(join(mine, 'link.csv'), 'read-file')).toBe(join(mine, 'captions.csv'));
    expect(check(join(mine, 'data-link'), 'read-folder')).toBe(dataDir);
    expect(check(join(mine, 'data-link', 'new', 'deeper'), 'write-folder')).toBe(join(dataDir, 'new', 'deeper'));
  });

  it.skipIf(!unix)('never reads or writes the pseudo file systems, however the path is spelled', () => {
    symlinkSync('/proc/self/environ', join(mine, 'innocent.csv'));
    for (const [path, use] of [
      ['/proc/self/environ', 'read-file'],
      [join(mine, 'innocent.csv'), 'read-file'],
      ['/proc/self/x', 'write-folder'],
      ['/sys/kernel', 'read-folder'],
      ['/dev/zero', 'read-file'],
    ] as const) {
      expect(() => check(path, use)).toThrow(/file system, which Lafite Studio never reads or writes/);
    }
  });

  it.skipIf(!unix)('reads only regular files: not a named pipe, not a folder, not what is missing', () => {
    execFileSync('mkfifo', [join(mine, 'pipe.onnx')]);
    expect(() => check(join(mine, 'pipe.onnx'), 'read-file')).toThrow(/is a named pipe, not a file/);
    expect(() => check(join(mine, 'pictures'), 'read-file')).toThrow(/is a folder, not a file/);
    expect(() => check(join(mine, 'nope.csv'), 'read-file')).toThrow(/no file at/);
    expect(() => check(join(mine, 'captions.csv'), 'read-folder')).toThrow(/not a folder/);
    expect(() => check(join(mine, 'captions.csv'), 'write-folder')).toThrow(/not a folder/);
  });

  it('keeps to the chosen folders and the data folder when some are set', () => {
    const chosen = [join(mine, 'pictures')];
    expect(check(join(mine, 'pictures'), 'read-folder', chosen)).toBe(join(mine, 'pictures'));
    expect(check(join(dataDir, 'out'), 'write-folder', chosen)).toBe(join(dataDir, 'out'));
    expect(() => check(join(mine, 'captions.csv'), 'read-file', chosen)).toThrow(/outside the folders Lafite Studio may use/);
    expect(() => check(join(mine, 'pictures', '..', 'captions.csv'), 'read-file', chosen)).toThrow(/outside/);
  });

  it('tells inside from beside', () => {
    expect(isInside('/a/b', '/a')).toBe(true);
    expect(isInside('/a', '/a')).toBe(true);
    expect(isInside('/ab', '/a')).toBe(false);
    expect(isInside('/a/../b', '/a')).toBe(false);
  });
});
