/**
 * Datasets through the real `lafite` command: import a messy folder (every reject with its
 * reason, the duplicate found), re-run it (nothing imported twice), add a file, attach
 * captions, split, draw a few-shot subset, remove the overlap with another dataset, remove.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionImportResult, DatasetDedupeResult, DatasetImage, DatasetImportResult, DatasetRecord } from '../../main/contract/index.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { solid, writeMessyFolder, type MessyFolder } from '../helpers/images.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'photos');
let messy: MessyFolder;

/** Runs `lafite --json --data-dir …` and returns the last JSON line (the result). */
const lafite = lafiteJsonIn(dataDir);

const images = async (...filter: string[]): Promise<{ total: number; images: DatasetImage[] }> => lafite('dataset', 'images', 'photos', '--limit', '1000', ...filter);

beforeAll(async () => {
  mkdirSync(folder);
  messy = await writeMessyFolder(folder);
});
afterAll(() => dir.remove());

describe('lafite dataset', () => {
  it('imports a messy folder: good images, the duplicate, and every reject with its reason', async () => {
    const result = await lafite<DatasetImportResult>('dataset', 'import', folder, '--name', 'photos', '--size', '32');
    expect(result).toMatchObject({ imported: 6, duplicate: 1, rejected: 6, unchanged: 0, ignored: { '.txt': 1 } });
    expect(result.counts).toMatchObject({ files: 13, imported: 6, duplicate: 1, rejected: 6 });
    expect((await images('--status', 'imported')).images.map((i) => i.path)).toEqual(messy.imported);
    const rejected = (await images('--status', 'rejected')).images;
    expect(Object.fromEntries(rejected.map((i) => [i.path, i.reason]))).toEqual(
      Object.fromEntries(Object.entries(messy.rejected).map(([path, reason]) => [path, expect.stringMatching(reason)])),
    );
    const [duplicate] = (await images('--status', 'duplicate')).images;
    expect(duplicate).toMatchObject({ path: messy.duplicate.path, reason: expect.stringContaining(messy.duplicate.of) });
  });

  it('imports only what is new when run again', async () => {
    const again = await lafite<DatasetImportResult>('dataset', 'import', folder, '--name', 'photos', '--size', '32');
    expect(again).toMatchObject({ imported: 0, rejected: 0, duplicate: 0, unchanged: 12 });
    writeFileSync(join(folder, 'good', 'new.png'), await solid(50, 50, [10, 10, 10]).png().toBuffer());
    const third = await lafite<DatasetImportResult>('dataset', 'import', folder, '--name', 'photos', '--size', '32');
    expect(third).toMatchObject({ imported: 1, unchanged: 12 });
    expect(third.counts).toMatchObject({ files: 14, imported: 7, duplicate: 1, rejected: 6 });
  });

  it('refuses another folder under the same name, and a folder that does not exist', async () => {
    const other = await runCli(['--data-dir', dataDir, 'dataset', 'import', dir.path, '--name', 'photos']);
    expect(other.code).toBe(4);
    expect(other.stderr).toContain('was imported from');
    const missing = await runCli(['--data-dir', dataDir, 'dataset', 'import', join(dir.path, 'nope'), '--name', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no folder at');
  });

  it('attaches captions from JSON, matched by name, and says what did not match', async () => {
    const file = join(dir.path, 'captions.json');
    writeFileSync(
      file,
      JSON.stringify([
        { image: 'red.png', caption: 'a red square' },
        { image: 'good/green.jpg', captions: ['a green square', 'green'] },
        { image: 'rotated.jpg', caption: 'a purple thing' },
        { image: messy.duplicate.path, caption: 'the copy of the red square' },
        { image: 'missing.png', caption: 'nothing' },
      ]),
    );
    const result = await lafite<CaptionImportResult>('dataset', 'captions', 'photos', file);
    expect(result).toMatchObject({ format: 'json', added: 5, images: 3, unmatched: 1, unmatchedExamples: ['missing.png'] });
    expect(result.counts).toMatchObject({ captioned: 3, captions: 5 });
    // The duplicate's caption went to the image that is kept.
    const red = (await images('--captioned')).images.find((i) => i.path === 'good/red.png');
    expect(red?.captions).toBe(2);
    const again = await lafite<CaptionImportResult>('dataset', 'captions', 'photos', file);
    expect(again.added).toBe(0);
    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, '{"oops": ');
    const failed = await runCli(['--data-dir', dataDir, 'dataset', 'captions', 'photos', bad]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('bad.json');
  });

  it('draws the split and the few-shot subset reproducibly by seed', async () => {
    const split = await lafite<DatasetRecord>('dataset', 'split', 'photos', '--val', '0.3', '--seed', '1');
    expect(split.counts).toMatchObject({ train: 5, val: 2 });
    const fewShot = async (seed: string) => {
      await lafite<DatasetRecord>('dataset', 'fewshot', 'photos', '--pairs', '2', '--seed', seed);
      return (await images('--few-shot')).images.map((i) => i.path);
    };
    const first = await fewShot('0');
    expect(first).toHaveLength(2);
    expect(await fewShot('0')).toEqual(first);
    const tooMany = await runCli(['--data-dir', dataDir, 'dataset', 'fewshot', 'photos', '--pairs', '50']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/captioned images/);
  });

  it('excludes what another dataset holds (sha256 and MD5), marks near-duplicates by image features, removes a dataset and its cache', async () => {
    const second = join(dir.path, 'downstream');
    mkdirSync(second);
    copyFileSync(join(folder, 'good', 'red.png'), join(second, 'also-red.png'));
    writeFileSync(join(second, 'own.png'), await solid(40, 40, [90, 90, 0]).png().toBuffer());
    // The same picture saved again as JPEG: other bytes, the same image features.
    writeFileSync(join(second, 'own-again.jpg'), await solid(40, 40, [90, 90, 0]).jpeg({ quality: 80 }).toBuffer());
    await lafite('dataset', 'import', second, '--name', 'downstream', '--size', '32');
    const deduped = await lafite<DatasetDedupeResult>('dataset', 'dedupe', 'downstream', '--against', 'photos');
    expect(deduped).toMatchObject({ excludedBySha256: 1, excludedByMd5: 0, counts: { imported: 2, excluded: 1 } });
    const [excluded] = (await lafite<{ images: DatasetImage[] }>('dataset', 'images', 'downstream', '--status', 'excluded')).images;
    expect(excluded?.reason).toMatch(/also in dataset 'photos'/);

    const noFeatures = await lafite<DatasetDedupeResult>('dataset', 'dedupe', 'downstream', '--near', '0.999');
    expect(noFeatures).toMatchObject({ nearDuplicates: 0, withoutFeatures: 2 });
    await lafite('embed', '--dataset', 'downstream', '--model', 'shapes-clip');
    const near = await lafite<DatasetDedupeResult>('dataset', 'dedupe', 'downstream', '--near', '0.999');
    expect(near).toMatchObject({ nearDuplicates: 1, withoutFeatures: 0, counts: { imported: 1, duplicate: 1, excluded: 1 } });
    const [nearCopy] = (await lafite<{ images: DatasetImage[] }>('dataset', 'images', 'downstream', '--status', 'duplicate')).images;
    expect(nearCopy).toMatchObject({ path: 'own.png', reason: expect.stringMatching(/near-duplicate of own-again.jpg/) });

    expect(existsSync(join(dataDir, 'datasets', 'downstream'))).toBe(true);
    expect(await lafite('dataset', 'remove', 'downstream')).toEqual({ dataset: 'downstream', deletedImages: 3 });
    expect(existsSync(join(dataDir, 'datasets', 'downstream'))).toBe(false);
    expect((await lafite<DatasetRecord[]>('dataset', 'list')).map((d) => d.id)).toEqual(['photos']);
  });
});
