import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { DatasetStore, type SeenFile } from './datasets.ts';
import { openDatabase, type Db } from './db.ts';

const hex = (c: string, n: number): string => c.repeat(n);
const image = (path: string, sha: string, extra: Partial<SeenFile> = {}): SeenFile => ({
  path,
  bytes: 100,
  mtimeMs: 1,
  status: 'imported',
  sha256: hex(sha, 64),
  md5: hex(sha, 32),
  format: 'png',
  width: 64,
  height: 64,
  ...extra,
});

describe('DatasetStore', () => {
  const dir = tempDir();
  let db: Db;
  let store: DatasetStore;
  beforeEach(() => {
    db = openDatabase(`${dir.path}/${Math.random()}.db`);
    store = new DatasetStore(db);
    store.ensure({ id: 'a', folder: '/a', imageSize: 64, minSize: 16 });
  });
  afterEach(() => db.close());
  afterAll(() => dir.remove());

  it('records a batch, marking the later of two identical files a duplicate of the first', () => {
    const counts = store.recordFiles('a', [
      image('x.png', 'a'),
      image('y.png', 'b'),
      image('z.png', 'a'),
      { path: 'bad.jpg', bytes: 0, mtimeMs: 1, status: 'rejected', reason: 'empty file' },
    ]);
    expect(counts).toEqual({ imported: 2, rejected: 1, duplicate: 1 });
    const z = store.images('a', { status: 'duplicate' }, 0, 10).images[0]!;
    const x = store.images('a', { status: 'imported' }, 0, 10).images.find((i) => i.path === 'x.png')!;
    expect(z).toMatchObject({ path: 'z.png', duplicateOf: x.id, reason: 'the same file as x.png (sha256)' });
    expect(store.counts('a')).toMatchObject({ files: 4, imported: 2, rejected: 1, duplicate: 1 });
  });

  it('updates a changed file in place instead of adding a row', () => {
    store.recordFiles('a', [image('x.png', 'a')]);
    store.recordFiles('a', [image('x.png', 'c', { bytes: 200, mtimeMs: 2 })]);
    expect(store.counts('a').files).toBe(1);
    expect(store.seenFiles('a').get('x.png')).toEqual({ bytes: 200, mtimeMs: 2 });
  });

  it('adds a caption once, filters by captioned, and cascades on remove', () => {
    store.recordFiles('a', [image('x.png', 'a'), image('y.png', 'b')]);
    const [x] = store.images('a', {}, 0, 10).images;
    expect(
      store.addCaptions(
        'a',
        [
          { imageId: x!.id, text: 'a red square' },
          { imageId: x!.id, text: 'a red square' },
        ],
        'c.json',
      ),
    ).toEqual({ added: 1, images: 1 });
    expect(store.images('a', { captioned: true }, 0, 10).total).toBe(1);
    expect(store.images('a', { captioned: false }, 0, 10).total).toBe(1);
    expect(store.image('a', x!.id)!.captionTexts).toEqual([{ id: expect.any(Number), text: 'a red square', source: 'c.json' }]);
    expect(store.remove('a')).toBe(2);
    expect(db.prepare('SELECT count(*) AS n FROM captions').get()).toEqual({ n: 0 });
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('finds the overlap with another dataset by sha256, then by MD5', () => {
    store.ensure({ id: 'b', folder: '/b', imageSize: 64, minSize: 16 });
    store.recordFiles('a', [image('same.png', 'a'), image('md5only.png', 'b', { md5: hex('e', 32) }), image('own.png', 'c')]);
    store.recordFiles('b', [image('other.png', 'a'), image('other2.png', 'f', { md5: hex('e', 32) })]);
    const overlap = store.overlapWith('a', 'b');
    expect(overlap.map((o) => [o.path, o.by, o.otherPath]).sort()).toEqual([
      ['md5only.png', 'md5', 'other2.png'],
      ['same.png', 'sha256', 'other.png'],
    ]);
    store.mark(
      'a',
      overlap.map((o) => ({ imageId: o.id, status: 'excluded', reason: 'overlap' })),
    );
    expect(store.counts('a')).toMatchObject({ imported: 1, excluded: 2 });
  });

  it('sets the split and the few-shot subset, and a re-import of a file clears them', () => {
    store.recordFiles('a', [image('x.png', 'a'), image('y.png', 'b')]);
    const [x, y] = store.images('a', {}, 0, 10).images;
    store.setSplit('a', new Set([y!.id]), { val: 0.5, seed: 1 });
    store.setFewShot('a', new Set([x!.id]), { pairs: 1, seed: 1 });
    expect(store.counts('a')).toMatchObject({ train: 1, val: 1, fewShot: 1 });
    expect(store.get('a')).toMatchObject({ split: { val: 0.5, seed: 1 }, fewShot: { pairs: 1, seed: 1 } });
    store.recordFiles('a', [image('x.png', 'c', { mtimeMs: 5 })]);
    expect(store.counts('a')).toMatchObject({ train: 0, val: 1, fewShot: 0 });
  });
});
