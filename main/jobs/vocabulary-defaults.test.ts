/**
 * The shipped defaults (resources/vocabularies, resources/templates): every set parses, every
 * template parses against its domain's vocabulary names (so no slot lacks a vocabulary, and
 * none is empty), and shapes.json is what the build makes of the demo model's tokenizer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillTemplate, parseTemplate, slotCounts } from '../engine/pseudo/templates.ts';
import { vocabularySetFromTokenizer } from '../engine/pseudo/vocabulary-build.ts';
import { findVocabulary, vocabularyNames } from '../engine/pseudo/vocabulary.ts';
import { defaultTemplateDir, defaultVocabularyDir, listDefaultDomains } from '../store/default-files.ts';
import { builtinModelDir } from '../store/paths.ts';
import { loadDefaultTemplateSet, loadDefaultVocabularySet } from './vocabulary-sets.ts';

const DOMAINS = ['birds', 'faces', 'photos', 'shapes'];

describe('default vocabularies and templates', () => {
  it('ship for every domain, vocabularies and templates alike', async () => {
    expect(await listDefaultDomains(defaultVocabularyDir())).toEqual(DOMAINS);
    expect(await listDefaultDomains(defaultTemplateDir())).toEqual(DOMAINS);
  });

  for (const domain of DOMAINS) {
    it(`${domain}: every template parses against the vocabularies and fills from them`, async () => {
      const vocabularies = await loadDefaultVocabularySet(domain);
      expect(vocabularies.description.length).toBeGreaterThan(20);
      const known = vocabularyNames(vocabularies);
      for (const category of ['Noun', 'Numeral', 'Adjective']) expect(known.has(category)).toBe(true);
      const templates = await loadDefaultTemplateSet(domain, known);
      expect(templates.templates.length).toBeGreaterThanOrEqual(4);
      for (const text of templates.templates) {
        const template = parseTemplate(text, known);
        const choice: Record<string, string[]> = {};
        for (const [slot, count] of slotCounts(template)) {
          const entries = findVocabulary(vocabularies, slot)!.entries;
          expect([text, slot, entries.length >= count]).toEqual([text, slot, true]);
          choice[slot] = entries.slice(0, count);
        }
        expect(fillTemplate(template, choice)).not.toMatch(/[{}]/);
      }
    });
  }

  it('photos: holds the paper’s COCO template', async () => {
    const set = await loadDefaultTemplateSet('photos');
    expect(set.templates).toContain('{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}');
  });

  it('faces and birds: hold their phrase vocabularies', async () => {
    const faces = await loadDefaultVocabularySet('faces');
    expect(findVocabulary(faces, 'Accessory')?.entries).toContain('wearing glasses');
    expect(findVocabulary(faces, 'Accessory')?.entries).toContain('wearing earrings');
    const birds = await loadDefaultVocabularySet('birds');
    expect(findVocabulary(birds, 'Marking')?.entries).toContain('with a red crown');
  });

  it('shapes: is the demo model tokenizer’s words, categorised; ShapesWorld’s words are where they belong', async () => {
    const tokenizer: unknown = JSON.parse(await readFile(join(builtinModelDir('shapes-clip'), 'tokenizer.json'), 'utf8'));
    const shipped = await loadDefaultVocabularySet('shapes');
    expect(vocabularySetFromTokenizer(tokenizer, { id: 'shapes', description: shipped.description }).vocabularies).toEqual(shipped.vocabularies);
    const entries = (name: string): string[] => findVocabulary(shipped, name)!.entries;
    for (const noun of ['circle', 'circles', 'square', 'squares', 'triangle', 'star', 'stars', 'heart', 'cross', 'crosses']) expect(entries('Noun')).toContain(noun);
    for (const adjective of ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'white', 'black', 'small', 'medium', 'large', 'light', 'dark', 'gray', 'beige', 'pink']) {
      expect(entries('Adjective')).toContain(adjective);
    }
    for (const numeral of ['a', 'one', 'two', 'three']) expect(entries('Numeral')).toContain(numeral);
  });

  it('refuses an unknown domain, naming the defaults, and a domain that is not a name', async () => {
    await expect(loadDefaultVocabularySet('cars')).rejects.toThrow(/no default vocabulary set for domain 'cars'; defaults: birds, faces, photos, shapes/);
    await expect(loadDefaultTemplateSet('../x')).rejects.toThrow(/domain '\.\.\/x' must be lowercase letters/);
  });
});
