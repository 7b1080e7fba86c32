import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { LafiteError } from '../../contract/errors.ts';
import { mulberry32 } from '../random.ts';
import { fidBlur, fidBlurSigma, gaussianBlur, gaussianKernel } from './blur.ts';

/** Direct 2-D convolution with the Gaussian exp(−(x² + y²)/2σ²), cut at ⌈4σ⌉ per axis, edges repeated. */
function blurDirect(image: Float32Array, height: number, width: number, channels: number, sigma: number): Float64Array {
  const half = Math.ceil(4 * sigma);
  let norm = 0;
  for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) norm += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
  const out = new Float64Array(image.length);
  const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let dy = -half; dy <= half; dy++) {
          for (let dx = -half; dx <= half; dx++) {
            const w = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            sum += w * image[(clamp(y + dy, height) * width + clamp(x + dx, width)) * channels + c]!;
          }
        }
        out[(y * width + x) * channels + c] = sum / norm;
      }
    }
  }
  return out;
}

const randomImage = (height: number, width: number, channels: number, seed: number): Float32Array => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: height * width * channels }, () => 255 * rng());
};

describe('gaussianKernel', () => {
  it('is normalised, symmetric, cut at ⌈4σ⌉, with variance σ² (σ ≥ 1: below, sampling shrinks it)', () => {
    expect(gaussianKernel(0.5)).toHaveLength(5);
    for (const sigma of [1, 2.5, 8]) {
      const kernel = gaussianKernel(sigma);
      const half = Math.ceil(4 * sigma);
      expect(kernel).toHaveLength(2 * half + 1);
      expect(kernel.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      kernel.forEach((w, i) => expect(w).toBe(kernel[kernel.length - 1 - i]));
      const variance = kernel.reduce((sum, w, i) => sum + w * (i - half) ** 2, 0);
      expect(Math.abs(variance / (sigma * sigma) - 1)).toBeLessThan(1e-3); // the cut at 4σ trims ~5e-4
    }
  });
});

describe('gaussianBlur', () => {
  it('matches a direct 2-D convolution (Float32 HWC, RGB)', () => {
    const image = randomImage(9, 13, 3, 1);
    const ours = gaussianBlur(image, { height: 9, width: 13 }, 1.5);
    expect(ours).toBeInstanceOf(Float32Array);
    const direct = blurDirect(image, 9, 13, 3, 1.5);
    direct.forEach((v, k) => expect(Math.abs(ours[k]! - v)).toBeLessThan(1e-3));
  });

  it('keeps a constant image constant (edges repeated) and each channel to itself', () => {
    const flat = new Float32Array(8 * 8 * 3).fill(77);
    expect(gaussianBlur(flat, { height: 8, width: 8 }, 3).every((v) => Math.abs(v - 77) < 1e-4)).toBe(true);
    const rgb = randomImage(6, 7, 3, 2);
    const blurred = gaussianBlur(rgb, { height: 6, width: 7 }, 1);
    for (let c = 0; c < 3; c++) {
      const plane = Float32Array.from({ length: 42 }, (_, p) => rgb[p * 3 + c]!);
      const alone = gaussianBlur(plane, { height: 6, width: 7, channels: 1 }, 1);
      alone.forEach((v, p) => expect(blurred[p * 3 + c]).toBeCloseTo(v, 4));
    }
  });

  it('spreads an impulse into the outer product of the kernel', () => {
    const size = 41;
    const impulse = new Float32Array(size * size);
    impulse[20 * size + 20] = 1;
    const kernel = gaussianKernel(2);
    const out = gaussianBlur(impulse, { height: size, width: size, channels: 1 }, 2);
    for (let dy = -8; dy <= 8; dy++) for (let dx = -8; dx <= 8; dx++) expect(out[(20 + dy) * size + 20 + dx]).toBeCloseTo(kernel[dy + 8]! * kernel[dx + 8]!, 7);
  });

  it('rounds Uint8 images to Uint8 and leaves σ = 0 unchanged (a copy)', () => {
    const image = Uint8Array.from(randomImage(10, 10, 3, 3), (v) => Math.floor(v));
    const blurred = gaussianBlur(image, { height: 10, width: 10 }, 2);
    expect(blurred).toBeInstanceOf(Uint8Array);
    const asFloat = gaussianBlur(Float32Array.from(image), { height: 10, width: 10 }, 2);
    blurred.forEach((v, k) => expect(v).toBe(Math.round(asFloat[k]!)));
    const copy = gaussianBlur(image, { height: 10, width: 10 }, 0);
    expect(copy).toEqual(image);
    expect(copy).not.toBe(image);
  });

  it("agrees with sharp's float-precision blur to one level", async () => {
    const [height, width] = [48, 40];
    const rng = mulberry32(4);
    const image = Uint8Array.from({ length: height * width * 3 }, (_, k) => (Math.floor(k / (width * 3)) * 5 + (rng() < 0.1 ? 200 : 0)) % 256);
    for (const sigma of [1, 2, 4]) {
      const ours = gaussianBlur(image, { height, width }, sigma);
      const theirs = await sharp(image, { raw: { width, height, channels: 3 } })
        .blur({ sigma, precision: 'float', minAmplitude: 0.001 })
        .raw()
        .toBuffer();
      expect(theirs).toHaveLength(ours.length);
      const worst = ours.reduce((max, v, k) => Math.max(max, Math.abs(v - theirs[k]!)), 0);
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a wrong length, a bad shape or a negative σ', () => {
    const errorOf = (fn: () => unknown): LafiteError => {
      try {
        fn();
      } catch (error) {
        if (error instanceof LafiteError) return error;
        throw error;
      }
      throw new Error('expected a LafiteError');
    };
    expect(errorOf(() => gaussianBlur(new Float32Array(10), { height: 2, width: 2 }, 1)).message).toMatch(/10 values, expected 2×2×3 = 12/);
    expect(errorOf(() => gaussianBlur(new Float32Array(0), { height: 0, width: 2 }, 1)).field).toBe('height');
    expect(errorOf(() => gaussianBlur(new Float32Array(12), { height: 2, width: 2 }, -1)).message).toMatch(/sigma must be a positive number, got -1/);
    expect(errorOf(() => fidBlurSigma(-2)).field).toBe('radius');
  });
});

describe('fidBlur', () => {
  it('blurs with σ = k pixels, and FID-0 is the image itself', () => {
    expect([0, 1, 2, 4, 8].map(fidBlurSigma)).toEqual([0, 1, 2, 4, 8]);
    const image = randomImage(12, 12, 3, 5);
    expect(fidBlur(image, { height: 12, width: 12 }, 0)).toEqual(image);
    expect(fidBlur(image, { height: 12, width: 12 }, 2)).toEqual(gaussianBlur(image, { height: 12, width: 12 }, 2));
  });
});
