/**
 * A folder as careless users and web scrapes leave them: real images of every supported
 * format (one with an EXIF rotation), an exact duplicate, and files that must be rejected
 * (empty, text and HTML with image names, truncated, too small, a symbolic link), plus a file
 * that is no image at all by its extension.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodeBmp } from 'bmp-ts';
import sharp from 'sharp';

/** A solid-color image of the given size. */
export const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });

/** A BMP file (libvips cannot write one; bmp-ts can). */
function bmp(width: number, height: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([0xff, rgb[2], rgb[1], rgb[0]], i * 4); // ABGR
  return encodeBmp({ data, width, height, bitPP: 24 }).data;
}

export interface MessyFolder {
  /** Paths (inside the folder) that import. */
  imported: string[];
  /** Path of the exact duplicate, and of the image it duplicates. */
  duplicate: { path: string; of: string };
  /** Rejected paths, each with a word its reason contains. */
  rejected: Record<string, RegExp>;
  /** Files that are not images by their extension. */
  ignored: string[];
}

export async function writeMessyFolder(dir: string): Promise<MessyFolder> {
  mkdirSync(join(dir, 'good', 'nested'), { recursive: true });
  const red = await solid(64, 64, [220, 20, 20]).png().toBuffer();
  const green = await solid(80, 60, [20, 200, 20]).jpeg({ quality: 90 }).toBuffer();
  writeFileSync(join(dir, 'good', 'red.png'), red);
  writeFileSync(join(dir, 'good', 'green.jpg'), green);
  writeFileSync(join(dir, 'good', 'nested', 'blue.webp'), await solid(64, 64, [20, 20, 220]).webp().toBuffer());
  writeFileSync(join(dir, 'good', 'nested', 'cyan.gif'), await solid(48, 48, [20, 200, 200]).gif().toBuffer());
  writeFileSync(join(dir, 'good', 'yellow.BMP'), bmp(40, 40, [230, 230, 20]));
  // 80 wide, 40 high as stored; EXIF orientation 6 (rotate 90°) makes it 40×80.
  writeFileSync(join(dir, 'rotated.jpg'), await solid(80, 40, [120, 60, 200]).jpeg().withMetadata({ orientation: 6 }).toBuffer());
  writeFileSync(join(dir, 'zz-copy-of-red.png'), red);
  writeFileSync(join(dir, 'empty.jpg'), Buffer.alloc(0));
  writeFileSync(join(dir, 'notes.jpg'), 'shopping list: eggs, milk\n');
  writeFileSync(join(dir, 'page.jpg'), '<!DOCTYPE html><html><body>403 Forbidden</body></html>');
  writeFileSync(join(dir, 'truncated.jpg'), green.subarray(0, Math.floor(green.length / 2)));
  writeFileSync(join(dir, 'tiny.png'), await solid(8, 8, [0, 0, 0]).png().toBuffer());
  writeFileSync(join(dir, 'readme.txt'), 'not an image');
  symlinkSync(join(dir, 'good', 'red.png'), join(dir, 'link.png'));
  return {
    imported: ['good/green.jpg', 'good/nested/blue.webp', 'good/nested/cyan.gif', 'good/red.png', 'good/yellow.BMP', 'rotated.jpg'],
    duplicate: { path: 'zz-copy-of-red.png', of: 'good/red.png' },
    rejected: {
      'empty.jpg': /empty/,
      'notes.jpg': /not an image/,
      'page.jpg': /HTML/,
      'truncated.jpg': /truncated/,
      'tiny.png': /too small/,
      'link.png': /symbolic link/,
    },
    ignored: ['readme.txt'],
  };
}
