/**
 * Building vocabulary sets (Lafite2 §3.1, step 1): from a CLIP model's tokenizer, or from a
 * word list, through the same categoriser, plus a domain's phrase vocabularies.
 * scripts/build-vocabularies.ts makes the shipped defaults with these; `lafite pseudo vocab
 * build --model M` makes one from any CLIP model's tokenizer.
 *
 * @example
 *   const json = JSON.parse(await readFile(join(modelDir, 'tokenizer.json'), 'utf8'));
 *   vocabularySetFromTokenizer(json, { id: 'my-domain', description: 'from my CLIP' });
 *   buildVocabularySet({ id: 'faces', description: '…', words: ['man', 'young', 'smiling'], phrases: { Accessory: ['wearing glasses'] } });
 */
import { invalidInput } from '../../contract/errors.ts';
import {
  CATEGORY_VOCABULARY_NAMES,
  categorise,
  parseVocabularySet,
  VOCABULARY_CATEGORIES,
  wordsFromTokenizer,
  type Vocabulary,
  type VocabularySet,
  type WordsFromTokenizerOptions,
} from './vocabulary.ts';

/** What a vocabulary set is built from. */
export interface VocabularySetSpec {
  /** The domain id ("faces"). */
  id: string;
  /** How the set was made, for people. */
  description: string;
  /** Single words, sorted into Noun, Verb, Numeral and Adjective by `categorise`; a category with no word is left out. */
  words: readonly string[];
  /** Domain phrase vocabularies by name ("Accessory": ["wearing glasses", …]), taken as they are, after the categories. */
  phrases?: Readonly<Record<string, readonly string[]>>;
}

/** A vocabulary set from words and phrases, validated as a file would be (`parseVocabularySet`). */
export function buildVocabularySet(spec: VocabularySetSpec): VocabularySet {
  const categories = categorise(spec.words);
  const vocabularies: Vocabulary[] = VOCABULARY_CATEGORIES.filter((c) => categories[c].length > 0).map((c) => ({ name: CATEGORY_VOCABULARY_NAMES[c], entries: categories[c] }));
  for (const [name, entries] of Object.entries(spec.phrases ?? {})) vocabularies.push({ name, entries: [...entries] });
  if (vocabularies.length === 0) throw invalidInput(`vocabulary set '${spec.id}': none of its ${spec.words.length} words is a noun, verb, numeral or adjective`);
  return parseVocabularySet({ id: spec.id, description: spec.description, vocabularies }, `vocabulary set '${spec.id}'`);
}

/** Options of `vocabularySetFromTokenizer`. */
export interface FromTokenizerOptions extends WordsFromTokenizerOptions {
  id: string;
  description: string;
  /** Phrase vocabularies to add (see VocabularySetSpec). */
  phrases?: Readonly<Record<string, readonly string[]>>;
}

/** A vocabulary set of the whole words of a CLIP tokenizer (tokenizer.json or vocab.json), most frequent first. */
export function vocabularySetFromTokenizer(tokenizerJson: unknown, options: FromTokenizerOptions): VocabularySet {
  const { id, description, phrases, ...wordOptions } = options;
  const words = wordsFromTokenizer(tokenizerJson, wordOptions);
  return buildVocabularySet({ id, description, words, ...(phrases ? { phrases } : {}) });
}
