/**
 * Prompt templates with slots (Lafite2 §3.1, step 1): text with `{Name}` slots, each filled
 * from the vocabulary of that name, e.g. the paper's COCO template
 * `{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}`. A domain keeps several (one
 * template set, resources/templates/<domain>.json for the shipped defaults).
 *
 * Syntax: a slot is `{` letters and digits `}`, starting with a letter; braces mean nothing
 * else (there is no escape); a slot used twice takes successive entries of its choice.
 *
 * @example
 *   const t = parseTemplate('{Numeral} {Adjective} {Noun} on a {Adjective} background', new Set(['Numeral', 'Adjective', 'Noun']));
 *   t.slots                                                   // ['Numeral', 'Adjective', 'Noun', 'Adjective']
 *   fillTemplate(t, { Numeral: ['two'], Adjective: ['red', 'pink'], Noun: ['circles'] })
 *                                                             // 'two red circles on a pink background'
 *   fillTemplate(parseTemplate('a {Adjective} {Noun}', known), { Adjective: ['old'], Noun: ['man'] })   // 'an old man'
 */
import { z } from 'zod';
import { invalidInput, LafiteError } from '../../contract/errors.ts';
import { VOCABULARY_NAME_PATTERN } from './vocabulary.ts';

/** The longest template, in characters. */
export const MAX_TEMPLATE_CHARS = 300;
const MAX_TEMPLATES = 500;

/** A parsed template. */
export interface ParsedTemplate {
  /** The text, trimmed, inner whitespace collapsed. */
  text: string;
  /** The slot names in order, one per occurrence ("{Adjective} {Noun} {Verb} {Adjective} {Noun}" → 5). */
  slots: string[];
}

/** A domain's templates, one JSON file. */
export interface TemplateSet {
  /** The domain id ("faces"). */
  id: string;
  /** What the templates are for, for people (optional in files). */
  description?: string;
  /** Template texts, each valid (`parseTemplate`). */
  templates: string[];
}

/** A slot in a template's text, where it starts and ends (end exclusive). */
interface SlotSpan {
  name: string;
  start: number;
  end: number;
}

const quoted = (text: string): string => `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;

/** The slots of a template's (normalised) text; throws on unbalanced braces and on slot names that are not names. */
function scanSlots(text: string): SlotSpan[] {
  const spans: SlotSpan[] = [];
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      if (open >= 0) throw invalidInput(`template ${quoted(text)}: '{' at column ${i + 1} opens inside the slot at column ${open + 1}`, 'template');
      open = i;
    } else if (c === '}') {
      if (open < 0) throw invalidInput(`template ${quoted(text)}: '}' at column ${i + 1} has no matching '{'`, 'template');
      const name = text.slice(open + 1, i);
      if (!VOCABULARY_NAME_PATTERN.test(name)) {
        throw invalidInput(`template ${quoted(text)}: slot '{${name}}' at column ${open + 1} is not a name (letters and digits, starting with a letter, as {Noun})`, 'template');
      }
      spans.push({ name, start: open, end: i + 1 });
      open = -1;
    }
  }
  if (open >= 0) throw invalidInput(`template ${quoted(text)}: '{' at column ${open + 1} is never closed`, 'template');
  return spans;
}

/** Normalises and checks a template's syntax; `known` null skips the check of slot names against vocabularies. */
function parseWith(raw: string, known: ReadonlySet<string> | null): ParsedTemplate {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '') throw invalidInput('template is empty', 'template');
  if (text.length > MAX_TEMPLATE_CHARS) throw invalidInput(`template ${quoted(text)} is ${text.length} characters; at most ${MAX_TEMPLATE_CHARS}`, 'template');
  const slots = scanSlots(text).map((s) => s.name);
  if (slots.length === 0) throw invalidInput(`template ${quoted(text)} has no slot; write one as {Noun}`, 'template');
  if (known) {
    const unknown = slots.find((s) => !known.has(s));
    if (unknown !== undefined) {
      const names = [...known].sort();
      const near = names.find((n) => n.toLowerCase() === unknown.toLowerCase());
      const hint = near ? ` (did you mean {${near}}?)` : '';
      const list = names.length > 0 ? names.map((n) => `{${n}}`).join(', ') : 'none';
      throw invalidInput(`template ${quoted(text)}: unknown slot {${unknown}}${hint}; known slots: ${list}`, 'template');
    }
  }
  return { text, slots };
}

/**
 * Parses a template against the vocabulary names `known`. Throws `invalid_input` for an
 * empty text, one longer than MAX_TEMPLATE_CHARS, unbalanced braces, a slot that is not a
 * name, no slot at all, and a slot no vocabulary is named after (listing the known ones).
 */
export const parseTemplate = (text: string, known: ReadonlySet<string>): ParsedTemplate => parseWith(text, known);

/** How many entries each slot of a template takes ("{Adjective} {Noun} {Verb} {Adjective} {Noun}" → Adjective 2, Noun 2, Verb 1). */
export function slotCounts(template: ParsedTemplate): Map<string, number> {
  const counts = new Map<string, number>();
  for (const slot of template.slots) counts.set(slot, (counts.get(slot) ?? 0) + 1);
  return counts;
}

/** The indefinite article for a word: "an" before a vowel sound, by its spelling (good enough for prompts). */
export function indefiniteArticle(word: string): 'a' | 'an' {
  const w = word.toLowerCase();
  if (/^(?:hour|honest|honou?r|heir)/.test(w)) return 'an';
  if (/^(?:uni|use|usu|ute|uti|eu|ewe|one|once|ure)/.test(w)) return 'a';
  return /^[aeiou]/.test(w) ? 'an' : 'a';
}

/**
 * The template with its slots filled: the k-th `{Name}` takes `choice[Name][k]`. Where a
 * filled slot meets an article ("a {Adjective}" with "old", or a {Numeral} "a" before
 * "orange"), the article is made to agree: "an old", "an orange". Throws `invalid_input`
 * when a slot has fewer entries chosen than the template uses.
 */
export function fillTemplate(template: ParsedTemplate, choice: Readonly<Record<string, readonly string[]>>): string {
  const spans = scanSlots(template.text);
  const used = new Map<string, number>();
  const filled: Array<{ start: number; end: number }> = []; // where slot values sit in the output
  let out = '';
  let at = 0;
  for (const span of spans) {
    const k = used.get(span.name) ?? 0;
    used.set(span.name, k + 1);
    const value = choice[span.name]?.[k];
    if (value === undefined) {
      const needed = template.slots.filter((s) => s === span.name).length;
      const given = choice[span.name]?.length ?? 0;
      throw invalidInput(`template ${quoted(template.text)} uses {${span.name}} ${needed} time(s) but ${given} entr${given === 1 ? 'y was' : 'ies were'} chosen`, span.name);
    }
    out += template.text.slice(at, span.start);
    filled.push({ start: out.length, end: out.length + value.length });
    out += value;
    at = span.end;
  }
  out += template.text.slice(at);
  return agreeArticles(out, filled);
}

/** Makes "a"/"an" agree with the next word where the article or that word came from a slot. */
function agreeArticles(text: string, filled: ReadonlyArray<{ start: number; end: number }>): string {
  const inSlot = (i: number): boolean => filled.some((f) => i >= f.start && i < f.end);
  return text.replace(/\b(a|an)(\s+)([A-Za-z][\w'-]*)/gi, (match, article: string, space: string, word: string, offset: number) => {
    if (!inSlot(offset) && !inSlot(offset + article.length + space.length)) return match;
    const agreed = indefiniteArticle(word);
    const cased = article[0] === 'A' ? agreed.charAt(0).toUpperCase() + agreed.slice(1) : agreed;
    return `${cased}${space}${word}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Template set files

const templateSetSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and hyphens'),
  description: z.string().max(4000).optional(),
  templates: z.array(z.string()).min(1, 'must hold at least one template').max(MAX_TEMPLATES),
});

/**
 * Validates a template set read from `source` (a file name, for messages): every template
 * parses, against `known` vocabulary names when given (else only its syntax is checked);
 * repeats (after whitespace is collapsed) are dropped.
 */
export function parseTemplateSet(json: unknown, source: string, known?: ReadonlySet<string>): TemplateSet {
  const parsed = templateSetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    throw invalidInput(`${source}: ${field ? `field '${field}'` : 'the file'}: ${issue?.message ?? 'invalid'}`, field || undefined);
  }
  const templates: string[] = [];
  parsed.data.templates.forEach((raw, i) => {
    let template: ParsedTemplate;
    try {
      template = parseWith(raw, known ?? null);
    } catch (error) {
      if (error instanceof LafiteError) throw invalidInput(`${source}: templates[${i}]: ${error.message}`, `templates.${i}`);
      throw error;
    }
    if (!templates.includes(template.text)) templates.push(template.text);
  });
  const { id, description } = parsed.data;
  return description === undefined ? { id, templates } : { id, description, templates };
}

/** The file text of a template set: two-space indent, one template a line, a final newline. */
export function serialiseTemplateSet(set: TemplateSet): string {
  const plain = set.description === undefined ? { id: set.id, templates: set.templates } : { id: set.id, description: set.description, templates: set.templates };
  return `${JSON.stringify(plain, null, 2)}\n`;
}
