/**
 * The TensorFlow.js towers against ONNX Runtime on the exported files: the same weights must
 * give the same embeddings (relative error < 1e-4), for a tiny CLIP and for reduced models
 * with the real ViT-B/32 and ViT-B/16 structure (224 px, patch 32 / 16, 77 tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, tf } from '../backend.ts';
import { CLIP_PRESETS, type ClipConfig } from './config.ts';
import { writeClipOnnx } from './onnx-export.ts';
import { ClipTowers } from './tfjs-model.ts';
import { randomPixels, reducedBaseConfig, relativeErrors, runTextOnnx, runVisionOnnx, tempDir, tokenRows } from './test-support.ts';
import { randomClipWeights } from './weights.ts';

const CASES: [string, ClipConfig][] = [
  ['tiny', CLIP_PRESETS.tiny],
  ['ViT-B/32 structure', reducedBaseConfig(32)],
  ['ViT-B/16 structure', reducedBaseConfig(16)],
];

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(CASES)('CLIP %s: TensorFlow.js (wasm) vs ONNX Runtime', (label, config) => {
  const modelDir = () => join(dir, label.replace(/\W+/g, '-'));
  let towers: ClipTowers;

  beforeAll(async () => {
    const weights = randomClipWeights(config, { seed: 7, perturbConstants: true });
    await writeClipOnnx(modelDir(), config, weights);
    towers = ClipTowers.fromWeights(config, weights, { trainable: false });
  });
  afterAll(() => towers.dispose());

  it('image tower: image_embeds agree to < 1e-4 relative error', async () => {
    const n = 3;
    const size = config.vision.imageSize;
    const pixels = randomPixels(n, size, 11);
    const expected = await runVisionOnnx(join(modelDir(), 'onnx', 'vision_model.onnx'), pixels, n, size);
    const input = tf.tensor4d(pixels, [n, 3, size, size]);
    const output = towers.vision(input);
    expect(output.shape).toEqual([n, config.vision.projectionDim]);
    const errors = relativeErrors(await output.data(), expected);
    console.log(`${label} vision: rel ${errors.rel.toExponential(2)}, max ${errors.maxRel.toExponential(2)}`);
    expect(errors.rel).toBeLessThan(1e-4);
    expect(errors.maxRel).toBeLessThan(1e-4);
    tf.dispose([input, output]);
  });

  it('text tower: text_embeds agree to < 1e-4, at full and shorter lengths, EOS or 0 padding', async () => {
    const { vocabSize, eosTokenId, contextLength } = config.text;
    for (const [seq, pad] of [
      [contextLength, eosTokenId],
      [Math.min(10, contextLength), 0],
    ] as const) {
      const eosAt = [1, Math.floor(seq / 2), seq - 1];
      const ids = tokenRows(eosAt, seq, vocabSize, eosTokenId, pad, seq);
      const expected = await runTextOnnx(join(modelDir(), 'onnx', 'text_model.onnx'), ids, eosAt.length, seq);
      const input = tf.tensor2d(ids, [eosAt.length, seq], 'int32');
      const output = towers.text(input);
      expect(output.shape).toEqual([eosAt.length, config.text.projectionDim]);
      const errors = relativeErrors(await output.data(), expected);
      console.log(`${label} text S=${seq}: rel ${errors.rel.toExponential(2)}, max ${errors.maxRel.toExponential(2)}`);
      expect(errors.rel).toBeLessThan(1e-4);
      expect(errors.maxRel).toBeLessThan(1e-4);
      tf.dispose([input, output]);
    }
  });
});
