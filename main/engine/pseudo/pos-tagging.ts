/**
 * Parts of speech of single words, for vocabulary construction (Lafite2 §3.1, step 1: the
 * vocabularies of nouns, verbs, numerals & quantifiers and adjectives that templates draw on).
 *
 * The tagger is `compromise` (MIT, pure JavaScript, offline): an English lexicon of about
 * 25,000 words with their tags, suffix rules for words outside it, and some 3,000 words it
 * lists as ambiguous between two parts of speech (its "switches": `cross` Noun|Verb, `light`
 * Adj|Noun, `drawing` Noun|Gerund). A lone word has no context to settle a switch, so the
 * rule reads the switch itself, not the tagger's context-free guess.
 *
 * The rule, in order (the first that applies decides):
 * 1. digits ("2", "12") and the quantifiers in QUANTIFIERS ("a", "some", "pair") → numeral only;
 * 2. not a word (letters with inner `-` or `'`), or a function word (FUNCTION_WORDS: "there",
 *    "against", "its", "have": compromise tags some of these as nouns or adjectives when
 *    alone) → nothing;
 * 3. a word in SUPPLEMENT (colour, look and bird words compromise lacks or mistags) → its entry;
 * 4. a switch word → SWITCH_CATEGORIES. A word lands in two categories only here: where the
 *    library lists it as both and its form serves both in captions: -ing and -ed participles
 *    (Noun|Gerund, Adj|Gerund, Adj|Past: "drawing", "smiling", "painted") and adjective-nouns
 *    (Adj|Noun: "light", "gold"). A bare or -s form listed Noun|Verb or Plural|Verb ("cross",
 *    "horse", "stars") counts as a noun: captions say their verbs in -ing form, and a Verb
 *    list holding every noun that can be verbed ("horse", "book") would drown retrieval in
 *    nouns; likewise Adj|Present ("clean") counts as an adjective, Actor|Verb ("man") as a
 *    noun, and a Person|… switch by its side that is not a name;
 * 5. a hyphenated compound compromise splits ("middle-aged", "cone-shaped") → by its last part:
 *    noun when that is a noun, adjective when it is an adjective or a past participle;
 * 6. otherwise the tag compromise gives the lone word: Noun → noun (names of people, places
 *    and organisations, and pronouns, dropped), Verb → verb (copulas, modals and auxiliaries
 *    dropped), Adjective → adjective, Value & Cardinal → numeral (ordinals dropped). Words
 *    compromise does not know fall back to its default, Noun, except -ed words, which it
 *    guesses are past tenses: those are participles ("speckled", "freckled"), adjective and verb.
 *
 * @example
 *   partsOfSpeech('dog')       // ['noun']
 *   partsOfSpeech('drawing')   // ['noun', 'verb']
 *   partsOfSpeech('cross')     // ['noun']
 *   partsOfSpeech('several')   // ['numeral']
 *   partsOfSpeech('the')       // []
 */
import { createRequire } from 'node:module';
import type Compromise from 'compromise/two';

/** compromise with its tagger, loaded on first use: building its lexicon takes about half a second, which loading a vocabulary file need not pay. */
let compromise: typeof Compromise | undefined;
function nlp(): typeof Compromise {
  compromise ??= createRequire(import.meta.url)('compromise/two') as typeof Compromise;
  return compromise;
}

/** The categories a tokenizer's words are sorted into. */
export type VocabularyCategory = 'noun' | 'verb' | 'numeral' | 'adjective';

/** A single word: lowercase letters, with inner hyphens or apostrophes ("t-shirt", "o'clock"). */
export const WORD_PATTERN = /^[a-z]+(?:['-][a-z]+)*$/;

/** A number written in digits. */
const DIGITS_PATTERN = /^\d+$/;

/** Quantifiers that fill a {Numeral} slot and no other ("two" and other number words come from the tagger). */
export const QUANTIFIERS: ReadonlySet<string> = new Set(['a', 'some', 'several', 'many', 'few', 'pair', 'couple', 'dozen', 'multiple', 'numerous']);

/**
 * Closed-class words (prepositions, determiners, pronouns, auxiliaries, place adverbs) that
 * fill no slot; compromise tags some of them as nouns or adjectives when they stand alone.
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'about above across after against along amid among around as at atop before behind below beneath beside besides between beyond but by ' +
    'despite down during except for from in inside into like near nearby of off on onto opposite out outside over past per since than ' +
    'through throughout till to toward towards under underneath unlike until up upon via with within without ' +
    'the an this that these those all any each every either neither both other another such same own ' +
    'i me my mine myself you your yours yourself he him his himself she her hers herself it its itself we us our ours ourselves ' +
    'they them their theirs themselves who whom whose which what whatever whoever ' +
    'be been being am is are was were do does did doing done have has had having will would shall should can could may might must ' +
    'here there where when then now how why not no yes very too also just only even still again ever never always often ' +
    'and or nor so yet if because while although though unless whether else more most less least much enough'
  ).split(' '),
);

/**
 * Words the shipped domains need that compromise 14 lacks (its default makes them nouns:
 * "beige") or lists against their main use in captions ("boat" only as a verb, "waxwing" as
 * a gerund).
 */
const SUPPLEMENT: Readonly<Record<string, readonly VocabularyCategory[]>> = {
  // colours
  auburn: ['adjective'],
  beige: ['adjective'],
  blonde: ['adjective'],
  burgundy: ['adjective'],
  copper: ['adjective', 'noun'],
  crimson: ['adjective'],
  cyan: ['adjective'],
  indigo: ['adjective'],
  ivory: ['adjective'],
  khaki: ['adjective'],
  lavender: ['adjective'],
  maroon: ['adjective'],
  navy: ['adjective'],
  rufous: ['adjective'],
  teal: ['adjective'],
  turquoise: ['adjective'],
  iridescent: ['adjective'],
  olive: ['adjective', 'noun'],
  orange: ['adjective', 'noun'],
  // looks and shapes
  brunette: ['adjective', 'noun'],
  curved: ['adjective', 'verb'],
  forked: ['adjective', 'verb'],
  plump: ['adjective'],
  rounded: ['adjective', 'verb'],
  wavy: ['adjective'],
  // things compromise lists only as verbs ("to boat", "to garden")
  boat: ['noun'],
  boats: ['noun'],
  fork: ['noun'],
  garden: ['noun'],
  kite: ['noun'],
  snowboard: ['noun'],
  // birds compromise reads as something else
  cardinal: ['noun'],
  swallow: ['noun', 'verb'],
  waxwing: ['noun'],
};

/** What each compromise switch means here (rule 4 in this file's header). */
const SWITCH_CATEGORIES: Readonly<Record<string, readonly VocabularyCategory[]>> = {
  'Noun|Gerund': ['noun', 'verb'], // drawing, running
  'Adj|Gerund': ['adjective', 'verb'], // smiling, floating
  'Adj|Past': ['adjective', 'verb'], // painted, colored
  'Adj|Noun': ['adjective', 'noun'], // light, gold, medium
  'Noun|Verb': ['noun'], // cross, horse, walk
  'Plural|Verb': ['noun'], // stars, horses, walks
  'Adj|Present': ['adjective'], // clean, open
  'Actor|Verb': ['noun'], // man, guide
  'Unit|Noun': ['noun'], // cup, foot
  'Person|Noun': ['noun'], // robin, jay
  'Person|Adj': ['adjective'], // brown, sandy
  'Person|Verb': ['verb'], // chase, grant
  'Person|Place': [],
  'Person|Date': [],
};

/** Tags that keep a word out of a category that its main tag would put it in. */
const NAME_TAGS = ['ProperNoun', 'Person', 'Place', 'Organization', 'Pronoun'];
const AUXILIARY_TAGS = ['Copula', 'Modal', 'Auxiliary'];

/** One term as compromise's `json()` writes it (the parts used here). */
interface TaggedTerm {
  tags: readonly string[];
  /** The ambiguity compromise's lexicon records for the word, e.g. 'Noun|Verb'. */
  switch?: string;
}

/** The terms compromise makes of `text` (one sentence expected), read defensively from its untyped `json()`. */
function tagTerms(text: string): TaggedTerm[] {
  const sentences: unknown = nlp()(text).json();
  if (!Array.isArray(sentences)) return [];
  const terms: TaggedTerm[] = [];
  for (const sentence of sentences as unknown[]) {
    const list = (sentence as { terms?: unknown }).terms;
    if (!Array.isArray(list)) continue;
    for (const term of list as unknown[]) {
      const { tags, switch: ambiguity } = term as { tags?: unknown; switch?: unknown };
      terms.push({
        tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
        ...(typeof ambiguity === 'string' ? { switch: ambiguity } : {}),
      });
    }
  }
  return terms;
}

/** The categories of a hyphenated compound compromise split into `parts` (rule 5): by its head, the last part. */
function categoriesOfCompound(parts: readonly TaggedTerm[]): VocabularyCategory[] {
  const head = parts[parts.length - 1]!.tags;
  if (head.includes('Noun') && !NAME_TAGS.some((t) => head.includes(t))) return ['noun'];
  if (head.includes('Adjective') || head.includes('PastTense') || head.includes('Participle')) return ['adjective'];
  return [];
}

/** Whether compromise's lexicon holds the word (else it guessed the tag from the suffix). */
function inLexicon(word: string): boolean {
  const lexicon = (nlp().world() as { model?: { one?: { lexicon?: Record<string, unknown> } } }).model?.one?.lexicon;
  return lexicon !== undefined && Object.hasOwn(lexicon, word);
}

/** The categories of a tagged term that is not a switch word (rule 6). */
function categoriesFromTags(word: string, tags: readonly string[]): VocabularyCategory[] {
  const has = (tag: string): boolean => tags.includes(tag);
  if (NAME_TAGS.some(has)) return [];
  if (has('Value')) return has('Cardinal') && !has('Ordinal') && !has('Fraction') ? ['numeral'] : [];
  if (has('PastTense') && word.endsWith('ed') && !inLexicon(word)) return ['adjective', 'verb'];
  if (has('Verb')) return AUXILIARY_TAGS.some(has) ? [] : ['verb'];
  if (has('Adjective')) return ['adjective'];
  if (has('Noun')) return ['noun'];
  return [];
}

/**
 * The vocabulary categories a single word belongs to, by the rule in this file's header:
 * none for words of other parts of speech ("the", "with", "quickly") and for non-words.
 */
export function partsOfSpeech(word: string): VocabularyCategory[] {
  const w = word.trim().toLowerCase();
  if (DIGITS_PATTERN.test(w) || QUANTIFIERS.has(w)) return ['numeral'];
  if (!WORD_PATTERN.test(w) || FUNCTION_WORDS.has(w)) return [];
  if (Object.hasOwn(SUPPLEMENT, w)) return [...SUPPLEMENT[w]!];
  const terms = tagTerms(w);
  if (terms.length > 1) return w.includes('-') ? categoriesOfCompound(terms) : []; // "don't" is two words to the tagger
  const term = terms[0];
  if (!term) return [];
  const ambiguity = term.switch;
  return ambiguity !== undefined && Object.hasOwn(SWITCH_CATEGORIES, ambiguity) ? [...SWITCH_CATEGORIES[ambiguity]!] : categoriesFromTags(w, term.tags);
}

/** The name and version of the tagger, for the description of what it built ("compromise 14.17.0"). */
export const taggerName = (): string => `compromise ${nlp().version}`;
