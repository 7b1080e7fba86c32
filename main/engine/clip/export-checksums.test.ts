/**
 * Exports carry checksums and every load checks them: an intact export loads, one cut short or
 * with a changed byte is refused naming the file, and a folder without checksums (a user's own
 * Hugging Face export) loads as before. The shipped shapes-clip passes its own check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../backend.ts';
import { builtinModelDir } from '../../store/paths.ts';
import { CLIP_PRESETS } from './config.ts';
import { EXPORT_CHECKSUMS_FILE, verifyExportChecksums } from './export-checksums.ts';
import { writeClipOnnx } from './onnx-export.ts';
import { readClipWeightsFromOnnx, VISION_ONNX } from './onnx-import.ts';
import { tempDir } from './test-support.ts';
import { randomClipWeights } from './weights.ts';

const tiny = CLIP_PRESETS.tiny;
let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exportTo(name: string): Promise<string> {
  const model = join(dir, name);
  await writeClipOnnx(model, tiny, randomClipWeights(tiny, { seed: 3 }));
  return model;
}

describe('export checksums', () => {
  it('loads an intact export, and refuses one cut short or with a changed byte, naming the file', async () => {
    const model = await exportTo('checked');
    expect(JSON.parse(await readFile(join(model, EXPORT_CHECKSUMS_FILE), 'utf8')).files).toHaveProperty(['onnx/vision_model.onnx']);
    await expect(readClipWeightsFromOnnx(model, tiny)).resolves.toBeInstanceOf(Map);

    const vision = join(model, VISION_ONNX);
    const bytes = await readFile(vision);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    await writeFile(vision, bytes);
    await expect(readClipWeightsFromOnnx(model, tiny)).rejects.toThrow(/vision_model\.onnx was changed after it was written/);

    await truncate(vision, Math.floor(bytes.length * 0.3));
    await expect(readClipWeightsFromOnnx(model, tiny)).rejects.toThrow(/vision_model\.onnx is cut or changed/);
  });

  it('loads a folder without checksums as it is', async () => {
    const model = await exportTo('unchecked');
    await rm(join(model, EXPORT_CHECKSUMS_FILE));
    await expect(verifyExportChecksums(model)).resolves.toBeUndefined();
    await expect(readClipWeightsFromOnnx(model, tiny)).resolves.toBeInstanceOf(Map);
  });

  it('passes for the shipped shapes-clip', async () => {
    await expect(verifyExportChecksums(builtinModelDir('shapes-clip'))).resolves.toBeUndefined();
  });
});
