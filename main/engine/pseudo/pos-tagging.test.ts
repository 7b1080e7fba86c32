import { describe, expect, it } from 'vitest';
import { FUNCTION_WORDS, partsOfSpeech, QUANTIFIERS } from './pos-tagging.ts';

describe('partsOfSpeech', () => {
  it('sorts clear cases into one category', () => {
    const cases: Record<string, string[]> = {
      dog: ['noun'],
      cat: ['noun'],
      eat: ['verb'],
      sits: ['verb'],
      red: ['adjective'],
      small: ['adjective'],
      two: ['numeral'],
      three: ['numeral'],
      several: ['numeral'],
      a: ['numeral'],
      beige: ['adjective'], // from the supplement: compromise does not know it
    };
    for (const [word, categories] of Object.entries(cases)) expect([word, partsOfSpeech(word)]).toEqual([word, categories]);
  });

  it('puts a word in two categories only where the library lists it as both and its form serves both', () => {
    expect(partsOfSpeech('running')).toEqual(['noun', 'verb']); // Noun|Gerund
    expect(partsOfSpeech('drawing')).toEqual(['noun', 'verb']);
    expect(partsOfSpeech('painted')).toEqual(['adjective', 'verb']); // Adj|Past
    expect(partsOfSpeech('light')).toEqual(['adjective', 'noun']); // Adj|Noun
    expect(partsOfSpeech('cross')).toEqual(['noun']); // Noun|Verb: a bare form counts as a noun
    expect(partsOfSpeech('horses')).toEqual(['noun']); // Plural|Verb
    expect(partsOfSpeech('man')).toEqual(['noun']); // Actor|Verb
    expect(partsOfSpeech('robin')).toEqual(['noun']); // Person|Noun: the name side is dropped
  });

  it('leaves out function words, names, ordinals and non-words', () => {
    for (const word of ['the', 'with', 'there', 'against', 'is', 'have', 'its', 'london', 'john', 'first', "don't", '', '!', 'ðŁĺĤ', 'café']) {
      expect([word, partsOfSpeech(word)]).toEqual([word, []]);
    }
  });

  it('is not fooled by words that name object properties', () => {
    expect(partsOfSpeech('constructor')).toEqual(['noun']);
    expect(partsOfSpeech('hasownproperty')).toEqual(['noun']);
  });

  it('takes digits as numerals, and normalises case and spaces', () => {
    expect(partsOfSpeech('2')).toEqual(['numeral']);
    expect(partsOfSpeech('  Dog ')).toEqual(['noun']);
  });

  it('reads hyphenated compounds by their last part and unknown -ed words as participles', () => {
    expect(partsOfSpeech('middle-aged')).toEqual(['adjective']);
    expect(partsOfSpeech('cone-shaped')).toEqual(['adjective']);
    expect(partsOfSpeech('t-shirt')).toEqual(['noun']);
    expect(partsOfSpeech('speckled')).toEqual(['adjective', 'verb']);
  });

  it('keeps its word lists apart', () => {
    for (const q of QUANTIFIERS) expect(FUNCTION_WORDS.has(q)).toBe(false);
  });
});
