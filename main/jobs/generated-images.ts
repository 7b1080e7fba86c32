/**
 * Generated images ([N, R, R, 3] in [−1, 1], as G outputs them) to PNG files: one per image
 * (generation), or one grid (training samples: columns are conditions, rows are seeds).
 */
import { lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { conflict } from '../contract/errors.ts';
import type { PngSettings } from '../contract/index.ts';
import { encodeSettingsPng } from './png-settings.ts';

/** Pixels as bytes, row-major [N, R, R, 3]. */
export async function toBytes(images: tf.Tensor4D): Promise<Uint8Array> {
  const pixels = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(images, 1), 127.5)), 0, 255), 'int32'));
  const data = Uint8Array.from(await pixels.data());
  pixels.dispose();
  return data;
}

/** Writes image k at row ⌊k / columns⌋, column k mod columns of one PNG. */
export async function writeImageGrid(file: string, images: tf.Tensor4D, columns: number): Promise<void> {
  const [n, r] = images.shape;
  const rows = Math.ceil(n / columns);
  const data = await toBytes(images);
  const width = columns * r;
  const grid = Buffer.alloc(rows * r * width * 3);
  for (let k = 0; k < n; k++) {
    const top = Math.floor(k / columns) * r;
    const left = (k % columns) * r;
    for (let y = 0; y < r; y++) grid.set(data.subarray((k * r + y) * r * 3, (k * r + y + 1) * r * 3), ((top + y) * width + left) * 3);
  }
  await sharp(grid, { raw: { width, height: rows * r, channels: 3 } })
    .png()
    .toFile(file);
}

/**
 * Writes each image as `<prefix>-<k>.png` in `folder`; returns the paths. Never over an existing
 * file or through a symbolic link planted under one of the names: the names are checked first
 * (conflict, nothing written), and each file is created exclusively ('wx'). With `settingsOf`,
 * each PNG carries its settings in text chunks (png-settings.ts).
 */
export async function writeImages(folder: string, prefix: string, images: tf.Tensor4D, settingsOf?: (index: number, size: number) => PngSettings): Promise<string[]> {
  const [n, r] = images.shape;
  const paths = Array.from({ length: n }, (_, k) => join(folder, `${prefix}-${k}.png`));
  const taken = (
    await Promise.all(
      paths.map((path) =>
        lstat(path).then(
          () => path,
          () => undefined,
        ),
      ),
    )
  ).filter((path) => path !== undefined);
  if (taken.length > 0) throw conflict(`${taken[0]} already exists (${taken.length} of the ${n} file names are taken): choose another output folder or seed`);
  const data = await toBytes(images);
  for (const [k, path] of paths.entries()) {
    const png = encodeSettingsPng(data.subarray(k * r * r * 3, (k + 1) * r * r * 3), r, settingsOf?.(k, r) ?? null);
    await writeFile(path, png, { flag: 'wx' });
  }
  return paths;
}
