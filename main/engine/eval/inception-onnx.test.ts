import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.ts';
import { INCEPTION_SIDE, InceptionOnnx, inceptionPixels, POOL3_DIM, softmaxRows } from './inception-onnx.ts';
import { writeStandInInception, type StandInWeights } from './inception-test-support.ts';

const S = INCEPTION_SIDE;

function randomImage(side: number, seed: number): Uint8Array {
  const rng = mulberry32(seed);
  return Uint8Array.from({ length: side * side * 3 }, () => Math.floor(rng() * 256));
}

/** PyTorch's bilinear resize (align_corners=False) of one channel, written out per output pixel, then 2·(v/255) − 1. */
function referencePixel(image: Uint8Array, side: number, c: number, y: number, x: number): number {
  const source = (i: number): [number, number, number] => {
    const s = Math.max(0, ((i + 0.5) * side) / S - 0.5);
    const i0 = Math.floor(s);
    return [i0, Math.min(i0 + 1, side - 1), s - i0];
  };
  const [y0, y1, ly] = source(y);
  const [x0, x1, lx] = source(x);
  const at = (yy: number, xx: number): number => image[(yy * side + xx) * 3 + c]! / 255;
  const v = (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x1)) + ly * ((1 - lx) * at(y1, x0) + lx * at(y1, x1));
  return 2 * v - 1;
}

/** The stand-in's pool3 computed directly: each channel's mean preprocessed pixel, times W1. */
function directFeatures(image: Uint8Array, side: number, weights: StandInWeights): Float64Array {
  const means = [0, 0, 0];
  for (let c = 0; c < 3; c++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) means[c] = means[c]! + referencePixel(image, side, c, y, x) / (S * S);
  return Float64Array.from({ length: POOL3_DIM }, (_, j) => means.reduce((sum, m, c) => sum + m * weights.w1[c * POOL3_DIM + j]!, 0));
}

describe('inceptionPixels (pytorch-fid preprocessing)', () => {
  it('leaves a 299 px image unresized, scaled to [−1, 1], channels first', () => {
    const image = randomImage(S, 1);
    const pixels = inceptionPixels([image], S); // [1, 3, 299, 299]
    for (const [c, y, x] of [
      [0, 0, 0],
      [1, 17, 250],
      [2, 298, 298],
      [0, 150, 3],
    ] as const) {
      expect(pixels[(c * S + y) * S + x]).toBeCloseTo(image[(y * S + x) * 3 + c]! / 127.5 - 1, 6);
    }
  });

  it('resizes bilinearly with half-pixel centres as F.interpolate does', () => {
    const image = randomImage(32, 2);
    const pixels = inceptionPixels([image, image], 32);
    expect(pixels).toHaveLength(2 * 3 * S * S);
    for (const [c, y, x] of [
      [0, 0, 0],
      [1, 5, 298],
      [2, 149, 150],
      [0, 298, 7],
      [1, 100, 200],
    ] as const) {
      expect(pixels[(c * S + y) * S + x]).toBeCloseTo(referencePixel(image, 32, c, y, x), 5);
      expect(pixels[((3 + c) * S + y) * S + x]).toBe(pixels[(c * S + y) * S + x]);
    }
    // A 2×2 image: the first output row is the first source row (clamped), the middle one their mean.
    const tiny = Uint8Array.from([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
    const up = inceptionPixels([tiny], 2);
    expect(up[0]).toBeCloseTo(-1, 6);
    expect(up[149 * S + 10]).toBeCloseTo(0, 5); // source row (149.5)·2/299 − 0.5 = 0.5: half black, half white
  });

  it('refuses an image of the wrong size', () => {
    expect(() => inceptionPixels([new Uint8Array(10)], 4)).toThrow(/image 0 has 10 bytes, expected 4×4×3/);
  });
});

describe('InceptionOnnx', () => {
  let dir = '';
  let good = '';
  let weights: StandInWeights;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lafite-inception-'));
    good = join(dir, 'inception-v3.onnx');
    weights = await writeStandInInception(good, { seed: 3 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('extracts pool3 features equal to a direct computation, and softmax probabilities of the logits', async () => {
    const inception = await InceptionOnnx.load(good, { batchSize: 2 });
    try {
      expect(inception.classes).toBe(1008);
      const constant = Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => [200, 10, 90][i % 3]!);
      const images = [randomImage(16, 4), constant, randomImage(16, 5)]; // two batches of 2 and 1
      const out = await inception.extract(images, 16);
      expect(out.count).toBe(3);
      expect(out.features).toHaveLength(3 * POOL3_DIM);
      for (const n of [0, 2]) {
        const direct = directFeatures(images[n]!, 16, weights);
        let maxError = 0;
        for (let j = 0; j < POOL3_DIM; j++) maxError = Math.max(maxError, Math.abs(out.features[n * POOL3_DIM + j]! - direct[j]!));
        expect(maxError).toBeLessThan(1e-4);
      }
      // A constant image stays constant through the resize: pool3 = (v/127.5 − 1) · W1. ONNX Runtime's
      // float32 GlobalAveragePool over 89,401 equal values drifts by about 1e-4 of the value, hence the tolerance.
      const means = [200, 10, 90].map((v) => v / 127.5 - 1);
      for (const j of [0, 7, 2047]) {
        const expected = means.reduce((s, m, c) => s + m * weights.w1[c * POOL3_DIM + j]!, 0);
        expect(Math.abs(out.features[POOL3_DIM + j]! - expected)).toBeLessThan(1e-3 * Math.max(1, Math.abs(expected)));
      }
      // probs = softmax(pool3 · W2), row by row.
      const logits = new Float32Array(1008);
      for (let k = 0; k < 1008; k++) for (let j = 0; j < POOL3_DIM; j++) logits[k] = logits[k]! + out.features[j]! * weights.w2[j * 1008 + k]!;
      const expected = softmaxRows(logits, 1008);
      for (const k of [0, 500, 1007]) expect(out.probs![k]).toBeCloseTo(expected[k]!, 5);
      expect(out.probs!.subarray(1008, 2016).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      await inception.dispose();
    }
  });

  it('works without logits: features only', async () => {
    const file = join(dir, 'no-logits.onnx');
    await writeStandInInception(file, { classes: 0 });
    const inception = await InceptionOnnx.load(file);
    const out = await inception.extract([randomImage(8, 6)], 8);
    await inception.dispose();
    expect(inception.classes).toBe(0);
    expect(out.probs).toBeUndefined();
    expect(out.features).toHaveLength(POOL3_DIM);
  });

  it('names the file and the tensors when the file is not an Inception-v3', async () => {
    const narrow = join(dir, 'narrow.onnx');
    await writeStandInInception(narrow, { width: 512, classes: 0 });
    await expect(InceptionOnnx.load(narrow)).rejects.toThrow(
      new RegExp(`Inception model ${narrow}: has no output tensor of pool3 features \\[N, 2048\\] \\(its outputs, for one image: 'pool3' float32 \\[1, 512\\]\\)`),
    );
    const notOnnx = join(dir, 'notes.onnx');
    await writeFile(notOnnx, 'not a model');
    await expect(InceptionOnnx.load(notOnnx)).rejects.toThrow(new RegExp(`Inception model ${notOnnx}: not a loadable ONNX model`));
    await expect(InceptionOnnx.load(join(dir, 'absent.onnx'))).rejects.toThrow(/Inception model .*absent\.onnx: missing/);
  });

  it('names the input tensor when it is not [N, 3, 299, 299]', async () => {
    const { OnnxGraphBuilder } = await import('../clip/onnx-builder.ts');
    const g = new OnnxGraphBuilder();
    g.node('Flatten', [g.node('GlobalAveragePool', ['pixels'])], { axis: { i: 1 } }, 'pool3');
    const file = join(dir, 'small-input.onnx');
    await writeFile(file, g.toModel('x', [{ name: 'pixels', elemType: 'float32', shape: ['n', 3, 224, 224] }], [{ name: 'pool3', elemType: 'float32', shape: ['n', 3] }]));
    await expect(InceptionOnnx.load(file)).rejects.toThrow(/input tensor 'pixels' must be float32 \[N, 3, 299, 299\], got float32 \[n, 3, 224, 224\]/);
  });
});
