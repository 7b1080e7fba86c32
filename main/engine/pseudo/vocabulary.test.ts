import { describe, expect, it } from 'vitest';
import { LafiteError } from '../../contract/errors.ts';
import { categorise, parseVocabularySet, parseVocabularySetText, serialiseVocabularySet, vocabularyNames, wordsFromTokenizer, type VocabularySet } from './vocabulary.ts';

/** A tiny tokenizer.json in the Hugging Face layout, with CLIP's kinds of tokens. */
const FAKE_TOKENIZER = {
  version: '1.0',
  model: {
    type: 'BPE',
    end_of_word_suffix: '</w>',
    vocab: {
      'a</w>': 1, // the one single-letter word kept
      'x</w>': 2, // other single letters dropped
      'the</w>': 3,
      'dog</w>': 10,
      'cat</w>': 5, // ids give the order
      cat: 6, // a word start, not a whole word
      runn: 7, // a fragment
      'running</w>': 8,
      'Red</w>': 9, // lowercased
      'red</w>': 40, // then a repeat
      '!</w>': 11, // punctuation
      '...</w>': 12,
      'ðŁĺĤ</w>': 13, // an emoji, as CLIP's byte-level vocabulary spells it
      'cafÃ©</w>': 14, // a non-English letter, likewise
      '2</w>': 15, // digits
      '12</w>': 16,
      '2019</w>': 17,
      'two</w>': 18,
      "o'clock</w>": 19,
      't-shirt</w>': 20,
      '-dog</w>': 21,
      '<|startoftext|>': 22,
      '<|endoftext|>': 23,
      'cat2</w>': 24,
    },
    merges: [],
  },
};

/** Runs `fn` and returns the LafiteError it throws. */
function errorOf(fn: () => unknown): LafiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LafiteError) return error;
    throw error;
  }
  throw new Error('expected a LafiteError');
}

describe('wordsFromTokenizer', () => {
  it('keeps whole words only: </w> tokens of letters, in id order, once each', () => {
    expect(wordsFromTokenizer(FAKE_TOKENIZER)).toEqual(['a', 'the', 'cat', 'running', 'red', 'dog', 'two', "o'clock", 't-shirt']);
  });

  it('keeps numbers 0–99 in digits when asked', () => {
    const words = wordsFromTokenizer(FAKE_TOKENIZER, { digits: true });
    expect(words).toContain('2');
    expect(words).toContain('12');
    expect(words).not.toContain('2019');
  });

  it('reads a vocab.json map too', () => {
    expect(wordsFromTokenizer({ 'dog</w>': 2, do: 1, 'a</w>': 3 })).toEqual(['dog', 'a']);
  });

  it('says what is wrong with a file that is not a CLIP tokenizer', () => {
    expect(errorOf(() => wordsFromTokenizer({ model: { vocab: 'x' } }, { source: 'm/tokenizer.json' })).message).toMatch(/^m\/tokenizer\.json: not a CLIP tokenizer/);
    expect(errorOf(() => wordsFromTokenizer({ model: { vocab: { Ġdog: 1 } } })).message).toMatch(/no whole-word tokens \(ending in '<\/w>'\)/);
    expect(wordsFromTokenizer({ model: { vocab: { 'dog@@': 1 }, end_of_word_suffix: '@@' } })).toEqual(['dog']);
  });

  it('reads the demo model tokenizer: ShapesWorld words, no fragments', async () => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { builtinModelDir } = await import('../../store/paths.ts');
    const words = wordsFromTokenizer(JSON.parse(await readFile(join(builtinModelDir('shapes-clip'), 'tokenizer.json'), 'utf8')));
    for (const w of ['a', 'circle', 'circles', 'red', 'beige', 'two', 'background']) expect(words).toContain(w);
    for (const w of ['backgr', 'circl', 'b', '<|endoftext|>']) expect(words).not.toContain(w);
  });
});

describe('categorise', () => {
  it('sorts clear cases and leaves out other parts of speech', () => {
    const c = categorise(['dog', 'cat', 'running', 'eat', 'red', 'small', 'two', 'three', 'several', 'the', 'with', 'Dog']);
    expect(c.noun).toEqual(['dog', 'cat', 'running']);
    expect(c.verb).toEqual(['running', 'eat']);
    expect(c.adjective).toEqual(['red', 'small']);
    expect(c.numeral).toEqual(['two', 'three', 'several']);
  });
});

describe('parseVocabularySet', () => {
  const good = {
    id: 'faces',
    description: 'test',
    vocabularies: [
      { name: 'Noun', entries: ['man', ' woman ', 'Man', '', '  ', 'young   woman'] },
      { name: 'Accessory', entries: ['wearing glasses'] },
    ],
  };

  it('trims entries, collapses spaces, drops empty ones and case-insensitive repeats', () => {
    const set = parseVocabularySet(good, 'faces.json');
    expect(set.vocabularies[0]).toEqual({ name: 'Noun', entries: ['man', 'woman', 'young woman'] });
    expect(vocabularyNames(set)).toEqual(new Set(['Noun', 'Accessory']));
  });

  it('round-trips through its file text', () => {
    const set = parseVocabularySet(good, 'faces.json');
    const text = serialiseVocabularySet(set);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseVocabularySetText(text, 'faces.json')).toEqual(set);
  });

  it('defaults a missing description to empty', () => {
    expect(parseVocabularySet({ id: 'x', vocabularies: [{ name: 'Noun', entries: ['dog'] }] }, 'x.json').description).toBe('');
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['an empty vocabulary', { id: 'f', vocabularies: [{ name: 'Hair', entries: [' ', ''] }] }, /^f\.json: vocabulary 'Hair' \(vocabularies\[0\]\) is empty/],
    ['no vocabulary', { id: 'f', vocabularies: [] }, /^f\.json: field 'vocabularies': must hold at least one vocabulary/],
    ['a bad id', { id: 'My Faces', vocabularies: [{ name: 'Noun', entries: ['a'] }] }, /^f\.json: field 'id': must be lowercase letters, digits and hyphens/],
    [
      'a bad name',
      { id: 'f', vocabularies: [{ name: 'hair colour', entries: ['a'] }] },
      /^f\.json: vocabulary name 'hair colour' \(vocabularies\[0\]\) must be letters and digits/,
    ],
    [
      'a repeated name',
      {
        id: 'f',
        vocabularies: [
          { name: 'Noun', entries: ['a'] },
          { name: 'noun', entries: ['b'] },
        ],
      },
      /vocabulary 'noun' \(vocabularies\[1\]\) repeats the name 'Noun'/,
    ],
    [
      'a non-string entry',
      {
        id: 'f',
        vocabularies: [
          { name: 'Noun', entries: ['a'] },
          { name: 'Hair', entries: ['b', 3] },
        ],
      },
      /^f\.json: vocabulary 'Hair' \(vocabularies\[1\]\), entries\[1\]: .*string/,
    ],
    ['a missing entries list', { id: 'f', vocabularies: [{ name: 'Hair' }] }, /^f\.json: vocabulary 'Hair' \(vocabularies\[0\]\), entries: /],
    ['an unknown key', { id: 'f', vocabularies: [{ name: 'Hair', entires: ['a'] }] }, /^f\.json: vocabulary 'Hair' \(vocabularies\[0\]\)/],
    ['braces in an entry', { id: 'f', vocabularies: [{ name: 'Noun', entries: ['{Noun}'] }] }, /entry '\{Noun\}' \(entries\[0\]\): braces are not allowed/],
    ['not an object', 'nope', /^f\.json: the file: /],
  ];
  for (const [what, json, message] of cases) {
    it(`names the file and the vocabulary for ${what}`, () => {
      const error = errorOf(() => parseVocabularySet(json, 'f.json'));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(message);
    });
  }

  it('says when the text is not JSON', () => {
    expect(errorOf(() => parseVocabularySetText('{ nope', 'import.json')).message).toMatch(/^import\.json: not valid JSON/);
  });

  it('serialises with a stable key order', () => {
    const set: VocabularySet = { vocabularies: [{ entries: ['dog'], name: 'Noun' }], description: 'd', id: 'x' } as VocabularySet;
    expect(serialiseVocabularySet(set)).toBe(
      '{\n  "id": "x",\n  "description": "d",\n  "vocabularies": [\n    {\n      "name": "Noun",\n      "entries": [\n        "dog"\n      ]\n    }\n  ]\n}\n',
    );
  });
});
