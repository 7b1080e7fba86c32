/**
 * loadClipOnnx on tiny generated CLIP folders: ONNX Runtime's numbers against a direct
 * computation of the graphs, unit-norm rows, batching, preprocessing, cancel, and a clear
 * error (naming the file and tensor) for every way a folder can be wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { tempDir } from '../../../tests/helpers/temp.ts';
import { loadClipOnnx, type ClipOnnxEncoder } from './clip-onnx.ts';
import { loadClipTokenizer } from './clip-tokenizer.ts';
import type { ImageSource } from './encoder.ts';
import {
  clipNormalise,
  l2NormaliseRows,
  seededValues,
  tinyTextReference,
  tinyVisionReference,
  writeTinyClipFolder,
  type TinyClip,
  type TinyClipOptions,
} from './testing/tiny-clip.ts';

const root = tempDir('lafite-clip-onnx-');
afterAll(() => root.remove());

let counter = 0;
async function folder(options: TinyClipOptions = {}): Promise<TinyClip> {
  return writeTinyClipFolder(join(root.path, `clip-${counter++}`), options);
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(tolerance);
}

function rowNorms(data: Float32Array, dim: number): number[] {
  return Array.from({ length: data.length / dim }, (_, row) => Math.hypot(...data.subarray(row * dim, (row + 1) * dim)));
}

/** Random RGB pixels at the model's size (no resize, no crop: the reference is the normalisation alone). */
function rgbImage(size: number, seed: number): Uint8Array {
  return Uint8Array.from(seededValues(size * size * 3, seed), (v) => Math.floor((v + 1) * 127.99));
}

describe('CLIP tokenizer files as the loader reads them', () => {
  it('tokenises known words to single ids between BOS and EOS, unknown words to characters, and pads to the context length', async () => {
    const clip = await folder({ words: ['red', 'circle'], contextLength: 10 });
    const tokenizer = await loadClipTokenizer(clip.dir);
    const { bosTokenId: bos, eosTokenId: eos } = clip.tokenizer;
    const known = await tokenizer.encodeBatch(['Red  CIRCLE'], { padToContext: true });
    expect(known.length).toBe(10);
    const ids = Array.from(known.data);
    expect(ids[0]).toBe(bos);
    expect(ids[3]).toBe(eos);
    expect(ids.slice(4)).toEqual(Array(6).fill(eos));
    const unknown = await tokenizer.encodeBatch(['dog'], { padToContext: true });
    expect(Array.from(unknown.data).indexOf(eos)).toBe(1 + 3); // d, o, g</w>
  });
});

describe('loadClipOnnx', () => {
  let clip: TinyClip;
  let encoder: ClipOnnxEncoder;
  beforeAll(async () => {
    clip = await folder({ contextLength: 8, imageSize: 8, projectionDim: 6 });
    encoder = await loadClipOnnx(clip.dir, { id: 'tiny' });
  });
  afterAll(() => encoder.dispose());

  it('reads the id, dimension, context length and image size', async () => {
    expect(encoder.id).toBe('tiny');
    expect(encoder.dim).toBe(6);
    expect(encoder.contextLength).toBe(8);
    expect(encoder.imageSize).toBe(8);
    const unnamed = await loadClipOnnx(clip.dir);
    expect(unnamed.id).toBe(clip.dir.split('/').pop());
    await unnamed.dispose();
  });

  it('encodes texts as the direct computation of the text graph, normalised to unit rows', async () => {
    const texts = ['a red circle', 'a photo of a blue square', 'zebra'];
    const features = await encoder.encodeTexts(texts);
    expect(features).toMatchObject({ count: 3, dim: 6 });
    const tokenizer = await loadClipTokenizer(clip.dir);
    const batch = await tokenizer.encodeBatch(texts, { padToContext: true });
    const mask = Array.from(batch.data, () => 0);
    for (let row = 0; row < 3; row++) {
      for (let j = 0; j < batch.length; j++) {
        mask[row * batch.length + j] = 1;
        if (batch.data[row * batch.length + j] === clip.tokenizer.eosTokenId) break;
      }
    }
    const expected = l2NormaliseRows(tinyTextReference(clip, batch.data, mask, 3, batch.length), 6);
    expectClose(features.data, expected);
    for (const norm of rowNorms(features.data, 6)) expect(norm).toBeCloseTo(1, 5);
  });

  it('encodes images as the direct computation of the vision graph after CLIP normalisation', async () => {
    const images: ImageSource[] = [1, 2, 3].map((seed) => ({ kind: 'raw', data: rgbImage(8, seed), width: 8, height: 8, channels: 3 }));
    const features = await encoder.encodeImages(images);
    const pixels = new Float32Array(3 * 3 * 64);
    images.forEach((image, i) => pixels.set(clipNormalise((image as { data: Uint8Array }).data, 8), i * 3 * 64));
    expectClose(features.data, l2NormaliseRows(tinyVisionReference(clip, pixels, 3), 6), 1e-4);
    for (const norm of rowNorms(features.data, 6)) expect(norm).toBeCloseTo(1, 5);
  });

  it('gives the same rows in batches as one by one, and reports progress per batch', async () => {
    const texts = ['a', 'red', 'green circle', 'blue square', 'of a photo'];
    const all = await encoder.encodeTexts(texts, { batchSize: 5 });
    const progress: Array<[number, number]> = [];
    const batched = await encoder.encodeTexts(texts, { batchSize: 2, onProgress: (done, total) => progress.push([done, total]) });
    expectClose(batched.data, all.data, 1e-6);
    expect(progress).toEqual([
      [0, 5],
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    for (let i = 0; i < texts.length; i++) expectClose((await encoder.encodeTexts([texts[i]!])).data, all.data.subarray(i * 6, (i + 1) * 6), 1e-6);
    const images: ImageSource[] = [4, 5, 6].map((seed) => ({ kind: 'raw', data: rgbImage(8, seed), width: 8, height: 8, channels: 3 }));
    const imagesAll = await encoder.encodeImages(images);
    expectClose((await encoder.encodeImages(images, { batchSize: 1 })).data, imagesAll.data, 1e-6);
  });

  it('decodes encoded images (PNG equals the raw pixels; RGBA and greyscale become RGB; EXIF rotation applied)', async () => {
    const rgb = rgbImage(8, 9);
    const png = await sharp(rgb, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toBuffer();
    const rgba = await sharp(rgb, { raw: { width: 8, height: 8, channels: 3 } })
      .ensureAlpha()
      .raw()
      .toBuffer();
    const features = await encoder.encodeImages([
      { kind: 'raw', data: rgb, width: 8, height: 8, channels: 3 },
      { kind: 'encoded', bytes: png },
      { kind: 'raw', data: rgba, width: 8, height: 8, channels: 4 },
    ]);
    expectClose(features.data.subarray(6, 12), features.data.subarray(0, 6), 1e-6);
    expectClose(features.data.subarray(12, 18), features.data.subarray(0, 6), 1e-6);
    // A 16×8 picture stored sideways with EXIF orientation 6 (rotate 90° clockwise to view) is the upright 8×16 one.
    const upright = await sharp(rgbImage(16, 3).subarray(0, 8 * 16 * 3), { raw: { width: 8, height: 16, channels: 3 } })
      .png()
      .toBuffer();
    const sideways = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 100 }).toBuffer();
    const uprightJpeg = await sharp(upright).jpeg({ quality: 100 }).toBuffer();
    const pair = await encoder.encodeImages([
      { kind: 'encoded', bytes: uprightJpeg },
      { kind: 'encoded', bytes: sideways },
    ]);
    const dot = pair.data.subarray(0, 6).reduce((sum, v, k) => sum + v * pair.data[6 + k]!, 0);
    expect(dot).toBeGreaterThan(0.99);
  });

  it('resizes the shortest side and crops the center: a uniform picture of any shape gives the uniform crop', async () => {
    const uniform = (width: number, height: number): ImageSource => ({ kind: 'raw', data: new Uint8Array(width * height * 3).fill(180), width, height, channels: 3 });
    const features = await encoder.encodeImages([uniform(8, 8), uniform(30, 12), uniform(9, 40)]);
    expectClose(features.data.subarray(6, 12), features.data.subarray(0, 6), 1e-4);
    expectClose(features.data.subarray(12, 18), features.data.subarray(0, 6), 1e-4);
  });

  it('stops between batches when cancelled, with a cancelled error', async () => {
    const controller = new AbortController();
    const texts = Array.from({ length: 10 }, () => 'a red circle');
    const run = encoder.encodeTexts(texts, {
      batchSize: 2,
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 4) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    await expect(encoder.encodeImages([{ kind: 'encoded', bytes: new Uint8Array([1, 2, 3]) }])).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('cannot decode image'),
    });
    const aborted = AbortSignal.abort();
    await expect(encoder.encodeImages([{ kind: 'raw', data: rgbImage(8, 1), width: 8, height: 8, channels: 3 }], { signal: aborted })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('loads a text model without attention_mask', async () => {
    const plain = await folder({ attentionMask: false });
    const e = await loadClipOnnx(plain.dir);
    const features = await e.encodeTexts(['red']);
    const tokenizer = await loadClipTokenizer(plain.dir);
    const batch = await tokenizer.encodeBatch(['red'], { padToContext: true });
    expectClose(features.data, l2NormaliseRows(tinyTextReference(plain, batch.data, [], 1, batch.length), 6));
    await e.dispose();
  });

  it('refuses use after dispose', async () => {
    const e = await loadClipOnnx(clip.dir);
    await e.dispose();
    await e.dispose(); // twice is harmless
    await expect(e.encodeTexts(['a'])).rejects.toThrow(/disposed/);
  });
});

describe('loadClipOnnx validation: each error names the file and the tensor', () => {
  const cases: Array<[string, TinyClipOptions, RegExp]> = [
    ['text model without input_ids', { textInputName: 'ids' }, /onnx\/text_model\.onnx: has no input tensor 'input_ids' \(its inputs: ids, attention_mask\)/],
    ['input_ids of the wrong dtype', { textInputType: 'float32' }, /onnx\/text_model\.onnx: input tensor 'input_ids' must be int64, got float32/],
    ['text model without text_embeds', { textOutputName: 'pooled' }, /onnx\/text_model\.onnx: has no output tensor 'text_embeds' \(its outputs: pooled\)/],
    ['vision model without pixel_values', { visionInputName: 'image' }, /onnx\/vision_model\.onnx: has no input tensor 'pixel_values'/],
    ['vision model without image_embeds', { visionOutputName: 'embeds' }, /onnx\/vision_model\.onnx: has no output tensor 'image_embeds'/],
    [
      'towers of different dimensions',
      { projectionDim: 6, visionProjectionDim: 5 },
      /text_embeds of onnx\/text_model\.onnx has dimension 6 but image_embeds of onnx\/vision_model\.onnx has 5/,
    ],
  ];
  it.each(cases)('%s', async (_label, options, message) => {
    const clip = await folder(options);
    await expect(loadClipOnnx(clip.dir)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
  });

  it.each(['onnx/text_model.onnx', 'onnx/vision_model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json'])('missing %s', async (file) => {
    const clip = await folder();
    await rm(join(clip.dir, file));
    await expect(loadClipOnnx(clip.dir)).rejects.toThrow(`CLIP model ${join(clip.dir, file)}: missing`);
  });

  it('an ONNX file that is not a model', async () => {
    const clip = await folder();
    await writeFile(join(clip.dir, 'onnx', 'vision_model.onnx'), 'this is not a protobuf');
    await expect(loadClipOnnx(clip.dir)).rejects.toThrow(new RegExp(`${join(clip.dir, 'onnx/vision_model.onnx')}: not a loadable ONNX model`));
  });

  it('a tokenizer_config.json that is not JSON', async () => {
    const clip = await folder();
    await writeFile(join(clip.dir, 'tokenizer_config.json'), '{ nope');
    await expect(loadClipOnnx(clip.dir)).rejects.toThrow(/tokenizer_config\.json: not valid JSON/);
  });
});
