/**
 * A vocabulary set as the editor holds it (Lafite2 §3.1, step 1): a draft edited as text, one
 * entry or template a line; the `vocabulary.save` input it becomes; the checks the API makes
 * too (set ids, vocabulary names), said before a round trip; templates cut into text and
 * `{Slot}`s; the JSON `lafite pseudo vocab export` writes and `import` reads; and the
 * vocabulary or template an API error's field names. Pure: no store, no API.
 *
 * @example
 *   const draft = draftFromRecord(record);
 *   draft.templatesText += '\n{Numeral} {Adjective} {Noun}';
 *   if (draftChanged(draft, record)) await api.call('vocabulary.save', saveInput(record.id, draft));
 */
import type { Input, VocabularySetRecord } from '../../../main/contract/index.ts';

/** Templates per set (the API takes at most 500). */
export const MAX_TEMPLATES = 500;
/** The vocabularies a tokenizer's words are sorted into; any other is a phrase vocabulary. */
export const CATEGORY_NAMES: readonly string[] = ['Noun', 'Verb', 'Numeral', 'Adjective'];

/** Patterns the API checks too (main/contract, engine/pseudo/vocabulary.ts): said here before a round trip. */
const SET_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VOCABULARY_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const MAX_VOCABULARY_NAME_CHARS = 40;
const SLOT = /\{([^{}]*)\}/g;

/** One vocabulary in the editor: its entries as text, one a line. */
export interface DraftVocabulary {
  name: string;
  text: string;
}

/** A set as the editor holds it while it is edited. */
export interface VocabularyDraft {
  description: string;
  vocabularies: DraftVocabulary[];
  /** One template a line. */
  templatesText: string;
}

/** A set as `lafite pseudo vocab export` writes it and `import` reads it. */
export type VocabularySetFile = Input<'vocabulary.save'>;

/** A piece of a template's text: plain, or a slot whose name is (or is not) a vocabulary of the set. */
export interface TemplateSegment {
  text: string;
  slot?: 'known' | 'unknown';
}

/** The lines of a text, trimmed, blank ones left out. */
export function linesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function draftFromRecord(record: VocabularySetRecord): VocabularyDraft {
  return {
    description: record.description,
    vocabularies: record.vocabularies.map(({ name, entries }) => ({ name, text: entries.join('\n') })),
    templatesText: record.templates.join('\n'),
  };
}

/** The `vocabulary.save` input of a draft. */
export function saveInput(id: string, draft: VocabularyDraft): VocabularySetFile {
  return {
    id,
    description: draft.description.trim(),
    vocabularies: draft.vocabularies.map(({ name, text }) => ({ name, entries: linesOf(text) })),
    templates: linesOf(draft.templatesText),
  };
}

/** Whether saving the draft would change the set (blank lines and surrounding spaces do not count). */
export function draftChanged(draft: VocabularyDraft, record: VocabularySetRecord): boolean {
  const { id, description, vocabularies, templates } = record;
  const saved = { id, description: description.trim(), vocabularies: vocabularies.map(({ name, entries }) => ({ name, entries })), templates };
  return JSON.stringify(saveInput(id, draft)) !== JSON.stringify(saved);
}

/** The set's source in words: default, saved, or saved in place of a default. */
export function sourceLabel(record: Pick<VocabularySetRecord, 'source' | 'hasDefault'>): string {
  if (record.source === 'default') return 'default';
  return record.hasDefault ? 'saved, replaces default' : 'saved';
}

/** Entries of a vocabulary's text, and how many of them repeat an earlier one (case-insensitively; dropped on save). */
export function entryCounts(text: string): { entries: number; repeats: number } {
  const entries = linesOf(text).map((line) => line.replace(/\s+/g, ' ').toLowerCase());
  return { entries: entries.length, repeats: entries.length - new Set(entries).size };
}

/** A template cut into text and `{Slot}`s, each slot marked known or unknown among `names`. */
export function templateSegments(template: string, names: ReadonlySet<string>): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let last = 0;
  for (const match of template.matchAll(SLOT)) {
    if (match.index > last) segments.push({ text: template.slice(last, match.index) });
    segments.push({ text: match[0], slot: names.has(match[1]!) ? 'known' : 'unknown' });
    last = match.index + match[0].length;
  }
  if (last < template.length) segments.push({ text: template.slice(last) });
  return segments;
}

/** What is wrong with a set id, or null. */
export function checkSetId(id: string): string | null {
  return SET_ID.test(id) ? null : 'Lowercase letters, digits and -, starting with a letter or digit; at most 64.';
}

/** What is wrong with the name of a vocabulary to add, or null. */
export function checkVocabularyName(name: string, existing: readonly string[]): string | null {
  if (!VOCABULARY_NAME.test(name) || name.length > MAX_VOCABULARY_NAME_CHARS) {
    return `Letters and digits, starting with a letter, at most ${MAX_VOCABULARY_NAME_CHARS} (templates write it as {${VOCABULARY_NAME.test(name) ? name : 'Name'}}).`;
  }
  const clash = existing.find((other) => other.toLowerCase() === name.toLowerCase());
  return clash === undefined ? null : `The set has a vocabulary ${clash} already.`;
}

/** The JSON text of a set, as `lafite pseudo vocab export` writes it. */
export function exportText(record: VocabularySetRecord): string {
  const { id, description, vocabularies, templates } = record;
  return `${JSON.stringify({ id, description, vocabularies, templates }, null, 2)}\n`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Pasted JSON as a set to save, or what is wrong with its shape (the API checks the rest). */
export function parseSetText(text: string): { set: VocabularySetFile } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (caught) {
    return { error: `Not JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
  if (!isObject(value)) return { error: 'Expected an object with id, description, vocabularies and templates.' };
  if (typeof value.id !== 'string') return { error: "The set has no 'id'." };
  if (value.description !== undefined && typeof value.description !== 'string') return { error: "'description' must be text." };
  const vocabularies = value.vocabularies;
  if (!Array.isArray(vocabularies) || vocabularies.length === 0) return { error: "The set has no 'vocabularies' (a list of {name, entries})." };
  const bad = vocabularies.findIndex((v) => !isObject(v) || typeof v.name !== 'string' || !isStringArray(v.entries));
  if (bad >= 0) return { error: `vocabularies[${bad}] is not {name, entries: [text, …]}.` };
  if (!isStringArray(value.templates)) return { error: 'The set has no \'templates\' (a list of texts such as "{Numeral} {Adjective} {Noun}").' };
  return {
    set: {
      id: value.id,
      description: value.description ?? '',
      vocabularies: (vocabularies as { name: string; entries: string[] }[]).map(({ name, entries }) => ({ name, entries })),
      templates: value.templates,
    },
  };
}

/** The vocabulary or template (by index in the save input) an error's field names, if any. */
export function faultOf(field: string | undefined): { vocabulary: number } | { template: number } | null {
  const match = /^(?:input\.)?(vocabularies|templates)\.(\d+)/.exec(field ?? '');
  if (!match) return null;
  return match[1] === 'vocabularies' ? { vocabulary: Number(match[2]) } : { template: Number(match[2]) };
}
