/**
 * Export → import: the ONNX files give back exactly the weights written, config.json round
 * trips, configs can be inferred from initializer shapes, and bad files fail naming the tensor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, tf } from '../backend.ts';
import { clipConfigFromJson, clipConfigToJson } from './config-json.ts';
import { CLIP_PRESETS, clipWeightSpecs, type ClipConfig } from './config.ts';
import { onnx } from './onnx-builder.ts';
import { buildVisionOnnx, writeClipOnnx } from './onnx-export.ts';
import { loadClipTowersFromOnnx, readClipWeightsFromOnnx, readOnnxWeights, TEXT_ONNX, VISION_ONNX } from './onnx-import.ts';
import { ClipTowers } from './tfjs-model.ts';
import { randomPixels, tempDir } from './test-support.ts';
import { randomClipWeights } from './weights.ts';

const tiny = CLIP_PRESETS.tiny;
/** Head width 64 and EOS = last id, as real CLIP: what inference from shapes assumes. */
const inferable: ClipConfig = {
  vision: { ...tiny.vision, hiddenSize: 128, heads: 2 },
  text: { ...tiny.text, hiddenSize: 128, heads: 2 },
};

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ONNX export → import', () => {
  it('gives back identical weights, with the HF names and shapes', async () => {
    const weights = randomClipWeights(tiny, { seed: 2, perturbConstants: true });
    const model = join(dir, 'roundtrip');
    await writeClipOnnx(model, tiny, weights);
    const back = await readClipWeightsFromOnnx(model, tiny);
    expect([...back.keys()].sort()).toEqual(
      clipWeightSpecs(tiny)
        .map((s) => s.name)
        .sort(),
    );
    for (const [name, w] of weights) {
      expect(back.get(name)!.shape, name).toEqual(w.shape);
      expect(Buffer.from(back.get(name)!.data.buffer).equals(Buffer.from(w.data.buffer)), name).toBe(true);
    }
    expect((await readOnnxWeights(join(model, VISION_ONNX))).layerNormEps).toBeCloseTo(1e-5, 10);
  });

  it('writes an HF-like config.json that reads back as the same config', async () => {
    const json = JSON.parse(await readFile(join(dir, 'roundtrip', 'config.json'), 'utf8'));
    expect(json).toMatchObject({ model_type: 'clip', projection_dim: 16, text_config: { max_position_embeddings: 16 }, vision_config: { patch_size: 8 } });
    expect(clipConfigFromJson(json)).toEqual(tiny);
    expect(clipConfigFromJson(clipConfigToJson(CLIP_PRESETS['vit-b16']))).toEqual(CLIP_PRESETS['vit-b16']);
  });

  it('reads a real-CLIP-style config.json with defaults left out and the legacy eos_token_id 2', () => {
    const config = clipConfigFromJson({ model_type: 'clip', projection_dim: 512, text_config: { eos_token_id: 2 }, vision_config: { patch_size: 16 } });
    expect(config).toEqual(CLIP_PRESETS['vit-b16']);
  });

  it('loads towers that compute what the in-memory weights compute; infers the config without config.json', async () => {
    const weights = randomClipWeights(inferable, { seed: 4, perturbConstants: true });
    const model = join(dir, 'inferable');
    await writeClipOnnx(model, inferable, weights);
    await rm(join(model, 'config.json'));
    const loaded = await loadClipTowersFromOnnx(model, undefined, { towers: ['vision'], trainable: false });
    expect(loaded.config.vision).toEqual(inferable.vision);
    expect(() => loaded.text(tf.zeros([1, 4], 'int32') as tf.Tensor2D)).toThrow(/text tower was not loaded/);
    const reference = ClipTowers.fromWeights(inferable, weights, { towers: ['vision'] });
    const x = tf.tensor4d(randomPixels(2, 32, 1), [2, 3, 32, 32]);
    const [a, b] = [loaded.vision(x), reference.vision(x)];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    const both = await loadClipTowersFromOnnx(model);
    expect(both.config).toEqual(inferable);
    tf.dispose([x, a, b]);
    [loaded, reference, both].forEach((t) => t.dispose());
  });

  it('fails naming the file and the tensor when a weight is missing or of the wrong shape', async () => {
    const weights = randomClipWeights(tiny, { seed: 2 });
    const model = join(dir, 'broken');
    await writeClipOnnx(model, tiny, weights);
    const otherPatch: ClipConfig = { ...tiny, vision: { ...tiny.vision, patchSize: 4 } };
    await expect(readClipWeightsFromOnnx(model, otherPatch, ['vision'])).rejects.toThrow(
      /vision_model\.onnx: CLIP weight 'vision_model\.embeddings\.patch_embedding\.weight' has shape \[32, 3, 8, 8\], expected \[32, 3, 4, 4\]/,
    );
    const deeper: ClipConfig = { ...tiny, text: { ...tiny.text, layers: 3 } };
    await expect(readClipWeightsFromOnnx(model, deeper, ['text'])).rejects.toThrow(
      /text_model\.onnx: missing CLIP weight 'text_model\.encoder\.layers\.2\.self_attn\.q_proj\.weight'/,
    );
    await writeFile(join(model, TEXT_ONNX), 'not onnx');
    await expect(readOnnxWeights(join(model, TEXT_ONNX))).rejects.toThrow(/text_model\.onnx: cannot read as an ONNX model/);
  });

  it('reads float_data initializers as well as raw_data', async () => {
    const file = join(dir, 'float-data.onnx');
    const tensor = { name: 'w', dims: [2, 2], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [1, 2, 3, 4.5] };
    await writeFile(file, onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, graph: { initializer: [tensor] } })).finish());
    const { weights } = await readOnnxWeights(file);
    expect(weights.get('w')).toEqual({ shape: [2, 2], data: Float32Array.from([1, 2, 3, 4.5]) });
  });

  it('checks weights before building a graph', () => {
    const weights = randomClipWeights(tiny);
    weights.delete('visual_projection.weight');
    expect(() => buildVisionOnnx(tiny.vision, weights)).toThrow(/buildVisionOnnx: missing CLIP weight 'visual_projection.weight'/);
  });
});
