/**
 * Which vocabulary set and templates a name means: the one saved in this data folder (a
 * user's edit, import or build) or else the default shipped in resources/. Both the API and
 * the synthesis job resolve names here, so an edit is what the next synthesis uses.
 */
import { LafiteError, notFound } from '../contract/errors.ts';
import { parseTemplate, parseTemplateSet, type ParsedTemplate, type TemplateSet } from '../engine/pseudo/templates.ts';
import { jsonFromText, parseVocabularySetText, parseVocabularySet, vocabularyNames, type VocabularySet } from '../engine/pseudo/vocabulary.ts';
import { defaultTemplateDir, defaultVocabularyDir, listDefaultDomains, readDefaultFile } from '../store/default-files.ts';
import type { VocabularySetStore } from '../store/vocabulary-sets.ts';

export interface ResolvedSet {
  vocabulary: VocabularySet;
  templates: TemplateSet;
  /** Where it came from: a saved set shadows the default of the same id. */
  source: 'saved' | 'default';
  hasDefault: boolean;
}

/** The names of every set: saved and default, each once. */
export async function vocabularySetIds(store: VocabularySetStore): Promise<string[]> {
  const ids = new Set([...(await listDefaultDomains(defaultVocabularyDir())), ...store.list().map((set) => set.id)]);
  return [...ids].sort();
}

export async function resolveVocabularySet(store: VocabularySetStore, id: string, templatesId = id): Promise<ResolvedSet> {
  const defaults = await listDefaultDomains(defaultVocabularyDir());
  const saved = store.get(id);
  const vocabulary = saved ? parseVocabularySet(saved.vocabulary, `saved vocabulary set '${id}'`) : await loadDefaultVocabularyOrExplain(store, id);
  const known = vocabularyNames(vocabulary);
  const savedTemplates = store.get(templatesId);
  const templates = savedTemplates ? parseTemplateSet(savedTemplates.templates, `saved templates of '${templatesId}'`, known) : await loadDefaultTemplateSet(templatesId, known);
  return { vocabulary, templates, source: saved ? 'saved' : 'default', hasDefault: defaults.includes(id) };
}

async function loadDefaultVocabularyOrExplain(store: VocabularySetStore, id: string): Promise<VocabularySet> {
  try {
    return await loadDefaultVocabularySet(id);
  } catch {
    throw notFound(`no vocabulary set '${id}'; there are: ${(await vocabularySetIds(store)).join(', ')}`);
  }
}

/** The set's templates parsed against its vocabularies (for retrieval). */
export const parsedTemplates = (set: ResolvedSet): ParsedTemplate[] => set.templates.templates.map((text) => parseTemplate(text, vocabularyNames(set.vocabulary)));

/** The shipped vocabulary set of a domain (`shapes`, `photos`, `faces`, `birds`), from resources/vocabularies. */
export async function loadDefaultVocabularySet(domain: string): Promise<VocabularySet> {
  const { text, source } = await readDefaultFile(defaultVocabularyDir(), domain, 'vocabulary set');
  const set = parseVocabularySetText(text, source);
  if (set.id !== domain) throw new LafiteError('internal', `${source}: its id '${set.id}' is not its file name '${domain}'`);
  return set;
}

/**
 * The shipped template set of a domain, checked against `known` vocabulary names when given
 * (the domain's default vocabulary set's names, or a project's).
 */
export async function loadDefaultTemplateSet(domain: string, known?: ReadonlySet<string>): Promise<TemplateSet> {
  const { text, source } = await readDefaultFile(defaultTemplateDir(), domain, 'template set');
  const set = parseTemplateSet(jsonFromText(text, source), source, known);
  if (set.id !== domain) throw new LafiteError('internal', `${source}: its id '${set.id}' is not its file name '${domain}'`);
  return set;
}
