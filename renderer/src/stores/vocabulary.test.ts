import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient, Input, Method, Output, VocabularySetRecord } from '../../../main/contract/index.ts';
import { ApiError, installApiClient } from '../api/index.ts';
import { CHECK_DELAY_MS, useVocabularyStore } from './vocabulary.ts';

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
