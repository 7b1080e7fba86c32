import { describe, expect, it } from 'vitest';
import { buildVocabularySet, vocabularySetFromTokenizer } from './vocabulary-build.ts';

describe('buildVocabularySet', () => {
  it('categorises words, leaves out empty categories, and adds phrase vocabularies after them', () => {
    const set = buildVocabularySet({ id: 'faces', description: 'd', words: ['man', 'young', 'the'], phrases: { Accessory: ['wearing glasses', ' wearing glasses '] } });
    expect(set.vocabularies).toEqual([
      { name: 'Noun', entries: ['man'] },
      { name: 'Adjective', entries: ['young'] },
      { name: 'Accessory', entries: ['wearing glasses'] },
    ]);
  });

  it('refuses words of which none has a category, and an empty phrase vocabulary', () => {
    expect(() => buildVocabularySet({ id: 'x', description: '', words: ['the', 'of'] })).toThrow(/none of its 2 words is a noun, verb, numeral or adjective/);
    expect(() => buildVocabularySet({ id: 'x', description: '', words: ['dog'], phrases: { Hair: [] } })).toThrow(/vocabulary 'Hair' \(vocabularies\[1\]\) is empty/);
  });
});

describe('vocabularySetFromTokenizer', () => {
  it('builds a set from a CLIP tokenizer’s whole words', () => {
    const tokenizer = { model: { vocab: { 'two</w>': 1, 'red</w>': 2, 'dogs</w>': 3, runn: 4, 'running</w>': 5, 'the</w>': 6, '2</w>': 7 } } };
    const set = vocabularySetFromTokenizer(tokenizer, { id: 'toy', description: 'a toy', digits: true });
    expect(set).toEqual({
      id: 'toy',
      description: 'a toy',
      vocabularies: [
        { name: 'Noun', entries: ['dogs', 'running'] },
        { name: 'Verb', entries: ['running'] },
        { name: 'Numeral', entries: ['two', '2'] },
        { name: 'Adjective', entries: ['red'] },
      ],
    });
  });
});
