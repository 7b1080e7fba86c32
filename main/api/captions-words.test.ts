/**
 * Issue 19 through the service: one caption added, edited and removed (`datasets.caption`, the
 * image panel's editing), the few-shot subset kept right when an image loses its last caption;
 * vocabulary entries outside an encoder's tokenizer found (`vocabulary.words`) and refused by
 * `vocabulary.save` in a single-word vocabulary.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LafiteError } from '../contract/errors.ts';
import { runCli } from '../../tests/helpers/cli.ts';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openService, type Service } from './service.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
let service: Service;

beforeAll(async () => {
  const folder = join(dir.path, 'shapes');
  const result = await runCli(['--data-dir', dataDir, 'shapes', 'generate', '--n', '3', '--size', '32', '--out', folder]);
  if (result.code !== 0) throw new Error(result.stderr);
  const imported = await runCli(['--data-dir', dataDir, 'dataset', 'import', folder, '--name', 'shapes', '--size', '32']);
  if (imported.code !== 0) throw new Error(imported.stderr);
  const captions = join(dir.path, 'captions.jsonl');
  writeFileSync(captions, ['00000.png', '00001.png'].map((file) => JSON.stringify({ file, caption: `a picture ${file}` })).join('\n'));
  service = openService({ dataDir });
  await service.call('datasets.captions', { dataset: 'shapes', file: captions });
}, 120_000);
afterAll(async () => {
  await service.close();
  dir.remove();
});

const refusal = async (call: Promise<unknown>): Promise<LafiteError> => {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LafiteError);
  return error as LafiteError;
};

describe('datasets.caption', () => {
  it('adds, edits and removes one caption, refusing a repeat and an empty one', async () => {
    const images = await service.call('datasets.images', { dataset: 'shapes' });
    const image = images.images.find((i) => i.path === '00002.png')!;
    const added = await service.call('datasets.caption', { action: 'add', dataset: 'shapes', image: image.id, text: '  two   red circles ' });
    expect(added.captionTexts.map((c) => c.text)).toEqual(['two red circles']);
    expect((await refusal(service.call('datasets.caption', { action: 'add', dataset: 'shapes', image: image.id, text: 'two red circles' }))).code).toBe('conflict');
    expect((await refusal(service.call('datasets.caption', { action: 'add', dataset: 'shapes', image: image.id, text: '   ' }))).code).toBe('invalid_input');

    const caption = added.captionTexts[0]!.id;
    const edited = await service.call('datasets.caption', { action: 'edit', dataset: 'shapes', image: image.id, caption, text: 'three red circles' });
    expect(edited.captionTexts).toEqual([{ id: caption, text: 'three red circles', source: 'edited in the app' }]);
    expect((await service.call('datasets.get', { dataset: 'shapes' })).counts.captioned).toBe(3);

    const removed = await service.call('datasets.caption', { action: 'remove', dataset: 'shapes', image: image.id, caption });
    expect(removed.captionTexts).toEqual([]);
    expect((await service.call('datasets.get', { dataset: 'shapes' })).counts.captioned).toBe(2);
    expect((await refusal(service.call('datasets.caption', { action: 'remove', dataset: 'shapes', image: image.id, caption }))).code).toBe('not_found');
  });

  it('takes an image out of the few-shot subset with its last caption', async () => {
    await service.call('datasets.fewshot', { dataset: 'shapes', pairs: 2 });
    const detail = await service.call('datasets.image', { dataset: 'shapes', id: (await service.call('datasets.images', { dataset: 'shapes', fewShot: true })).images[0]!.id });
    expect(detail.fewShot).toBe(true);
    const after = await service.call('datasets.caption', { action: 'remove', dataset: 'shapes', image: detail.id, caption: detail.captionTexts[0]!.id });
    expect(after).toMatchObject({ fewShot: false, captionTexts: [] });
    expect((await service.call('datasets.get', { dataset: 'shapes' })).counts.fewShot).toBe(1);
  });
});

describe('vocabulary.words and vocabulary.save with a model', () => {
  it('lists entries outside the tokenizer, refused in single-word vocabularies, warned in phrase ones', async () => {
    const check = await service.call('vocabulary.words', {
      model: 'shapes-clip',
      vocabularies: [
        { name: 'Noun', entries: ['circle', 'chestnut', 'apple'] },
        { name: 'Pattern', entries: ['a red circle', 'a zyxquux circle'] },
      ],
    });
    expect(check.tokenizerWords).toBeGreaterThan(100); // shapes-clip: a small tokenizer of its own domain
    expect(check.vocabularies).toEqual([
      { name: 'Noun', kind: 'words', entries: ['chestnut', 'apple'], count: 2, words: ['chestnut', 'apple'] },
      { name: 'Pattern', kind: 'phrases', entries: ['a zyxquux circle'], count: 1, words: ['zyxquux'] },
    ]);

    const shapes = await service.call('vocabulary.get', { id: 'shapes' });
    const withWord = (word: string) => ({
      id: 'mine',
      description: '',
      vocabularies: shapes.vocabularies.map((v) => (v.name === 'Noun' ? { ...v, entries: [...v.entries, word] } : v)),
      templates: shapes.templates,
      model: 'shapes-clip',
    });
    const refused = await refusal(service.call('vocabulary.save', withWord('chestnut')));
    expect(refused.code).toBe('invalid_input');
    expect(refused.message).toMatch(/1 entry is not a word of shapes-clip's tokenizer.*Noun: chestnut/);
    expect(refused.field).toBe(`vocabularies.${shapes.vocabularies.findIndex((v) => v.name === 'Noun')}.entries`);
    expect((await service.call('vocabulary.list', {})).map((s) => s.id)).not.toContain('mine'); // nothing stored
    const { model: _model, ...unchecked } = withWord('chestnut');
    expect((await service.call('vocabulary.save', unchecked)).id).toBe('mine'); // without a model: no check, as before
  });
});
