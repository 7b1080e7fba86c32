import { readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { writeImages } from './generated-images.ts';

describe('writeImages', () => {
  const dir = tempDir();
  const images = (): tf.Tensor4D => tf.zeros([2, 4, 4, 3]);
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => dir.remove());

  it('writes one PNG per image', async () => {
    const files = await writeImages(dir.path, 'seed0', images());
    expect(files).toEqual([join(dir.path, 'seed0-0.png'), join(dir.path, 'seed0-1.png')]);
    expect(readFileSync(files[0]!).subarray(1, 4).toString()).toBe('PNG');
  });

  it('overwrites neither earlier images nor the target of a planted link, and writes nothing', async () => {
    await expect(writeImages(dir.path, 'seed0', images())).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/seed0-0\.png already exists/) });
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(dir.path, 'seed1-1.png'));
    await expect(writeImages(dir.path, 'seed1', images())).rejects.toMatchObject({ code: 'conflict' });
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(readdirSync(dir.path).sort()).toEqual(['seed0-0.png', 'seed0-1.png', 'seed1-1.png', 'victim.txt']);
  });
});
