/**
 * What a file really is, from its first bytes: the extension is only a hint (a web scrape
 * saves error pages as `.jpg`, macOS leaves `._IMG_0001.JPG` resource forks, phones save
 * HEIC). Decodable formats go to the decoder; the rest get a reason a person understands.
 *
 * @example
 *   sniffImage(await readFile('photo.jpg'))  // { kind: 'image', format: 'jpeg' }
 */

/** Formats the importer decodes (sharp; BMP through bmp-ts). */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff';

export type Sniffed = { kind: 'image'; format: ImageFormat } | { kind: 'unsupported'; reason: string };

/** File name extensions the importer looks at (lower case); other files are counted as ignored. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.png',
  '.webp',
  '.gif',
  '.bmp',
  '.dib',
  '.tif',
  '.tiff',
  '.heic',
  '.heif',
  '.avif',
  '.svg',
]);

const ascii = (bytes: Uint8Array, start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean => signature.every((b, i) => bytes[i] === b);

/** The ISO base media brand (`ftyp`) of HEIF/AVIF files, if any. */
function isoBrand(bytes: Uint8Array): string | undefined {
  return bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp' ? ascii(bytes, 8, 12) : undefined;
}

export function sniffImage(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'png' };
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return { kind: 'image', format: 'bmp' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'image', format: 'tiff' };
  const brand = isoBrand(bytes);
  if (brand && /^(heic|heix|hevc|hevx|mif1|msf1)$/.test(brand)) return { kind: 'unsupported', reason: 'HEIC/HEIF (a phone photo format) is not supported: convert it to JPEG' };
  if (brand && /^avi[fs]$/.test(brand)) return { kind: 'unsupported', reason: 'AVIF is not supported: convert it to JPEG, PNG or WebP' };
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')))
    return { kind: 'unsupported', reason: 'a vector image (SVG): only pixel images are imported' };
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return { kind: 'unsupported', reason: 'not an image: an HTML page saved with an image name' };
  if (startsWith(bytes, [0x00, 0x05, 0x16, 0x07])) return { kind: 'unsupported', reason: 'not an image: a macOS resource fork (AppleDouble "._" file)' };
  return { kind: 'unsupported', reason: 'not an image: the content is no JPEG, PNG, WebP, GIF, BMP or TIFF' };
}
