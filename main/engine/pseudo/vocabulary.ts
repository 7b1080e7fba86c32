/**
 * Vocabularies for retrieval-based pseudo text (Lafite2 §3.1, step 1): the words of the text
 * encoder's own token vocabulary, sorted into Nouns, Verbs, Numerals & quantifiers and
 * Adjectives, plus domain phrase vocabularies ("wearing glasses"). Templates name them as
 * slots (`{Noun}`, `{Accessory}`); one vocabulary set (a JSON file) holds a domain's.
 *
 * @example
 *   const words = wordsFromTokenizer(JSON.parse(tokenizerJsonText));   // ['a', 'red', 'circle', …]
 *   categorise(words).noun                                            // ['circle', 'dog', …]
 *   const set = await loadDefaultVocabularySet('faces');               // resources/vocabularies/faces.json
 *   set.vocabularies.find((v) => v.name === 'Accessory')?.entries     // ['wearing glasses', …]
 */
import { z } from 'zod';
import { invalidInput } from '../../contract/errors.ts';
import { VOCABULARY_ID_PATTERN } from '../../contract/schemas.ts';
import { partsOfSpeech, WORD_PATTERN, type VocabularyCategory } from './pos-tagging.ts';

export type { VocabularyCategory } from './pos-tagging.ts';

/** Every category, in the order vocabulary sets list them. */
export const VOCABULARY_CATEGORIES = ['noun', 'verb', 'numeral', 'adjective'] as const satisfies readonly VocabularyCategory[];

/** The vocabulary name (and template slot) of each category: `{Noun}`, `{Verb}`, `{Numeral}`, `{Adjective}`. */
export const CATEGORY_VOCABULARY_NAMES = {
  noun: 'Noun',
  verb: 'Verb',
  numeral: 'Numeral',
  adjective: 'Adjective',
} as const satisfies Record<VocabularyCategory, string>;

/** One named list of words or phrases: a category's words, or a domain's phrases ("Accessory"). */
export interface Vocabulary {
  /** The slot name templates use: letters and digits, starting with a letter ("Noun", "Accessory"). */
  name: string;
  /** Words or phrases, trimmed, unique case-insensitively, never empty. */
  entries: string[];
}

/** A domain's vocabularies, one JSON file (resources/vocabularies/<id>.json, or a project's). */
export interface VocabularySet {
  /** The domain id ("faces"): lowercase letters, digits and hyphens. */
  id: string;
  /** How the set was made, for people. */
  description: string;
  vocabularies: Vocabulary[];
}

/** A vocabulary or slot name. */
export const VOCABULARY_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]*$/;
const MAX_NAME_CHARS = 40;
const MAX_ENTRY_CHARS = 200;
const MAX_ENTRIES = 100_000;

// ---------------------------------------------------------------------------------------------
// Words from a tokenizer

const tokenizerJsonSchema = z.object({
  model: z.object({
    vocab: z.record(z.string(), z.number()),
    end_of_word_suffix: z.string().nullish(),
  }),
});
const vocabJsonSchema = z.record(z.string(), z.number());

/** Options of `wordsFromTokenizer`. */
export interface WordsFromTokenizerOptions {
  /** Also keep numbers in digits from 0 to 99 ("2", "12") as words (default false: every byte-level vocabulary holds the digits, learnt or not). */
  digits?: boolean;
  /** The file the JSON came from, for error messages (default 'tokenizer.json'). */
  source?: string;
}

/** Numbers 0–99 without leading zeros. */
const SMALL_NUMBER_PATTERN = /^(?:0|[1-9]\d?)$/;

/**
 * The whole words of a CLIP tokenizer's vocabulary, most frequent first (BPE ids grow as
 * merges get rarer), each once. Takes a Hugging Face `tokenizer.json` (`model.vocab`) or a
 * `vocab.json` map. A whole word is a token ending in the end-of-word suffix (`</w>`;
 * tokens without it are word starts or fragments), lowercased, that is letters only, with
 * inner hyphens or apostrophes allowed, and at least two letters long except "a". That drops
 * punctuation, emoji and non-English letters (CLIP's vocabulary spells them as byte symbols,
 * "ðŁĺĤ</w>"), special tokens and single letters. Digits only with `digits: true`.
 */
export function wordsFromTokenizer(tokenizerJson: unknown, options: WordsFromTokenizerOptions = {}): string[] {
  const source = options.source ?? 'tokenizer.json';
  const asTokenizer = tokenizerJsonSchema.safeParse(tokenizerJson);
  const asVocab = asTokenizer.success ? undefined : vocabJsonSchema.safeParse(tokenizerJson);
  const vocab = asTokenizer.success ? asTokenizer.data.model.vocab : asVocab?.success ? asVocab.data : undefined;
  if (!vocab) throw invalidInput(`${source}: not a CLIP tokenizer: expected a Hugging Face tokenizer.json with model.vocab, or a vocab.json map of tokens to ids`);
  const suffix = (asTokenizer.success ? asTokenizer.data.model.end_of_word_suffix : undefined) || '</w>';

  const words: string[] = [];
  const seen = new Set<string>();
  const byId = Object.entries(vocab).sort(([a, i], [b, j]) => i - j || (a < b ? -1 : a > b ? 1 : 0));
  for (const [token] of byId) {
    if (!token.endsWith(suffix)) continue;
    const word = token.slice(0, -suffix.length).toLowerCase();
    const isWord = WORD_PATTERN.test(word) && (word.length >= 2 || word === 'a');
    const isNumber = options.digits === true && SMALL_NUMBER_PATTERN.test(word);
    if ((isWord || isNumber) && !seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  if (words.length === 0) throw invalidInput(`${source}: no whole-word tokens (ending in '${suffix}') in its vocabulary; is it a CLIP tokenizer?`);
  return words;
}

/**
 * Sorts words into the four categories with the part-of-speech rule of pos-tagging.ts
 * (compromise's lexicon and tags; a word is in two categories only where the library lists
 * it as both, e.g. "cross" noun and verb). Words of other parts of speech ("the", "with")
 * are left out. Each list keeps the order of `words`, lowercased, without repeats.
 */
export function categorise(words: readonly string[]): Record<VocabularyCategory, string[]> {
  const result: Record<VocabularyCategory, string[]> = { noun: [], verb: [], numeral: [], adjective: [] };
  const seen = new Set<string>();
  for (const raw of words) {
    const word = raw.trim().toLowerCase();
    if (seen.has(word)) continue;
    seen.add(word);
    for (const category of partsOfSpeech(word)) result[category].push(word);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary set files

const vocabularySetSchema = z.strictObject({
  id: z.string().regex(VOCABULARY_ID_PATTERN, 'must be lowercase letters, digits and hyphens').max(MAX_NAME_CHARS),
  description: z.string().max(4000).default(''),
  vocabularies: z
    .array(
      z.strictObject({
        name: z.string(),
        entries: z.array(z.string()).max(MAX_ENTRIES),
      }),
    )
    .min(1, 'must hold at least one vocabulary'),
});

/** Where a zod issue sits, in words: "vocabulary 'Accessory' (vocabularies[3]), entries[5]". */
function issueLocation(path: readonly PropertyKey[], json: unknown): string {
  if (path[0] !== 'vocabularies' || typeof path[1] !== 'number') return path.length > 0 ? `field '${path.map(String).join('.')}'` : 'the file';
  const raw = (json as { vocabularies?: unknown[] }).vocabularies?.[path[1]] as { name?: unknown } | undefined;
  const name = typeof raw?.name === 'string' ? `vocabulary '${raw.name}'` : 'vocabulary';
  const rest = path
    .slice(2)
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('');
  return `${name} (vocabularies[${path[1]}])${rest ? `, ${rest.replace(/^\./, '')}` : ''}`;
}

/** An entry as stored: trimmed, inner whitespace collapsed. */
const normaliseEntry = (entry: string): string => entry.trim().replace(/\s+/g, ' ');

/**
 * Validates a vocabulary set read from `source` (a file name, for messages): each vocabulary
 * named as a slot can be ("Accessory"), names unique case-insensitively; entries trimmed,
 * empty ones dropped, repeats dropped case-insensitively (the first spelling kept). Throws
 * `invalid_input` naming the file and the vocabulary at fault, also for an empty vocabulary.
 */
export function parseVocabularySet(json: unknown, source: string): VocabularySet {
  const parsed = vocabularySetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.');
    throw invalidInput(`${source}: ${issueLocation(issue?.path ?? [], json)}: ${issue?.message ?? 'invalid'}`, field || undefined);
  }
  const names = new Map<string, string>();
  const vocabularies = parsed.data.vocabularies.map((vocabulary, i): Vocabulary => {
    const field = `vocabularies.${i}`;
    const { name } = vocabulary;
    if (!VOCABULARY_NAME_PATTERN.test(name) || name.length > MAX_NAME_CHARS) {
      throw invalidInput(
        `${source}: vocabulary name '${name}' (vocabularies[${i}]) must be letters and digits, starting with a letter, at most ${MAX_NAME_CHARS} (templates write it as {${name || 'Name'}})`,
        `${field}.name`,
      );
    }
    const clash = names.get(name.toLowerCase());
    if (clash !== undefined) throw invalidInput(`${source}: vocabulary '${name}' (vocabularies[${i}]) repeats the name '${clash}'`, `${field}.name`);
    names.set(name.toLowerCase(), name);

    const entries: string[] = [];
    const seen = new Set<string>();
    vocabulary.entries.forEach((raw, j) => {
      const entry = normaliseEntry(raw);
      if (entry === '' || seen.has(entry.toLowerCase())) return;
      if (/[{}]/.test(entry))
        throw invalidInput(`${source}: vocabulary '${name}', entry '${entry}' (entries[${j}]): braces are not allowed (they mark template slots)`, `${field}.entries.${j}`);
      if (entry.length > MAX_ENTRY_CHARS) throw invalidInput(`${source}: vocabulary '${name}', entries[${j}]: longer than ${MAX_ENTRY_CHARS} characters`, `${field}.entries.${j}`);
      seen.add(entry.toLowerCase());
      entries.push(entry);
    });
    if (entries.length === 0) throw invalidInput(`${source}: vocabulary '${name}' (vocabularies[${i}]) is empty; give it at least one entry or remove it`, `${field}.entries`);
    return { name, entries };
  });
  return { id: parsed.data.id, description: parsed.data.description, vocabularies };
}

/** The value of JSON text read from `source`; `invalid_input` naming the file when it is not JSON. */
export function jsonFromText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidInput(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** `parseVocabularySet` of JSON text (an imported file), with a clear error for bad JSON. */
export const parseVocabularySetText = (text: string, source: string): VocabularySet => parseVocabularySet(jsonFromText(text, source), source);

/** The file text of a vocabulary set: stable key order, two-space indent, one entry a line, a final newline. */
export function serialiseVocabularySet(set: VocabularySet): string {
  const plain = { id: set.id, description: set.description, vocabularies: set.vocabularies.map(({ name, entries }) => ({ name, entries })) };
  return `${JSON.stringify(plain, null, 2)}\n`;
}

/** The vocabulary names of a set: the slots its templates may use. */
export const vocabularyNames = (set: VocabularySet): Set<string> => new Set(set.vocabularies.map((v) => v.name));

/** One vocabulary of a set by name, or undefined. */
export const findVocabulary = (set: VocabularySet, name: string): Vocabulary | undefined => set.vocabularies.find((v) => v.name === name);
