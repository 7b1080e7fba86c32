import { describe, expect, it } from 'vitest';
import type { VocabularySetRecord } from '../../../main/contract/index.ts';
import { inputSchemas } from '../../../main/contract/index.ts';
import {
  checkSetId,
  checkVocabularyName,
  draftChanged,
  draftFromRecord,
  entryCounts,
  exportText,
  faultOf,
  linesOf,
  parseSetText,
  saveInput,
  sourceLabel,
  templateSegments,
} from './vocabulary-draft.ts';

const record = (over: Partial<VocabularySetRecord> = {}): VocabularySetRecord => ({
  id: 'shapes',
  description: 'ShapesWorld words',
  source: 'default',
  hasDefault: true,
  vocabularies: [
    { name: 'Noun', entries: ['circle', 'square'] },
    { name: 'Adjective', entries: ['red', 'blue'] },
  ],
  templates: ['{Adjective} {Noun}', 'a {Noun}'],
  ...over,
});

describe('vocabulary set drafts', () => {
  it('turns a draft edited as text into the save input the API takes, blank lines and spaces left out', () => {
    const draft = draftFromRecord(record());
    expect(draft.vocabularies[0]).toEqual({ name: 'Noun', text: 'circle\nsquare' });
    expect(draft.templatesText).toBe('{Adjective} {Noun}\na {Noun}');
    expect(saveInput('shapes', draft)).toEqual({ id: 'shapes', description: 'ShapesWorld words', vocabularies: record().vocabularies, templates: record().templates });

    draft.vocabularies[0]!.text = '  circle \r\n\n square\n\n';
    draft.templatesText += '\n\n';
    expect(draftChanged(draft, record())).toBe(false);
    draft.vocabularies.push({ name: 'Texture', text: 'striped\ndotted' });
    expect(draftChanged(draft, record())).toBe(true);
    expect(inputSchemas['vocabulary.save'].safeParse(saveInput('shapes', draft)).success).toBe(true);
    expect(linesOf(' a \n\n b\r\n')).toEqual(['a', 'b']);
  });

  it('names the source, counts entries with their repeats, and checks ids and names as the API does', () => {
    expect(sourceLabel({ source: 'default', hasDefault: true })).toBe('default');
    expect(sourceLabel({ source: 'saved', hasDefault: true })).toBe('saved, replaces default');
    expect(sourceLabel({ source: 'saved', hasDefault: false })).toBe('saved');
    expect(entryCounts('red\nRed\n\nblue  sky\nblue sky')).toEqual({ entries: 4, repeats: 2 });

    expect(checkSetId('my-birds-2')).toBeNull();
    expect(checkSetId('My_birds')).not.toBeNull();
    expect(checkVocabularyName('Accessory', ['Noun'])).toBeNull();
    expect(checkVocabularyName('noun', ['Noun'])).toContain('Noun already');
    expect(checkVocabularyName('2nd', [])).toContain('starting with a letter');
    expect(checkVocabularyName('A'.repeat(41), [])).not.toBeNull();
  });

  it('cuts a template into text and slots, known and unknown', () => {
    expect(templateSegments('{Numeral} {Colour} {Noun}s', new Set(['Numeral', 'Noun']))).toEqual([
      { text: '{Numeral}', slot: 'known' },
      { text: ' ' },
      { text: '{Colour}', slot: 'unknown' },
      { text: ' ' },
      { text: '{Noun}', slot: 'known' },
      { text: 's' },
    ]);
    expect(templateSegments('no slot', new Set())).toEqual([{ text: 'no slot' }]);
  });

  it('reads pasted JSON as export writes it, and says what is wrong with its shape', () => {
    const text = exportText(record({ source: 'saved' }));
    expect(JSON.parse(text)).toEqual({ id: 'shapes', description: 'ShapesWorld words', vocabularies: record().vocabularies, templates: record().templates });
    expect(parseSetText(text)).toEqual({ set: JSON.parse(text) });
    expect(parseSetText('{"id": "x", "vocabularies": [{"name": "Noun", "entries": ["cat"]}], "templates": ["a {Noun}"]}')).toEqual({
      set: { id: 'x', description: '', vocabularies: [{ name: 'Noun', entries: ['cat'] }], templates: ['a {Noun}'] },
    });
    expect(parseSetText('{"id": ')).toHaveProperty('error', expect.stringMatching(/^Not JSON/));
    expect(parseSetText('[]')).toHaveProperty('error');
    expect(parseSetText('{"id": "x", "vocabularies": [{"name": "Noun", "entries": "cat"}], "templates": []}')).toEqual({
      error: 'vocabularies[0] is not {name, entries: [text, …]}.',
    });
    expect(parseSetText('{"id": "x", "vocabularies": [{"name": "Noun", "entries": []}]}')).toHaveProperty('error', expect.stringContaining("'templates'"));
  });

  it("finds the vocabulary or template an API error's field names", () => {
    expect(faultOf('vocabularies.3.entries.7')).toEqual({ vocabulary: 3 });
    expect(faultOf('input.templates.2')).toEqual({ template: 2 });
    expect(faultOf('id')).toBeNull();
    expect(faultOf(undefined)).toBeNull();
  });
});
