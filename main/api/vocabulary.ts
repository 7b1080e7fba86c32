/**
 * The vocabulary methods of the API (`vocabulary.*`): the sets retrieval fills templates from
 * (Lafite2 step 1), edited, imported, built from a model's tokenizer, checked (templates, and
 * words against an encoder's tokenizer) and previewed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Outputs, ParsedInput, TemplateCheck, VocabularySetRecord, VocabularyWordCheck } from '../contract/index.ts';
import { conflict, invalidInput, LafiteError, notFound } from '../contract/errors.ts';
import { parseTemplate, parseTemplateSet } from '../engine/pseudo/templates.ts';
import { vocabularySetFromTokenizer } from '../engine/pseudo/vocabulary-build.ts';
import { CATEGORY_VOCABULARY_NAMES, parseVocabularySet } from '../engine/pseudo/vocabulary.ts';
import { CachedEncoder, datasetImageItems } from '../jobs/dataset-features.ts';
import { parsedTemplates, resolveVocabularySet, vocabularySetIds, type ResolvedSet } from '../jobs/vocabulary-sets.ts';
import type { DatasetStore } from '../store/datasets.ts';
import type { EmbeddingStore } from '../store/embeddings.ts';
import type { ModelStore } from '../store/models.ts';
import type { VocabularySetStore } from '../store/vocabulary-sets.ts';
import { tokenizerWords, wordsOf } from './encoder-fit.ts';

const toRecord = (set: ResolvedSet): VocabularySetRecord => ({
  id: set.vocabulary.id,
  description: set.vocabulary.description,
  source: set.source,
  hasDefault: set.hasDefault,
  vocabularies: set.vocabulary.vocabularies,
  templates: set.templates.templates,
});

export async function listVocabularySets(store: VocabularySetStore): Promise<VocabularySetRecord[]> {
  const ids = await vocabularySetIds(store);
  return Promise.all(ids.map(async (id) => toRecord(await resolveVocabularySet(store, id))));
}

export const getVocabularySet = async (store: VocabularySetStore, id: string): Promise<VocabularySetRecord> => toRecord(await resolveVocabularySet(store, id));

/** The single-word vocabularies: their entries are words of the encoder's tokenizer. */
const WORD_VOCABULARIES: ReadonlySet<string> = new Set(Object.values(CATEGORY_VOCABULARY_NAMES));
/** Entries listed per vocabulary in a word check. */
const MAX_LISTED = 200;

/** The entries of `vocabularies` with a word outside `model`'s tokenizer (words in single-word vocabularies, warnings in phrase ones). */
export async function checkVocabularyWords(models: ModelStore, input: ParsedInput<'vocabulary.words'>): Promise<VocabularyWordCheck> {
  const model = models.get(input.model);
  if (!model) throw notFound(`no model '${input.model}': see \`lafite model list\``);
  const known = await tokenizerWords(model.path);
  if (!known) return { model: model.id, tokenizerWords: null, vocabularies: [] };
  const vocabularies = input.vocabularies.flatMap((vocabulary) => {
    const words = new Set<string>();
    const entries: string[] = [];
    let count = 0;
    for (const entry of vocabulary.entries) {
      const missing = wordsOf(entry).filter((word) => !known.has(word));
      if (missing.length === 0) continue;
      count += 1;
      if (entries.length < MAX_LISTED) entries.push(entry.trim());
      missing.forEach((word) => words.add(word));
    }
    return count === 0
      ? []
      : [{ name: vocabulary.name, kind: WORD_VOCABULARIES.has(vocabulary.name) ? ('words' as const) : ('phrases' as const), entries, count, words: [...words] }];
  });
  return { model: model.id, tokenizerWords: known.size, vocabularies };
}

/**
 * Validates the whole set (entries, names, every template against them) before anything is
 * stored; with `model`, refuses single-word vocabularies holding words outside its tokenizer.
 */
export async function saveVocabularySet(store: VocabularySetStore, models: ModelStore, input: ParsedInput<'vocabulary.save'>): Promise<VocabularySetRecord> {
  const source = `vocabulary set '${input.id}'`;
  const vocabulary = parseVocabularySet({ id: input.id, description: input.description, vocabularies: input.vocabularies }, source);
  const templates = parseTemplateSet({ id: input.id, templates: input.templates }, source, new Set(vocabulary.vocabularies.map((v) => v.name)));
  if (input.model) {
    const check = await checkVocabularyWords(models, { model: input.model, vocabularies: vocabulary.vocabularies });
    const refused = check.vocabularies.filter((v) => v.kind === 'words');
    if (refused.length > 0) {
      const first = refused[0]!;
      const index = vocabulary.vocabularies.findIndex((v) => v.name === first.name);
      const list = (v: (typeof refused)[number]) => `${v.name}: ${v.words.slice(0, 12).join(', ')}${v.words.length > 12 ? ` and ${v.words.length - 12} more` : ''}`;
      const count = refused.reduce((n, v) => n + v.count, 0);
      throw invalidInput(
        `${count} ${count === 1 ? 'entry is not a word' : 'entries are not words'} of ${check.model}'s tokenizer, which single-word vocabularies hold (${refused.map(list).join('; ')}): remove them, put them in a phrase vocabulary, or use another encoder`,
        `vocabularies.${index}.entries`,
      );
    }
  }
  store.put(input.id, vocabulary, templates);
  return getVocabularySet(store, input.id);
}

export async function resetVocabularySet(store: VocabularySetStore, id: string): Promise<Outputs['vocabulary.reset']> {
  return { id, removed: store.remove(id) };
}

/** Each template parsed against the names: the editor's live validation. */
export function checkTemplates(input: ParsedInput<'vocabulary.check'>): TemplateCheck[] {
  const known = new Set(input.vocabularies);
  return input.templates.map((template) => {
    try {
      const parsed = parseTemplate(template, known);
      return { template, ok: true, slots: parsed.slots };
    } catch (error) {
      if (!(error instanceof LafiteError)) throw error;
      return { template, ok: false, slots: [], error: error.message };
    }
  });
}

/** A set of the model's tokenizer's whole words, sorted by part of speech, saved under `id`. */
export async function buildVocabularySet(store: VocabularySetStore, models: ModelStore, input: ParsedInput<'vocabulary.build'>): Promise<VocabularySetRecord> {
  const model = models.get(input.model);
  if (!model) throw notFound(`no model '${input.model}': see \`lafite model list\``);
  if (!input.replace && (await vocabularySetIds(store)).includes(input.id)) throw conflict(`a vocabulary set '${input.id}' exists: choose another id, or replace it`);
  const tokenizer = JSON.parse(await readFile(join(model.path, 'tokenizer.json'), 'utf8')) as unknown;
  const vocabulary = vocabularySetFromTokenizer(tokenizer, {
    id: input.id,
    description: `The whole words of ${model.id}'s tokenizer, sorted by part of speech.`,
    source: `${model.id}/tokenizer.json`,
  });
  const templateSource = await resolveVocabularySet(store, input.templatesFrom ?? 'photos');
  const known = new Set(vocabulary.vocabularies.map((v) => v.name));
  const templates = templateSource.templates.templates.filter((text) => checkTemplates({ vocabularies: [...known], templates: [text] })[0]!.ok);
  store.put(input.id, vocabulary, { id: input.id, templates: templates.length > 0 ? templates : ['{Noun}'] });
  return getVocabularySet(store, input.id);
}

/** What retrieval finds for one image: its top words per vocabulary and its top prompts. */
export async function previewRetrieval(
  stores: { sets: VocabularySetStore; datasets: DatasetStore; models: ModelStore; embeddings: EmbeddingStore },
  dataDir: string,
  input: ParsedInput<'vocabulary.preview'>,
): Promise<Outputs['vocabulary.preview']> {
  const set = await resolveVocabularySet(stores.sets, input.id);
  const image = stores.datasets.importedImages(input.dataset).find((i) => i.id === input.image);
  if (!image) throw notFound(`dataset '${input.dataset}' has no imported image ${input.image}`);
  const item = datasetImageItems(stores.datasets, dataDir, input.dataset).find((i) => i.key === image.sha256)!;
  const encoder = CachedEncoder.open(stores.models, stores.embeddings, input.model);
  const { retrievePrompts, vocabularyFeatures } = await import('../engine/pseudo/retrieval.ts'); // ONNX Runtime loads only for a preview
  try {
    const { features } = await encoder.images([item]);
    const templates = parsedTemplates(set);
    const vocabularies = await vocabularyFeatures(set.vocabulary.vocabularies, templates, async (v) => (await encoder.texts(v.entries)).data);
    const result = await retrievePrompts({
      images: features.data,
      dim: features.dim,
      templates,
      vocabularies,
      encode: async (prompts) => (await encoder.texts(prompts)).data,
      options: { k: input.k, m: input.m },
    });
    return {
      image: image.id,
      topWords: vocabularies.map((v) => ({ vocabulary: v.slot, words: result.topWords[0]![v.slot]!.map((word, i) => ({ word, score: result.topWordScores[0]![v.slot]![i]! })) })),
      prompts: result.perImage[0]!,
    };
  } finally {
    await encoder.dispose();
  }
}
