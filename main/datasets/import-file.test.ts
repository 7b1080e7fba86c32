import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { solid, writeMessyFolder, type MessyFolder } from '../../tests/helpers/images.ts';
import { importFile, type FileOutcome, type ImportFileOptions } from './import-file.ts';
import { scanFolder } from './scan.ts';

let folder: string;
let messy: MessyFolder;
let options: ImportFileOptions;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'lafite-import-'));
  messy = await writeMessyFolder(folder);
  const cache = mkdtempSync(join(tmpdir(), 'lafite-cache-'));
  options = { cacheDir: cache, imageSize: 32, minSize: 16, thumbnailPath: (s) => join(cache, 't', `${s}.webp`), cropPath: (s) => join(cache, 'c', `${s}.png`) };
});

async function importPath(path: string, extra: Partial<ImportFileOptions> = {}): Promise<FileOutcome> {
  const scan = await scanFolder(folder);
  const file = scan.files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the scan`);
  return importFile(file.absolute, file.bytes, { ...options, ...extra });
}

/** The mean RGB of a cached picture. */
async function meanColor(file: string): Promise<number[]> {
  const stats = await sharp(file).stats();
  return stats.channels.slice(0, 3).map((c) => Math.round(c.mean));
}

describe('scanFolder', () => {
  it('finds image files by extension in path order, reports links, counts the rest', async () => {
    const scan = await scanFolder(folder);
    const paths = scan.files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    for (const path of [...messy.imported, messy.duplicate.path]) expect(paths).toContain(path);
    expect(paths).not.toContain('link.png');
    expect(scan.problems).toEqual([{ path: 'link.png', reason: expect.stringMatching(/symbolic link/) }]);
    expect(scan.ignored).toEqual({ '.txt': 1 });
  });
});

describe('importFile', () => {
  it('imports every supported format with hashes, oriented size and cached pictures', async () => {
    for (const path of messy.imported) {
      const outcome = await importPath(path);
      expect(outcome.status, path).toBe('imported');
      if (outcome.status !== 'imported') continue;
      expect(outcome.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(outcome.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(existsSync(options.cropPath(outcome.sha256))).toBe(true);
      const crop = await sharp(options.cropPath(outcome.sha256)).metadata();
      expect([crop.width, crop.height, crop.channels]).toEqual([32, 32, 3]);
      const thumb = await sharp(options.thumbnailPath(outcome.sha256)).metadata();
      expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 128, 128]);
    }
  });

  it('applies the EXIF orientation (80×40 stored, orientation 6 → 40×80)', async () => {
    const outcome = await importPath('rotated.jpg');
    expect(outcome).toMatchObject({ status: 'imported', format: 'jpeg', width: 40, height: 80 });
  });

  it('decodes BMP through bmp-ts with the right colors', async () => {
    const outcome = await importPath('good/yellow.BMP');
    expect(outcome).toMatchObject({ status: 'imported', format: 'bmp', width: 40, height: 40 });
    const [r, g, b] = await meanColor(options.cropPath(outcome.sha256!));
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
  });

  it('flattens transparency on white', async () => {
    const path = join(folder, 'transparent.png');
    writeFileSync(
      path,
      await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
        .png()
        .toBuffer(),
    );
    const outcome = await importFile(path, 1, options);
    expect(outcome.status).toBe('imported');
    expect(await meanColor(options.cropPath(outcome.sha256!))).toEqual([255, 255, 255]);
  });

  it('gives every broken file a reason instead of throwing', async () => {
    for (const [path, reason] of Object.entries(messy.rejected)) {
      if (path === 'link.png') continue; // the scan reports links; they are never opened
      const outcome = await importPath(path);
      expect(outcome.status, path).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.reason, path).toMatch(reason);
    }
  });

  it('rejects a JPEG whose data stops early, and one whose header claims pixels its bytes cannot hold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lafite-jpeg-'));
    const noise = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251));
    const jpeg = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    // Cut mid-scan, then closed with an end-of-image marker, as a broken download or copy leaves it.
    const cut = Buffer.concat([jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), Buffer.from([0xff, 0xd9])]);
    // A tiny file whose frame header says 9999×9999.
    const tiny = Buffer.from(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer(),
    );
    const sof = tiny.findIndex((byte, i) => byte === 0xff && (tiny[i + 1] === 0xc0 || tiny[i + 1] === 0xc2));
    tiny.writeUInt16BE(9999, sof + 5);
    tiny.writeUInt16BE(9999, sof + 7);
    for (const [name, bytes] of [
      ['cut.jpg', cut],
      ['tiny.jpg', tiny],
    ] as const) {
      writeFileSync(join(dir, name), bytes);
      const outcome = await importFile(join(dir, name), bytes.length, options);
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^corrupt or truncated JPEG: .*premature end/i) });
    }
  });

  it('refuses images over the pixel limit before decoding them', async () => {
    const path = join(folder, 'big.png');
    writeFileSync(path, await solid(300, 300, [1, 2, 3]).png().toBuffer());
    const outcome = await importFile(path, 1, { ...options, maxPixels: 50_000 });
    expect(outcome).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/too large/) });
  });

  it('rejects a file that vanished between the scan and the read', async () => {
    const outcome = await importFile(join(folder, 'gone.png'), 10, options);
    expect(outcome).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/disappeared/) });
  });
});
