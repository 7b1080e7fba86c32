/**
 * The shipped demo model: ONNX Runtime on its ONNX files gives the same features as the
 * TensorFlow.js towers (the trainable form, weights read from the same files), on real
 * ShapesWorld renders and captions tokenised by its own tokenizer.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { loadClipTowersFromOnnx, TEXT_ONNX, VISION_ONNX } from '../clip/onnx-import.ts';
import { relativeErrors, runTextOnnx, runVisionOnnx } from '../clip/test-support.ts';
import { nhwcToClipPixels } from '../clip/tfjs-model.ts';
import { canonicalCaption, mulberry32, renderScene, sampleScene } from './index.ts';
import { loadClipOnnx } from '../encoders/clip-onnx.ts';
import { loadClipTokenizer } from '../encoders/clip-tokenizer.ts';
import { shapesZeroShot } from './clip-eval.ts';
import { builtinModelDir } from '../../store/paths.ts';
import { SHAPES_CLIP_ID } from './clip.ts';

const dir = builtinModelDir(SHAPES_CLIP_ID);

describe('shapes-clip (shipped in resources/)', () => {
  it('is present with its ONNX towers, tokenizer and preprocessor files', () => {
    for (const file of [VISION_ONNX, TEXT_ONNX, 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'config.json']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
  });

  it('ONNX Runtime and the TensorFlow.js towers agree within 1e-4', async () => {
    await initBackend('wasm');
    const towers = await loadClipTowersFromOnnx(dir);
    const size = towers.config.vision.imageSize;
    const rng = mulberry32(4242);
    const scenes = Array.from({ length: 8 }, () => sampleScene(rng));

    const nhwc = new Float32Array(scenes.length * size * size * 3);
    scenes.forEach((scene, i) => renderScene(scene, size).forEach((v, k) => (nhwc[i * size * size * 3 + k] = v / 255)));
    const pixels = tf.tidy(() => nhwcToClipPixels(tf.tensor4d(nhwc, [scenes.length, size, size, 3])));
    const tfjsImages = tf.tidy(() => towers.vision(pixels));
    const ortImages = await runVisionOnnx(join(dir, VISION_ONNX), (await pixels.data()) as Float32Array, scenes.length, size);
    expect(relativeErrors(ortImages, (await tfjsImages.data()) as Float32Array).rel).toBeLessThan(1e-4);

    const tokenizer = await loadClipTokenizer(dir);
    const ids = await tokenizer.encodeBatch(scenes.map(canonicalCaption), { padToContext: true });
    const tfjsTexts = tf.tidy(() => towers.text(tf.tensor2d(ids.data, [ids.count, ids.length], 'int32')));
    const ortTexts = await runTextOnnx(join(dir, TEXT_ONNX), Array.from(ids.data), ids.count, ids.length);
    expect(relativeErrors(ortTexts, (await tfjsTexts.data()) as Float32Array).rel).toBeLessThan(1e-4);

    tf.dispose([pixels, tfjsImages, tfjsTexts]);
    towers.dispose();
  });

  it('tells colors and shapes apart zero-shot through the ONNX pipeline (the accuracy the issue asks for, ≥ 0.90 each)', async () => {
    const encoder = await loadClipOnnx(dir, { id: SHAPES_CLIP_ID });
    try {
      const report = await shapesZeroShot(
        (pixels, size) => encoder.encodeImages(pixels.map((data) => ({ kind: 'raw', data, width: size, height: size, channels: 3 }))),
        (texts) => encoder.encodeTexts(texts),
        { seed: 999, n: 300, size: 64 },
      );
      expect(report.colorAccuracy).toBeGreaterThanOrEqual(0.9);
      expect(report.shapeAccuracy).toBeGreaterThanOrEqual(0.9); // 0.951 on 1,000 held-out renders (lafite model eval shapes-clip)
      // The modality gap of a real CLIP: matching image–text pairs closer than random pairs within either modality, yet far from 1.
      expect(report.meanImageTextCosine).toBeGreaterThan(report.meanTextTextCosine);
      expect(report.meanImageTextCosine).toBeLessThan(0.9);
    } finally {
      await encoder.dispose();
    }
  });
});
