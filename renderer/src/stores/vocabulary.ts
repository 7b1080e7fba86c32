/**
 * Vocabulary & Templates (Lafite2 §3.1, step 1): the vocabulary sets retrieval fills prompt
 * templates from (`vocabulary.list`), edited as text in a draft per set (one entry or one
 * template a line), templates checked live against the draft's vocabulary names
 * (`vocabulary.check`, debounced), the single-word vocabularies' entries checked against an
 * encoder's tokenizer (`vocabulary.words`, debounced; Save passes the encoder, so the API
 * refuses words it does not hold), saved (`vocabulary.save`), reset to the shipped default or
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
import type { DatasetImage, DatasetRecord, Input, ModelRecord, RetrievalPreview, TemplateCheck, VocabularySetRecord, VocabularyWordCheck } from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { trackCall } from './tracked-call.ts';
import { draftChanged, draftFromRecord, linesOf, MAX_TEMPLATES, saveInput, type VocabularyDraft, type VocabularySetFile } from './vocabulary-draft.ts';

// The helpers the Vocabulary components import from here (they live in vocabulary-draft.ts).
export {
  CATEGORY_NAMES,
  checkSetId,
  checkVocabularyName,
  entryCounts,
  exportText,
  faultOf,
  linesOf,
  MAX_TEMPLATES,
  parseSetText,
  sourceLabel,
  templateSegments,
} from './vocabulary-draft.ts';

/** Quiet time after the last keystroke before the templates are checked. */
export const CHECK_DELAY_MS = 300;
/** Images of a dataset offered for the preview. */
export const PREVIEW_IMAGES = 16;

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
    await Promise.all([list(), trackCall(modelsLoading, error, async () => (models.value = await api.call('models.list', {}))), loadPreviewDatasets()]);
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

  // Words against an encoder's tokenizer ---------------------------------------------------

  /** The encoder whose tokenizer the single-word vocabularies are checked against ('' : none); Save passes it, so the API refuses other words. */
  const wordsModel = ref('shapes-clip');
  /** The entries outside its tokenizer, per vocabulary, for the draft as it is (checked after a pause in typing). */
  const wordCheck = shallowRef<VocabularyWordCheck | null>(null);
  let wordGeneration = 0;
  let wordTimer: ReturnType<typeof setTimeout> | undefined;

  async function checkWords(): Promise<void> {
    const generation = ++wordGeneration;
    const id = selectedId.value;
    if (!id || !draft.value || !wordsModel.value) {
      wordCheck.value = null;
      return;
    }
    const { vocabularies } = saveInput(id, draft.value);
    try {
      const check = await api.call('vocabulary.words', { model: wordsModel.value, vocabularies });
      if (generation === wordGeneration) wordCheck.value = check;
    } catch {
      if (generation === wordGeneration) wordCheck.value = null; // a removed model: no marks, Save says why
    }
  }

  /** The word check of vocabulary `name`, if it has entries outside the tokenizer. */
  const unknownWordsOf = (name: string) => wordCheck.value?.vocabularies.find((v) => v.name === name) ?? null;

  watch(
    [() => (draft.value ? JSON.stringify(draft.value.vocabularies) : ''), wordsModel, selectedId],
    () => {
      clearTimeout(wordTimer);
      wordTimer = setTimeout(() => void checkWords(), CHECK_DELAY_MS);
    },
    { immediate: true },
  );

  async function save(): Promise<boolean> {
    const id = selectedId.value;
    if (!id || !draft.value) return false;
    saveError.value = null;
    const saved = await trackCall(saving, saveError, async () => {
      replaceRecord(await api.call('vocabulary.save', { ...saveInput(id, draft.value!), ...(wordsModel.value ? { model: wordsModel.value } : {}) }));
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
    wordsModel,
    wordCheck,
    unknownWordsOf,
    checkWords,
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
