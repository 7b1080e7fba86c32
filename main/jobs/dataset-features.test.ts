/**
 * The embedding cache follows a model's files by content: a second checkout or an update that
 * rewrites the same bytes (new modification times) keeps the cached vectors and pseudo runs; new
 * bytes drop them (real SQLite, real files).
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import type { ModelRecord } from '../contract/index.ts';
import { openDatabase } from '../store/db.ts';
import { EmbeddingStore } from '../store/embeddings.ts';
import { syncModelCache } from './dataset-features.ts';

describe('syncModelCache', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('keeps the cache when only the files’ times change, drops it (and its pseudo runs) when their bytes change', () => {
    const folder = join(dir.path, 'model');
    mkdirSync(join(folder, 'onnx'), { recursive: true });
    const onnx = join(folder, 'onnx', 'vision_model.onnx');
    writeFileSync(onnx, 'weights v1');
    const model = { id: 'm', kind: 'clip', path: folder, dim: 2, files: [], addedAt: '' } as unknown as ModelRecord;
    const db = openDatabase(join(dir.path, 'lafite.db'));
    const cache = new EmbeddingStore(db);
    const addPseudoRun = (): void =>
      void db.prepare("INSERT INTO pseudo_runs (id, dataset_id, method, model_id, config, complete, created_at) VALUES ('p', 'd', 'retrieval', 'm', '{}', 1, '')").run();
    db.prepare("INSERT INTO datasets (id, folder, image_size, min_size, created_at, updated_at) VALUES ('d', '/d', 64, 16, '', '')").run();

    syncModelCache(model, cache);
    cache.putMany('m', 'image', [['a', Float32Array.of(1, 0)]]);
    addPseudoRun();

    utimesSync(onnx, new Date(2030, 0, 1), new Date(2030, 0, 1)); // a fresh checkout: same bytes, new times
    syncModelCache(model, cache);
    expect(cache.count('m')).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM pseudo_runs').get()).toEqual({ n: 1 });

    writeFileSync(onnx, 'weights v2'); // same size, other bytes
    syncModelCache(model, cache);
    expect(cache.count('m')).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM pseudo_runs').get()).toEqual({ n: 0 });
    db.close();
  });
});
