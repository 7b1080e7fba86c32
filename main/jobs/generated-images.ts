/**
 * Generated images ([N, R, R, 3] in [−1, 1], as G outputs them) to PNG files: one per image
 * (generation), or one grid (training samples: columns are conditions, rows are seeds).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

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
  await sharp(grid, { raw: { width, height: rows * r, channels: 3 } }).png().toFile(file);
}

/** Writes each image as `<prefix>-<k>.png` in `folder`; returns the paths. */
export async function writeImages(folder: string, prefix: string, images: tf.Tensor4D): Promise<string[]> {
  const [n, r] = images.shape;
  const data = await toBytes(images);
  const files: string[] = [];
  for (let k = 0; k < n; k++) {
    const path = join(folder, `${prefix}-${k}.png`);
    await sharp(Buffer.from(data.subarray(k * r * r * 3, (k + 1) * r * r * 3)), { raw: { width: r, height: r, channels: 3 } }).png().toFile(path);
    files.push(path);
  }
  return files;
}
