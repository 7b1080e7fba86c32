import { describe, expect, it } from 'vitest';
import { modelIdSchema } from '../../contract/index.ts';
import { CLIP_ONNX_FILES } from './clip-onnx.ts';
import { fileUrl, MODEL_REGISTRY, registryEntry } from './registry.ts';

describe('model registry', () => {
  it('has unique, valid ids, and each entry lists every file loadClipOnnx needs, once', () => {
    const ids = MODEL_REGISTRY.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of MODEL_REGISTRY) {
      expect(modelIdSchema.safeParse(entry.id).success).toBe(true);
      const paths = entry.files.map((f) => f.path);
      expect(new Set(paths).size).toBe(paths.length);
      for (const required of Object.values(CLIP_ONNX_FILES)) expect(paths).toContain(required);
      for (const file of entry.files as ReadonlyArray<{ sha256?: string }>) if (file.sha256 !== undefined) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('builds Hugging Face resolve URLs, on a mirror when given', () => {
    const entry = registryEntry('clip-vit-b16')!;
    expect(fileUrl(entry, entry.files[0]!)).toBe('https://huggingface.co/Xenova/clip-vit-base-patch16/resolve/main/onnx/text_model.onnx');
    expect(fileUrl(entry, entry.files[0]!, 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/Xenova/clip-vit-base-patch16/resolve/main/onnx/text_model.onnx');
    expect(registryEntry('nope')).toBeUndefined();
  });
});
