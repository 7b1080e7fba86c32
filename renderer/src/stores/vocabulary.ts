/**
 * Vocabulary & Templates (Lafite2 §3.1, step 1): the vocabulary sets retrieval fills prompt
 * templates from (`vocabulary.list`), edited as text in a draft per set (one entry or one
 * template a line), templates checked live against the draft's vocabulary names
 * (`vocabulary.check`, debounced), saved (`vocabulary.save`), reset to the shipped default or
 * forgotten (`vocabulary.reset`), built from a CLIP model's tokenizer (`vocabulary.build`),
 * imported from and exported as the JSON `lafite pseudo vocab export` writes, and previewed
 * on one image of a dataset (`vocabulary.preview`: its top words and prompts).
 *
 * Drafts are kept per set id until saved or discarded: selecting another set loses nothing,
 * and neither does a failed Save.
 *
 * @example
 *   const vocabulary = useVocabularyStore();
 *   await vocabulary.load();
 *   vocabulary.select('shapes');
 *   vocabulary.draft!.templatesText += '\n{Numeral} {Adjective} {Noun} on a {Adjective} background';
 *   await vocabulary.save();
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { DatasetImage, DatasetRecord, Input, ModelRecord, RetrievalPreview, TemplateCheck, VocabularySetRecord } from '../../../main/api/contract.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { trackCall } from './tracked-call.ts';

/** Quiet time after the last keystroke before the templates are checked. */
export const CHECK_DELAY_MS = 300;
/** Templates per set (the API takes at most 500). */
export const MAX_TEMPLATES = 500;
/** Images of a dataset offered for the preview. */
export const PREVIEW_IMAGES = 16;
/** The vocabularies a tokenizer's words are sorted into; any other is a phrase vocabulary. */
export const CATEGORY_NAMES: readonly string[] = ['Noun', 'Verb', 'Numeral', 'Adjective'];

/** Patterns the API checks too (contract.ts, engine/pseudo/vocabulary.ts): said here before a round trip. */
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
  if (!isStringArray(value.templates)) return { error: "The set has no 'templates' (a list of texts such as \"{Numeral} {Adjective} {Noun}\")." };
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

export const useVocabularyStore = defineStore('vocabulary', () => {
  const api = useApiClient();

  const sets = ref<VocabularySetRecord[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  /** The last failure of listing, resetting or loading the models and datasets, for the banner. */
  const error = ref<DisplayError | null>(null);
  const selectedId = ref<string | null>(null);
  const selected = computed(() => sets.value.find((set) => set.id === selectedId.value) ?? null);
  /** CLIP models, for building a set and for the preview. */
  const models = ref<ModelRecord[]>([]);
  const modelsLoading = ref(false);

  // Editing ----------------------------------------------------------------------------

  /** Unsaved edits by set id; a set gets one when it is selected. */
  const drafts = ref<Record<string, VocabularyDraft>>({});
  const draft = computed(() => (selectedId.value ? (drafts.value[selectedId.value] ?? null) : null));
  const dirty = computed(() => draft.value !== null && selected.value !== null && draftChanged(draft.value, selected.value));
  /** Ids whose draft differs from the saved set (the list marks them). */
  const editedIds = computed(() => new Set(sets.value.filter((set) => drafts.value[set.id] && draftChanged(drafts.value[set.id]!, set)).map((set) => set.id)));
  const saving = ref(false);
  /** Why the last Save failed: the API's message, naming the vocabulary or template at fault. */
  const saveError = ref<DisplayError | null>(null);
  const resetting = ref(false);

  /** The sets; a draft without edits follows its set (saved elsewhere meanwhile: the CLI, another window). */
  async function list(): Promise<void> {
    await trackCall(loading, error, async () => {
      const unedited = sets.value.filter((set) => drafts.value[set.id] && !draftChanged(drafts.value[set.id]!, set)).map((set) => set.id);
      sets.value = await api.call('vocabulary.list', {});
      loaded.value = true;
      for (const id of unedited) {
        const record = sets.value.find((set) => set.id === id);
        if (record) drafts.value[id] = draftFromRecord(record);
        else delete drafts.value[id];
      }
      if (selectedId.value && !selected.value) select(null);
    });
  }

  /** The sets, and the models and datasets the build form and the preview choose from. */
  async function load(): Promise<void> {
    await Promise.all([
      list(),
      trackCall(modelsLoading, error, async () => (models.value = await api.call('models.list', {}))),
      loadPreviewDatasets(),
    ]);
  }

  function select(id: string | null): void {
    if (id === selectedId.value) return;
    selectedId.value = id;
    saveError.value = null;
    const record = selected.value;
    if (record && !drafts.value[record.id]) drafts.value[record.id] = draftFromRecord(record);
    clearPreview();
  }

  /** Puts a record into the list (replacing one of its id) and its draft back to it. */
  function replaceRecord(record: VocabularySetRecord): void {
    const index = sets.value.findIndex((set) => set.id === record.id);
    if (index >= 0) sets.value.splice(index, 1, record);
    else sets.value = [...sets.value, record].sort((a, b) => a.id.localeCompare(b.id));
    drafts.value[record.id] = draftFromRecord(record);
  }

  async function save(): Promise<boolean> {
    const id = selectedId.value;
    if (!id || !draft.value) return false;
    saveError.value = null;
    const saved = await trackCall(saving, saveError, async () => {
      replaceRecord(await api.call('vocabulary.save', saveInput(id, draft.value!)));
      if (selectedId.value === id) clearPreview();
      return true;
    });
    return saved ?? false;
  }

  function discard(): void {
    if (!selected.value) return;
    drafts.value[selected.value.id] = draftFromRecord(selected.value);
    saveError.value = null;
  }

  /** Forgets the saved version of the selected set: its default (if any) is what the id means again. */
  async function reset(): Promise<boolean> {
    const id = selectedId.value;
    if (!id) return false;
    const done = await trackCall(resetting, error, async () => {
      await api.call('vocabulary.reset', { id });
      delete drafts.value[id];
      saveError.value = null;
      clearPreview();
      await list();
      const record = sets.value.find((set) => set.id === id);
      if (record && selectedId.value === id) drafts.value[id] = draftFromRecord(record);
      return true;
    });
    return done ?? false;
  }

  function addVocabulary(name: string, text: string): void {
    draft.value?.vocabularies.push({ name, text });
  }

  function removeVocabulary(index: number): void {
    draft.value?.vocabularies.splice(index, 1);
  }

  // Live template checks ------------------------------------------------------------------

  const templateLines = computed(() => (draft.value ? linesOf(draft.value.templatesText) : []));
  const vocabularyNames = computed(() => draft.value?.vocabularies.map((v) => v.name) ?? []);
  /** The API's verdict per template text, for the vocabulary names in `checkedNames`. */
  const checks = shallowRef(new Map<string, TemplateCheck>());
  const checkedNames = ref('');
  const checkError = ref<DisplayError | null>(null);
  let checkTimer: ReturnType<typeof setTimeout> | null = null;
  let checkGeneration = 0;

  /** The verdict on a template under the current names, or undefined while it is being checked. */
  function checkOf(template: string): TemplateCheck | undefined {
    return checkedNames.value === vocabularyNames.value.join('\n') ? checks.value.get(template) : undefined;
  }

  async function runCheck(): Promise<void> {
    const names = vocabularyNames.value;
    const templates = templateLines.value.slice(0, MAX_TEMPLATES);
    const asked = ++checkGeneration;
    try {
      const answer = templates.length === 0 ? [] : await api.call('vocabulary.check', { vocabularies: names, templates });
      if (asked !== checkGeneration) return;
      checks.value = new Map(answer.map((check) => [check.template, check]));
      checkedNames.value = names.join('\n');
      checkError.value = null;
    } catch (caught) {
      if (asked === checkGeneration) checkError.value = toDisplayError(caught);
    }
  }

  watch(
    () => [templateLines.value.join('\n'), vocabularyNames.value.join('\n')],
    () => {
      if (checkTimer) clearTimeout(checkTimer);
      checkTimer = draft.value ? setTimeout(() => void runCheck(), CHECK_DELAY_MS) : null;
    },
  );

  // A new set from a model's tokenizer; importing a set ---------------------------------------

  const building = ref(false);
  const buildError = ref<DisplayError | null>(null);
  const importing = ref(false);
  const importError = ref<DisplayError | null>(null);

  async function build(input: Input<'vocabulary.build'>): Promise<VocabularySetRecord | null> {
    buildError.value = null;
    return trackCall(building, buildError, async () => {
      const record = await api.call('vocabulary.build', input);
      replaceRecord(record);
      select(record.id);
      return record;
    });
  }

  /** Saves a pasted set (replacing the saved version of its id, and any draft of it) and selects it. */
  async function importSet(set: VocabularySetFile): Promise<VocabularySetRecord | null> {
    importError.value = null;
    return trackCall(importing, importError, async () => {
      const record = await api.call('vocabulary.save', set);
      replaceRecord(record);
      if (selectedId.value === record.id) clearPreview();
      select(record.id);
      return record;
    });
  }

  // Preview -------------------------------------------------------------------------------

  const previewDatasets = ref<DatasetRecord[]>([]);
  const datasetsLoading = ref(false);
  const previewDatasetId = ref<string | null>(null);
  const previewImages = shallowRef<readonly DatasetImage[]>([]);
  const imagesLoading = ref(false);
  const previewThumbnails = shallowRef(new Map<number, string>());
  const previewImageId = ref<number | null>(null);
  const previewModel = ref('shapes-clip');
  const preview = shallowRef<RetrievalPreview | null>(null);
  const previewing = ref(false);
  const previewError = ref<DisplayError | null>(null);
  let previewGeneration = 0;

  async function loadPreviewDatasets(): Promise<void> {
    await trackCall(datasetsLoading, error, async () => {
      previewDatasets.value = (await api.call('datasets.list', {})).filter((dataset) => dataset.counts.imported > 0);
      if (previewDatasetId.value && !previewDatasets.value.some((dataset) => dataset.id === previewDatasetId.value)) await choosePreviewDataset(null);
    });
  }

  /** Shows the first images of a dataset to pick one from. */
  async function choosePreviewDataset(dataset: string | null): Promise<void> {
    const asked = ++previewGeneration;
    previewDatasetId.value = dataset;
    previewImages.value = [];
    previewThumbnails.value = new Map();
    previewImageId.value = null;
    clearPreview();
    if (!dataset) return;
    await trackCall(imagesLoading, previewError, async () => {
      const { images } = await api.call('datasets.images', { dataset, status: 'imported', limit: PREVIEW_IMAGES });
      if (asked !== previewGeneration) return;
      previewImages.value = images;
      previewImageId.value = images[0]?.id ?? null;
      const thumbnails = images.length > 0 ? await api.call('datasets.thumbnails', { dataset, ids: images.map((image) => image.id) }) : [];
      if (asked === previewGeneration) previewThumbnails.value = new Map(thumbnails.map(({ id, url }) => [id, url]));
    });
  }

  function choosePreviewImage(id: number): void {
    previewImageId.value = id;
    clearPreview();
  }

  function clearPreview(): void {
    preview.value = null;
    previewError.value = null;
  }

  /** The top words and prompts of the chosen image with the selected set, as saved. */
  async function runPreview(): Promise<void> {
    const id = selectedId.value;
    const dataset = previewDatasetId.value;
    const image = previewImageId.value;
    if (!id || !dataset || image === null) return;
    clearPreview();
    const asked = previewGeneration;
    await trackCall(previewing, previewError, async () => {
      const result = await api.call('vocabulary.preview', { id, dataset, image, model: previewModel.value });
      if (asked === previewGeneration && selectedId.value === id && previewImageId.value === image) preview.value = result;
    });
  }

  return {
    sets,
    loading,
    loaded,
    error,
    selectedId,
    selected,
    models,
    draft,
    dirty,
    editedIds,
    saving,
    saveError,
    resetting,
    templateLines,
    vocabularyNames,
    checkError,
    building,
    buildError,
    importing,
    importError,
    previewDatasets,
    previewDatasetId,
    previewImages,
    imagesLoading,
    previewThumbnails,
    previewImageId,
    previewModel,
    preview,
    previewing,
    previewError,
    list,
    load,
    select,
    save,
    discard,
    reset,
    addVocabulary,
    removeVocabulary,
    checkOf,
    build,
    importSet,
    choosePreviewDataset,
    choosePreviewImage,
    runPreview,
    dismissError: () => (error.value = null),
    dismissSaveError: () => (saveError.value = null),
    dismissBuildError: () => (buildError.value = null),
    dismissImportError: () => (importError.value = null),
    dismissPreviewError: () => (previewError.value = null),
  };
});
