/**
 * Gaussian blur of an HWC image before feature extraction, for FID-k (Lafite §4, Table 3;
 * introduced by DALL-E, Ramesh et al. 2021, §3.1/Fig. 9, and used by CogView): real and
 * generated images are both blurred with a Gaussian of "radius k", k ∈ {0, 1, 2, 4, 8}, and
 * FID is computed on the blurred images. FID-0 is plain FID.
 *
 * Radius → sigma: none of these papers defines the radius and none ships the blur code. We
 * take σ = k pixels (`fidBlurSigma`), the reading under PIL's `ImageFilter.GaussianBlur(radius)`,
 * whose "radius" is the standard deviation. This is an assumption, not a confirmed convention.
 *
 * The blur is separable, in float64: the kernel exp(−x²/2σ²) is sampled at integer offsets,
 * cut at ⌈4σ⌉ (scipy's `gaussian_filter` default) and normalised to sum 1 (its variance is σ²
 * for σ ≥ 1; below that, sampling makes it smaller); edge pixels are
 * repeated beyond the border (PIL's and libvips' behaviour). Uint8 input comes back rounded to
 * Uint8; Float32 input comes back as Float32 without rounding.
 * sharp's `.blur({ sigma, precision: 'float', minAmplitude: 0.001 })` agrees to ±1 level (see
 * the test), but it is asynchronous, Uint8-only here and refuses σ < 0.3; its default
 * (integer mask, minAmplitude 0.2, cut near 1.8σ) is a coarser approximation.
 *
 * @example
 *   const blurred = fidBlur(pixels, { height: 256, width: 256 }, 4);  // FID-4's input: σ = 4 px
 */
import { invalidInput } from '../../contract/errors.ts';

/** An interleaved image's layout: [height, width, channels] row-major. */
export interface ImageShape {
  height: number;
  width: number;
  /** 3 for RGB (the default). */
  channels?: number;
}

/** Kernel half-width in standard deviations. */
export const KERNEL_TRUNCATE_SIGMAS = 4;

/** σ in pixels for FID-k's "radius k" (assumed σ = k; see the file header). */
export function fidBlurSigma(k: number): number {
  if (!(k >= 0 && Number.isFinite(k))) throw invalidInput(`blur radius must be a non-negative number, got ${k}`, 'radius');
  return k;
}

/** Normalised 1-D Gaussian taps at offsets −r..r, r = ⌈4σ⌉. */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma > 0 && Number.isFinite(sigma))) throw invalidInput(`sigma must be a positive number, got ${sigma}`, 'sigma');
  const half = Math.ceil(KERNEL_TRUNCATE_SIGMAS * sigma);
  const taps = Float64Array.from({ length: 2 * half + 1 }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((w) => w / sum);
}

/** The image convolved with a Gaussian of standard deviation `sigma` pixels (σ = 0: a copy). */
export function gaussianBlur(image: Uint8Array, shape: ImageShape, sigma: number): Uint8Array;
export function gaussianBlur(image: Float32Array, shape: ImageShape, sigma: number): Float32Array;
export function gaussianBlur(image: Uint8Array | Float32Array, shape: ImageShape, sigma: number): Uint8Array | Float32Array {
  const { height, width, channels } = checkShape(image, shape);
  if (sigma === 0) return image.slice();
  const kernel = gaussianKernel(sigma);
  const rows = convolveAxis(Float64Array.from(image), kernel, height, width, channels, 'x'); // [H, W, C]
  const blurred = convolveAxis(rows, kernel, height, width, channels, 'y'); // [H, W, C]
  if (image instanceof Float32Array) return Float32Array.from(blurred);
  return Uint8Array.from(blurred, (v) => Math.min(255, Math.max(0, Math.round(v))));
}

/** FID-k's preprocessing: the image blurred with "radius k" (σ = k pixels; k = 0 leaves it as is). */
export function fidBlur(image: Uint8Array, shape: ImageShape, k: number): Uint8Array;
export function fidBlur(image: Float32Array, shape: ImageShape, k: number): Float32Array;
export function fidBlur(image: Uint8Array | Float32Array, shape: ImageShape, k: number): Uint8Array | Float32Array {
  const sigma = fidBlurSigma(k);
  return image instanceof Float32Array ? gaussianBlur(image, shape, sigma) : gaussianBlur(image, shape, sigma);
}

/** One separable pass along x (within rows) or y (within columns), edges repeated. */
function convolveAxis(src: Float64Array, kernel: Float64Array, height: number, width: number, channels: number, axis: 'x' | 'y'): Float64Array {
  const out = new Float64Array(src.length);
  const half = (kernel.length - 1) / 2;
  const length = axis === 'x' ? width : height; // positions along the axis
  const stride = axis === 'x' ? channels : width * channels; // values between neighbours along it
  const lines = axis === 'x' ? height : width;
  const lineStride = axis === 'x' ? width * channels : channels;
  for (let line = 0; line < lines; line++) {
    for (let c = 0; c < channels; c++) {
      const base = line * lineStride + c;
      for (let p = 0; p < length; p++) {
        let sum = 0;
        for (let t = 0; t < kernel.length; t++) {
          const q = Math.min(length - 1, Math.max(0, p + t - half)); // repeat edge pixels
          sum += kernel[t]! * src[base + q * stride]!;
        }
        out[base + p * stride] = sum;
      }
    }
  }
  return out;
}

function checkShape(image: Uint8Array | Float32Array, shape: ImageShape): Required<ImageShape> {
  const channels = shape.channels ?? 3;
  for (const [field, value] of Object.entries({ height: shape.height, width: shape.width, channels })) {
    if (!(Number.isInteger(value) && value > 0)) throw invalidInput(`image ${field} must be a positive integer, got ${value}`, field);
  }
  const expected = shape.height * shape.width * channels;
  if (image.length !== expected) throw invalidInput(`image has ${image.length} values, expected ${shape.height}×${shape.width}×${channels} = ${expected}`, 'image');
  return { height: shape.height, width: shape.width, channels };
}
