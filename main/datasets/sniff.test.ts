import { describe, expect, it } from 'vitest';
import { sniffImage } from './sniff.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));

describe('sniffImage', () => {
  it('recognises the decodable formats by their signatures, not their names', () => {
    expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ kind: 'image', format: 'jpeg' });
    expect(sniffImage(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toEqual({ kind: 'image', format: 'png' });
    expect(sniffImage(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toEqual({ kind: 'image', format: 'webp' });
    expect(sniffImage(bytes('GIF89a', [0, 0]))).toEqual({ kind: 'image', format: 'gif' });
    expect(sniffImage(bytes('BM', new Array(30).fill(0)))).toEqual({ kind: 'image', format: 'bmp' });
    expect(sniffImage(bytes('II*', [0]))).toEqual({ kind: 'image', format: 'tiff' });
  });

  it('names what phones, scrapes and editors leave behind', () => {
    const reason = (data: Uint8Array): string => {
      const sniffed = sniffImage(data);
      return sniffed.kind === 'unsupported' ? sniffed.reason : 'decodable';
    };
    expect(reason(bytes([0, 0, 0, 24], 'ftypheic'))).toMatch(/HEIC/);
    expect(reason(bytes([0, 0, 0, 24], 'ftypavif'))).toMatch(/AVIF/);
    expect(reason(bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toMatch(/SVG/);
    expect(reason(bytes('  <!DOCTYPE html><title>404</title>'))).toMatch(/HTML page/);
    expect(reason(bytes([0x00, 0x05, 0x16, 0x07, 0, 2]))).toMatch(/resource fork/);
    expect(reason(bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toMatch(/not an image/);
    expect(reason(bytes('BM'))).toMatch(/not an image/); // too short to be a bitmap
    expect(reason(new Uint8Array(0))).toMatch(/not an image/);
  });
});
