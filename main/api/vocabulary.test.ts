/** Vocabulary sets through the service: defaults, saved edits that replace them, checks, preview. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../tests/helpers/cli.ts';
import { tempDir } from '../../tests/helpers/temp.ts';
import { openService, type Service } from './service.ts';

const dir = tempDir();
const dataDir = join(dir.path, 'data');
let service: Service;

beforeAll(async () => {
  const folder = join(dir.path, 'shapes');
  for (const args of [
    ['shapes', 'generate', '--n', '6', '--size', '64', '--out', folder],
    ['dataset', 'import', folder, '--name', 'shapes', '--size', '64'],
  ]) {
    const result = await runCli(['--data-dir', dataDir, ...args]);
    if (result.code !== 0) throw new Error(result.stderr);
  }
  service = openService({ dataDir });
});
afterAll(async () => {
  await service.close();
  dir.remove();
});

describe('vocabulary.*', () => {
  it('lists the shipped defaults', async () => {
    const sets = await service.call('vocabulary.list', {});
    expect(sets.map((s) => s.id)).toEqual(expect.arrayContaining(['birds', 'faces', 'photos', 'shapes']));
    expect(sets.every((s) => s.source === 'default' && s.templates.length > 0)).toBe(true);
  });

  it('saves an edit that replaces the default until it is reset, and refuses an invalid one whole', async () => {
    const shapes = await service.call('vocabulary.get', { id: 'shapes' });
    const edited = {
      ...shapes,
      vocabularies: [...shapes.vocabularies, { name: 'Pattern', entries: ['striped', 'dotted', 'striped'] }],
      templates: [...shapes.templates, '{Numeral} {Pattern} {Noun}'],
    };
    const saved = await service.call('vocabulary.save', { id: 'shapes', description: edited.description, vocabularies: edited.vocabularies, templates: edited.templates });
    expect(saved).toMatchObject({ source: 'saved', hasDefault: true });
    expect(saved.vocabularies.find((v) => v.name === 'Pattern')?.entries).toEqual(['striped', 'dotted']); // deduplicated

    await expect(service.call('vocabulary.save', { id: 'shapes', vocabularies: edited.vocabularies, templates: ['{Numeral} {Colour}'] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/unknown slot \{Colour\}/),
    });
    await expect(service.call('vocabulary.save', { id: 'shapes', vocabularies: [{ name: 'Noun', entries: ['  '] }], templates: ['{Noun}'] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/Noun/),
    });
    expect((await service.call('vocabulary.get', { id: 'shapes' })).templates).toContain('{Numeral} {Pattern} {Noun}'); // the bad saves changed nothing

    expect(await service.call('vocabulary.reset', { id: 'shapes' })).toEqual({ id: 'shapes', removed: true });
    expect((await service.call('vocabulary.get', { id: 'shapes' })).source).toBe('default');
    await expect(service.call('vocabulary.get', { id: 'nosuch' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/there are: birds/) });
  });

  it('builds a set from a model tokenizer, refusing to overwrite one unless asked', async () => {
    const built = await service.call('vocabulary.build', { id: 'from-clip', model: 'shapes-clip', templatesFrom: 'shapes' });
    expect(built).toMatchObject({ source: 'saved', hasDefault: false });
    expect(built.vocabularies.find((v) => v.name === 'Noun')?.entries).toContain('circle');
    await expect(service.call('vocabulary.build', { id: 'from-clip', model: 'shapes-clip' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(service.call('vocabulary.build', { id: 'photos', model: 'shapes-clip' })).rejects.toMatchObject({ code: 'conflict' });
    expect((await service.call('vocabulary.build', { id: 'from-clip', model: 'shapes-clip', replace: true })).id).toBe('from-clip');
  });

  it('checks templates one by one for the editor', async () => {
    const checks = await service.call('vocabulary.check', { vocabularies: ['Noun', 'Adjective'], templates: ['a {Adjective} {Noun}', 'a {Verb}', 'no slot', '{Noun'] });
    expect(checks.map((c) => c.ok)).toEqual([true, false, false, false]);
    expect(checks[0]!.slots).toEqual(['Adjective', 'Noun']);
    expect(checks[1]!.error).toMatch(/\{Verb\}/);
  });

  it('previews retrieval for one image: top words with scores and top prompts, best first', async () => {
    const { images } = await service.call('datasets.images', { dataset: 'shapes', limit: 1 });
    const preview = await service.call('vocabulary.preview', { dataset: 'shapes', image: images[0]!.id, id: 'shapes', k: 3, m: 4 });
    expect(preview.topWords.map((v) => v.vocabulary).sort()).toEqual(['Adjective', 'Noun', 'Numeral']);
    for (const v of preview.topWords) {
      expect(v.words).toHaveLength(3);
      expect(v.words.map((w) => w.score)).toEqual([...v.words.map((w) => w.score)].sort((a, b) => b - a));
    }
    expect(preview.prompts).toHaveLength(4);
    expect(preview.prompts[0]!.score).toBeGreaterThanOrEqual(preview.prompts[3]!.score);
  });
});
