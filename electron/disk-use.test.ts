import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../tests/helpers/temp.ts';
import { folderBytes, freeBytes } from './disk-use.ts';

describe('disk use', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('adds up the files below a folder, without following links', async () => {
    mkdirSync(join(dir.path, 'runs', 'a'), { recursive: true });
    writeFileSync(join(dir.path, 'lafite.db'), Buffer.alloc(1000));
    writeFileSync(join(dir.path, 'runs', 'a', 'checkpoint.bin'), Buffer.alloc(2500));
    if (process.platform !== 'win32') symlinkSync(join(dir.path, 'runs'), join(dir.path, 'link'));
    expect(await folderBytes(dir.path)).toBe(3500);
    expect(await folderBytes(join(dir.path, 'missing'))).toBe(0);
  });

  it('tells the free space of the disk', async () => {
    expect(await freeBytes(dir.path)).toBeGreaterThan(0);
  });
});
