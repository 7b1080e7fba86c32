/**
 * One file of a folder being imported: read once, hashed (sha256 and MD5, the keys of
 * Lafite2's overlap removal), sniffed, decoded with sharp (EXIF orientation applied, first
 * frame of a GIF, alpha flattened on white), and cached as a thumbnail and a square
 * training crop named by content. Anything wrong comes back as a reason, never a throw.
 *
 * @example
 *   const outcome = await importFile('/photos/a.jpg', 52_311, { cacheDir, imageSize: 256, minSize: 32 });
 *   if (outcome.status === 'rejected') console.log(outcome.reason);
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decode as decodeBmp } from 'bmp-ts';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { sniffImage, type ImageFormat } from './sniff.ts';

/** Side of the square thumbnails the grid shows. */
export const THUMBNAIL_SIZE = 128;
/** Files larger than this are not read at all (a 100-megapixel camera JPEG is about 40 MB). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Decompression-bomb guard: images with more pixels than this are refused before decoding. */
export const MAX_PIXELS = 100_000_000;
/** Uncompressed BMP is decoded to RGBA in memory: a lower limit (200 MB). */
const MAX_BMP_PIXELS = 50_000_000;

export interface ImportFileOptions {
  /** Where thumbnails and crops go (datasetCacheDir). */
  cacheDir: string;
  /** Side of the square training crop. */
  imageSize: number;
  /** Shorter sides under this are rejected. */
  minSize: number;
  /** Decompression-bomb guard (default MAX_PIXELS). */
  maxPixels?: number;
  /** Paths of the cached pictures for a content hash. */
  thumbnailPath(sha256: string): string;
  cropPath(sha256: string): string;
}

export type FileOutcome =
  | { status: 'imported'; sha256: string; md5: string; format: ImageFormat; width: number; height: number }
  | { status: 'rejected'; reason: string; sha256?: string; md5?: string; format?: string; width?: number; height?: number };

const rejected = (reason: string, extra: Partial<Extract<FileOutcome, { status: 'rejected' }>> = {}): FileOutcome => ({ status: 'rejected', reason, ...extra });
const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();

/** Why a file could not be read, in words. */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable: permission denied';
  if (code === 'ENOENT') return 'unreadable: the file disappeared during the import';
  if (code === 'EISDIR') return 'unreadable: a folder with an image name';
  return `unreadable: ${code ?? firstLine(error)}`;
}

/** A sharp pipeline on the file's bytes; BMP (which libvips lacks) goes through bmp-ts as raw RGBA. */
function openPicture(bytes: Buffer, format: ImageFormat, maxPixels: number): Sharp | string {
  // libjpeg only warns where a JPEG's data stops early ("premature end of data segment") and
  // fills the rest with gray: a cut file, or a tiny one whose header claims 9999×9999, would be
  // imported as a flat picture. For JPEG a warning is a failure; libpng's warnings (a wrong
  // colour profile) leave the picture whole, so other formats fail on truncation only.
  const failOn = format === 'jpeg' ? 'warning' : 'truncated';
  if (format !== 'bmp') return sharp(bytes, { failOn, limitInputPixels: maxPixels, pages: 1 });
  const width = Math.abs(bytes.readInt32LE(18));
  const height = Math.abs(bytes.readInt32LE(22));
  const limit = Math.min(maxPixels, MAX_BMP_PIXELS);
  if (width * height > limit) return `too large: ${width}×${height} BMP (more than ${limit / 1e6} megapixels)`;
  const bmp = decodeBmp(bytes, { toRGBA: true });
  if (bmp.data.length < bmp.width * bmp.height * 4) return 'corrupt or truncated BMP: fewer pixels than its header says';
  // bmp-ts leaves alpha 0 where the file has none (24-bit, or a 32-bit file not using it): opaque.
  if (bmp.bitPP < 32 || bmp.data.every((byte, i) => i % 4 !== 3 || byte === 0)) for (let i = 3; i < bmp.data.length; i += 4) bmp.data[i] = 255;
  return sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: 4 } });
}

/** Writes a file whole or not at all: a killed import never leaves half a picture under its final name. */
async function writeAtomically(path: string, data: Buffer): Promise<void> {
  if (
    await stat(path).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return; // named by content: already there
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Size after EXIF orientation (orientations 5 to 8 swap the sides). */
function orientedSize(meta: Metadata): { width: number; height: number } {
  const swap = (meta.orientation ?? 1) >= 5;
  return swap ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

interface Rendered {
  width: number;
  height: number;
  crop: Buffer;
  thumbnail: Buffer;
}

/** Decodes, checks the size and renders both cached pictures; a string is the reason it failed. */
async function renderPictures(picture: Sharp, options: ImportFileOptions): Promise<Rendered | string> {
  const meta = await picture.metadata();
  const { width, height } = orientedSize(meta);
  if (Math.min(width, height) < options.minSize) return `too small: ${width}×${height}, the shorter side is under ${options.minSize} px`;
  const base = picture.rotate().flatten({ background: '#ffffff' }).toColourspace('srgb');
  // Decoding happens here: a truncated or corrupt file fails now.
  const [crop, thumbnail] = await Promise.all([
    base.clone().resize(options.imageSize, options.imageSize, { fit: 'cover', position: 'centre' }).removeAlpha().png({ compressionLevel: 6 }).toBuffer(),
    base.clone().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover', position: 'centre' }).removeAlpha().webp({ quality: 75 }).toBuffer(),
  ]);
  return { width, height, crop, thumbnail };
}

function decodeFailure(error: unknown, format: ImageFormat, maxPixels: number): string {
  const message = firstLine(error);
  if (/pixel limit/i.test(message)) return `too large: more than ${maxPixels / 1e6} megapixels`;
  return `corrupt or truncated ${format.toUpperCase()}: ${message}`;
}

/** Pixels handed to an encoder: CLIP looks at 224 px, so larger pictures are shrunk on decoding (memory). */
const ENCODER_MAX_SIDE = 512;

/**
 * A picture as the encoder should see it: EXIF orientation applied, alpha flattened on white,
 * RGB, the shorter side at most 512 px (CLIP preprocessing crops 224 px from it). BMP included.
 */
export async function decodeForEncoder(bytes: Buffer): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  const sniffed = sniffImage(bytes);
  if (sniffed.kind === 'unsupported') throw new Error(sniffed.reason);
  const picture = openPicture(bytes, sniffed.format, MAX_PIXELS);
  if (typeof picture === 'string') throw new Error(picture);
  const { data, info } = await picture
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(ENCODER_MAX_SIDE, ENCODER_MAX_SIDE, { fit: 'outside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export async function importFile(path: string, bytes: number, options: ImportFileOptions): Promise<FileOutcome> {
  if (bytes === 0) return rejected('empty file (0 bytes)');
  if (bytes > MAX_FILE_BYTES) return rejected(`too large: ${Math.round(bytes / 2 ** 20)} MB (the limit is ${MAX_FILE_BYTES / 2 ** 20} MB)`);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    return rejected(readFailure(error));
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  const md5 = createHash('md5').update(data).digest('hex');
  const sniffed = sniffImage(data);
  if (sniffed.kind === 'unsupported') return rejected(sniffed.reason, { sha256, md5 });
  const { format } = sniffed;
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  let rendered: Rendered | string;
  try {
    const picture = openPicture(data, format, maxPixels);
    rendered = typeof picture === 'string' ? picture : await renderPictures(picture, options);
  } catch (error) {
    rendered = decodeFailure(error, format, maxPixels);
  }
  if (typeof rendered === 'string') return rejected(rendered, { sha256, md5, format });
  // Outside the try: a full disk fails the job (resumable), it does not reject the image.
  await writeAtomically(options.cropPath(sha256), rendered.crop);
  await writeAtomically(options.thumbnailPath(sha256), rendered.thumbnail);
  return { status: 'imported', sha256, md5, format, width: rendered.width, height: rendered.height };
}
