/**
 * models.list / models.add / models.remove through the service: a folder is validated by
 * loading it, referenced in place with its file hashes, and never deleted on remove.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { writeTinyClipFolder } from '../engine/encoders/testing/tiny-clip.ts';
import { modelsDir } from '../store/models.ts';
import { openService, type Service } from './service.ts';

import { userModels as mine } from '../../tests/helpers/models.ts';

describe('models.* (the model manager)', () => {
  const dir = tempDir('lafite-models-');
  const folder = join(dir.path, 'my-clip');
  let service: Service;
  beforeAll(async () => {
    await writeTinyClipFolder(folder, { projectionDim: 6 });
    service = openService({ dataDir: join(dir.path, 'data'), backend: 'cpu' });
  });
  afterAll(async () => {
    await service.close();
    dir.remove();
  });

  it('adds a folder under its name, with its dimension and the sha256 of its files', async () => {
    const builtins = (await service.call('models.list', {})).filter((m) => m.source === 'builtin');
    expect(builtins.map((m) => m.id)).toEqual(['shapes-clip']); // the demo model ships with the app
    expect(mine(await service.call('models.list', {}))).toEqual([]);
    const model = await service.call('models.add', { folder });
    expect(model).toMatchObject({ id: 'my-clip', kind: 'clip', source: 'folder', path: folder, dim: 6 });
    const text = model.files.find((f) => f.path === 'onnx/text_model.onnx')!;
    expect(text.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(folder, 'onnx/text_model.onnx')))
        .digest('hex'),
    );
    expect(model.files.map((f) => f.path)).toEqual([
      'config.json',
      'onnx/text_model.onnx',
      'onnx/vision_model.onnx',
      'preprocessor_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(mine(await service.call('models.list', {}))).toEqual([model]);
  });

  it('adds the same folder under another id, and refuses a taken id', async () => {
    await expect(service.call('models.add', { folder })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining("'my-clip' already exists") });
    const other = await service.call('models.add', { folder, id: 'second' });
    expect(other.id).toBe('second');
  });

  it('refuses folders that are missing or not a CLIP, naming the file at fault, and adds nothing', async () => {
    await expect(service.call('models.add', { folder: join(dir.path, 'nowhere') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.call('models.add', { folder: 'relative/path' })).rejects.toMatchObject({ code: 'invalid_input', field: 'folder' });
    const broken = join(dir.path, 'broken');
    await writeTinyClipFolder(broken, { textOutputName: 'pooled' });
    await expect(service.call('models.add', { folder: broken })).rejects.toThrow(/text_model\.onnx: has no output tensor 'text_embeds'/);
    const spaced = join(dir.path, 'has space');
    mkdirSync(spaced);
    await expect(service.call('models.add', { folder: spaced })).rejects.toMatchObject({ code: 'invalid_input', field: 'id' });
    expect(mine(await service.call('models.list', {})).map((m) => m.id)).toEqual(['my-clip', 'second']);
  });

  it("removes a folder model without touching the user's folder; deletes a downloaded model's files", async () => {
    expect(await service.call('models.remove', { id: 'my-clip' })).toEqual({ id: 'my-clip', deletedFiles: false });
    expect(existsSync(join(folder, 'onnx/text_model.onnx'))).toBe(true);
    await expect(service.call('models.remove', { id: 'my-clip' })).rejects.toMatchObject({ code: 'not_found' });
    // An unfinished download (only a .partial folder) can be removed by its id too.
    const partial = join(modelsDir(service.dataDir), 'stale.partial');
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, 'config.json'), '{}');
    expect(await service.call('models.remove', { id: 'stale' })).toEqual({ id: 'stale', deletedFiles: true });
    expect(existsSync(partial)).toBe(false);
    await expect(service.call('models.remove', { id: '../etc' })).rejects.toMatchObject({ code: 'invalid_input', field: 'id' });
  });
});
