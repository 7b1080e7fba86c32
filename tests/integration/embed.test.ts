/**
 * Encoders end to end through the CLI: a CLIP folder is added, a folder of ShapesWorld
 * pictures is embedded through the cache (a second run encodes nothing, new pictures only
 * the new ones), the model is evaluated, and removing it drops its cached features.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyClipFolder } from '../../main/engine/encoders/testing/tiny-clip.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('embed and evaluate through the CLI', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const pictures = join(dir.path, 'pictures');
  const cli = (...args: string[]) => runCli(['--json', '--data-dir', data, ...args]);
  const cachedRows = (): number => {
    const db = new Database(join(data, 'lafite.db'), { readonly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM embeddings WHERE model_id = 'tiny'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    await writeTinyClipFolder(join(dir.path, 'tiny'), { words: ['a', 'red', 'circle'], imageSize: 16 });
    expect((await cli('model', 'add', join(dir.path, 'tiny'), '--id', 'tiny')).code).toBe(0);
    expect((await cli('shapes', 'generate', '--n', '24', '--out', pictures)).code).toBe(0);
  });
  afterAll(() => dir.remove());

  it('encodes each picture once: a second run takes everything from the cache', async () => {
    const first = await cli('embed', '--folder', pictures, '--model', 'tiny', '--batch-size', '10');
    expect(first.code, first.stderr).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({ model: 'tiny', images: 24, encoded: 24, cached: 0 });
    const again = await cli('embed', '--folder', pictures, '--model', 'tiny');
    expect(lastJson(again.stdout)).toMatchObject({ images: 24, encoded: 0, cached: 24 });
    expect(cachedRows()).toBe(24);
  });

  it('encodes only the new pictures after the folder grows', async () => {
    expect((await cli('shapes', 'generate', '--n', '30', '--out', pictures)).code).toBe(0); // continues the run
    const grown = await cli('embed', '--folder', pictures, '--model', 'tiny');
    expect(lastJson(grown.stdout)).toMatchObject({ images: 30, encoded: 6, cached: 24 });
    expect(cachedRows()).toBe(30);
  });

  it('encodes everything again once the model’s files change (new weights never reuse old features)', async () => {
    await writeTinyClipFolder(join(dir.path, 'tiny'), { words: ['a', 'red', 'circle'], imageSize: 16, seed: 9 }); // re-exported in place
    const renewed = await cli('embed', '--folder', pictures, '--model', 'tiny');
    expect(lastJson(renewed.stdout)).toMatchObject({ images: 30, encoded: 30, cached: 0 });
    expect(cachedRows()).toBe(30);
    const again = await cli('embed', '--folder', pictures, '--model', 'tiny');
    expect(lastJson(again.stdout)).toMatchObject({ encoded: 0, cached: 30 });
  });

  it('says clearly what is wrong with a bad model id or folder', async () => {
    const noModel = await cli('embed', '--folder', pictures, '--model', 'nope');
    expect(noModel.code).toBe(3);
    expect(noModel.stderr).toContain("no model 'nope'");
    const noFolder = await cli('embed', '--folder', join(dir.path, 'missing'), '--model', 'tiny');
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toContain('no folder at');
  });

  it('evaluates a model zero-shot with figures in range, and removing it drops its features', async () => {
    const evaluated = await cli('model', 'eval', 'tiny', '--n', '40');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = lastJson(evaluated.stdout);
    expect(report).toMatchObject({ model: 'tiny', images: 40 });
    for (const key of ['colorAccuracy', 'shapeAccuracy', 'colorShapeAccuracy']) {
      expect(report[key]).toBeGreaterThanOrEqual(0);
      expect(report[key]).toBeLessThanOrEqual(1);
    }
    expect((await cli('model', 'remove', 'tiny')).code).toBe(0);
    expect(cachedRows()).toBe(0);
  });
});
