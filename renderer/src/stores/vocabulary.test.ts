import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient, Input, Method, Output, VocabularySetRecord } from '../../../main/api/contract.ts';
import { inputSchemas } from '../../../main/api/contract.ts';
import { ApiError, installApiClient } from '../api/index.ts';
import {
  CHECK_DELAY_MS,
  checkSetId,
  checkVocabularyName,
  draftChanged,
  draftFromRecord,
  entryCounts,
  exportText,
  faultOf,
  linesOf,
  parseSetText,
  saveInput,
  sourceLabel,
  templateSegments,
  useVocabularyStore,
} from './vocabulary.ts';

const record = (over: Partial<VocabularySetRecord> = {}): VocabularySetRecord => ({
  id: 'shapes',
  description: 'ShapesWorld words',
  source: 'default',
  hasDefault: true,
  vocabularies: [
    { name: 'Noun', entries: ['circle', 'square'] },
    { name: 'Adjective', entries: ['red', 'blue'] },
  ],
  templates: ['{Adjective} {Noun}', 'a {Noun}'],
  ...over,
});

describe('vocabulary store helpers', () => {
  it('turns a draft edited as text into the save input the API takes, blank lines and spaces left out', () => {
    const draft = draftFromRecord(record());
    expect(draft.vocabularies[0]).toEqual({ name: 'Noun', text: 'circle\nsquare' });
    expect(draft.templatesText).toBe('{Adjective} {Noun}\na {Noun}');
    expect(saveInput('shapes', draft)).toEqual({ id: 'shapes', description: 'ShapesWorld words', vocabularies: record().vocabularies, templates: record().templates });

    draft.vocabularies[0]!.text = '  circle \r\n\n square\n\n';
    draft.templatesText += '\n\n';
    expect(draftChanged(draft, record())).toBe(false);
    draft.vocabularies.push({ name: 'Texture', text: 'striped\ndotted' });
    expect(draftChanged(draft, record())).toBe(true);
    expect(inputSchemas['vocabulary.save'].safeParse(saveInput('shapes', draft)).success).toBe(true);
    expect(linesOf(' a \n\n b\r\n')).toEqual(['a', 'b']);
  });

  it('names the source, counts entries with their repeats, and checks ids and names as the API does', () => {
    expect(sourceLabel({ source: 'default', hasDefault: true })).toBe('default');
    expect(sourceLabel({ source: 'saved', hasDefault: true })).toBe('saved, replaces default');
    expect(sourceLabel({ source: 'saved', hasDefault: false })).toBe('saved');
    expect(entryCounts('red\nRed\n\nblue  sky\nblue sky')).toEqual({ entries: 4, repeats: 2 });

    expect(checkSetId('my-birds-2')).toBeNull();
    expect(checkSetId('My_birds')).not.toBeNull();
    expect(checkVocabularyName('Accessory', ['Noun'])).toBeNull();
    expect(checkVocabularyName('noun', ['Noun'])).toContain('Noun already');
    expect(checkVocabularyName('2nd', [])).toContain('starting with a letter');
    expect(checkVocabularyName('A'.repeat(41), [])).not.toBeNull();
  });

  it('cuts a template into text and slots, known and unknown', () => {
    expect(templateSegments('{Numeral} {Colour} {Noun}s', new Set(['Numeral', 'Noun']))).toEqual([
      { text: '{Numeral}', slot: 'known' },
      { text: ' ' },
      { text: '{Colour}', slot: 'unknown' },
      { text: ' ' },
      { text: '{Noun}', slot: 'known' },
      { text: 's' },
    ]);
    expect(templateSegments('no slot', new Set())).toEqual([{ text: 'no slot' }]);
  });

  it('reads pasted JSON as export writes it, and says what is wrong with its shape', () => {
    const text = exportText(record({ source: 'saved' }));
    expect(JSON.parse(text)).toEqual({ id: 'shapes', description: 'ShapesWorld words', vocabularies: record().vocabularies, templates: record().templates });
    expect(parseSetText(text)).toEqual({ set: JSON.parse(text) });
    expect(parseSetText('{"id": "x", "vocabularies": [{"name": "Noun", "entries": ["cat"]}], "templates": ["a {Noun}"]}')).toEqual({
      set: { id: 'x', description: '', vocabularies: [{ name: 'Noun', entries: ['cat'] }], templates: ['a {Noun}'] },
    });
    expect(parseSetText('{"id": ')).toHaveProperty('error', expect.stringMatching(/^Not JSON/));
    expect(parseSetText('[]')).toHaveProperty('error');
    expect(parseSetText('{"id": "x", "vocabularies": [{"name": "Noun", "entries": "cat"}], "templates": []}')).toEqual({ error: 'vocabularies[0] is not {name, entries: [text, …]}.' });
    expect(parseSetText('{"id": "x", "vocabularies": [{"name": "Noun", "entries": []}]}')).toHaveProperty('error', expect.stringContaining("'templates'"));
  });

  it("finds the vocabulary or template an API error's field names", () => {
    expect(faultOf('vocabularies.3.entries.7')).toEqual({ vocabulary: 3 });
    expect(faultOf('input.templates.2')).toEqual({ template: 2 });
    expect(faultOf('id')).toBeNull();
    expect(faultOf(undefined)).toBeNull();
  });
});

describe('vocabulary store', () => {
  let saved: VocabularySetRecord | null;
  let calls: Array<{ method: Method; input: unknown }>;

  beforeEach(() => {
    vi.useFakeTimers();
    saved = null;
    calls = [];
    const answers: Partial<{ [M in Method]: (input: Input<M>) => Output<M> }> = {
      'vocabulary.list': () => [saved ?? record()],
      'models.list': () => [],
      'datasets.list': () => [],
      'vocabulary.check': ({ vocabularies, templates }) =>
        templates.map((template) => {
          const unknown = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).find((slot) => !vocabularies.includes(slot));
          return unknown ? { template, ok: false, slots: [], error: `unknown slot {${unknown}}` } : { template, ok: true, slots: [] };
        }),
      'vocabulary.save': (input) => {
        if (input.templates.some((t) => t.includes('{Colour}'))) throw new ApiError('invalid_input', "vocabulary set 'shapes': templates[2]: unknown slot {Colour}", 'templates.2');
        saved = { ...record(), ...input, description: input.description ?? '', source: 'saved' };
        return saved;
      },
    };
    const client: ApiClient = {
      async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
        calls.push({ method, input });
        const answer = answers[method] as ((input: Input<M>) => Output<M>) | undefined;
        if (!answer) throw new Error(`unexpected call ${method}`);
        return answer(input);
      },
      subscribe: () => () => undefined,
    };
    installApiClient(client);
    setActivePinia(createPinia());
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks templates a moment after the last edit, keeps the draft when Save fails, and saves once fixed', async () => {
    const store = useVocabularyStore();
    await store.load();
    store.select('shapes');
    store.draft!.templatesText += '\n{Numeral} {Colour}';
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS / 2);
    store.draft!.templatesText += ' {Noun}';
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    expect(calls.filter((call) => call.method === 'vocabulary.check')).toHaveLength(1);
    expect(store.checkOf('{Numeral} {Colour} {Noun}')?.error).toBe('unknown slot {Numeral}');

    store.addVocabulary('Numeral', 'one\ntwo');
    expect(store.checkOf('a {Noun}')).toBeUndefined(); // the names changed: checked again
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    expect(store.checkOf('{Numeral} {Colour} {Noun}')?.error).toBe('unknown slot {Colour}');

    expect(await store.save()).toBe(false);
    expect(store.saveError).toEqual({ code: 'invalid_input', message: "vocabulary set 'shapes': templates[2]: unknown slot {Colour}", field: 'templates.2' });
    expect(store.dirty).toBe(true);
    expect(store.draft!.templatesText).toContain('{Colour}');

    store.draft!.templatesText = store.draft!.templatesText.replace('{Colour}', '{Adjective}');
    expect(await store.save()).toBe(true);
    expect(store.saveError).toBeNull();
    expect(store.dirty).toBe(false);
    expect(store.selected).toMatchObject({ source: 'saved', templates: ['{Adjective} {Noun}', 'a {Noun}', '{Numeral} {Adjective} {Noun}'] });
    expect(store.selected!.vocabularies.map((v) => v.name)).toEqual(['Noun', 'Adjective', 'Numeral']);
  });

  it('brings a draft without edits up to date on Refresh, and keeps one with edits', async () => {
    const store = useVocabularyStore();
    await store.load();
    store.select('shapes');
    saved = record({ source: 'saved', templates: ['the {Noun}'] }); // saved elsewhere, e.g. with the CLI
    await store.list();
    expect(store.draft!.templatesText).toBe('the {Noun}');
    expect(store.dirty).toBe(false);

    store.draft!.description = 'mine';
    saved = record({ source: 'saved', templates: ['one {Noun}'] });
    await store.list();
    expect(store.draft!.description).toBe('mine');
    expect(store.draft!.templatesText).toBe('the {Noun}');
    expect([...store.editedIds]).toEqual(['shapes']);
  });
});
