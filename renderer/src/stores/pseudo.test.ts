import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CosineDistribution, Output, PseudoRunRecord } from '../../../main/contract/index.ts';
import { installApiClient } from '../api/index.ts';
import { DEFAULT_SYNTH_FORM, synthInput } from './pseudo-form.ts';
import { diagnosticSeries, parseSynthResult, runFigures, runSettings, toFractions, usePseudoStore } from './pseudo.ts';
import { useJobsStore } from './jobs.ts';
import { fakeApi, settle } from './testing/fake-api.ts';
import { jobRecord } from './testing/job-record.ts';

const distribution = (mean: number): CosineDistribution => ({ count: 4, mean, std: 0.1, histogram: { min: -1, max: 1, counts: [0, 1, 3, 0] } });

function run(overrides: Partial<PseudoRunRecord>): PseudoRunRecord {
  return {
    id: '0123456789abcdef',
    dataset: 'shapes',
    method: 'gaussian',
    model: 'shapes-clip',
    config: { method: 'gaussian', model: 'shapes-clip', images: 'abc', seed: 0, form: 'paper', xi: 3 },
    stats: { imageText: distribution(0.3), textText: distribution(0.01) },
    summary: {},
    complete: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('pseudo store helpers', () => {
  it('draws the real captions, then one series per method of the encoder: the selected run for its method, the newest complete one for the others', () => {
    const runs = [
      run({ id: 'a'.repeat(16), method: 'gaussian', createdAt: '2026-01-01T00:00:00.000Z' }),
      run({ id: 'b'.repeat(16), method: 'gaussian', createdAt: '2026-01-02T00:00:00.000Z' }),
      run({ id: 'c'.repeat(16), method: 'clo', createdAt: '2026-01-03T00:00:00.000Z' }),
      run({ id: 'd'.repeat(16), method: 'retrieval', createdAt: '2026-01-04T00:00:00.000Z', complete: false, stats: null }),
      run({ id: 'e'.repeat(16), method: 'nn', model: 'clip-vit-b32', createdAt: '2026-01-05T00:00:00.000Z' }),
    ];
    expect(diagnosticSeries(runs, null, 'shapes-clip').map((s) => [s.key, s.runId?.[0]])).toEqual([
      ['gaussian', 'b'],
      ['clo', 'c'],
    ]);
    expect(diagnosticSeries(runs, 'a'.repeat(16), 'shapes-clip').map((s) => s.runId?.[0])).toEqual(['a', 'c']);
    expect(diagnosticSeries(runs, null, 'clip-vit-b32').map((s) => s.key)).toEqual(['nn']);
    const captions = { imageText: distribution(0.3), textText: distribution(0.5), pairs: 4 };
    const withCaptions = diagnosticSeries(runs, null, 'shapes-clip', captions);
    expect(withCaptions.map((s) => [s.key, s.label, s.runId])).toEqual([
      ['captions', 'Real captions', null],
      ['gaussian', 'Gaussian', 'b'.repeat(16)],
      ['clo', 'CLO', 'c'.repeat(16)],
    ]);
    expect(withCaptions[0]?.textText.mean).toBe(0.5);
    expect(toFractions([1, 3, 0])).toEqual([0.25, 0.75, 0]);
    expect(toFractions([0, 0])).toEqual([0, 0]);
  });

  it('says what a run was made with and its key figures', () => {
    expect(runSettings(run({}))).toBe('ξ 3 (paper) · seed 0');
    const retrieval = run({
      method: 'retrieval',
      config: { method: 'retrieval', vocabulary: 'shapes', templates: 'shapes', k: 5, m: 5, mode: 'iterative', keepCore: 3, threshold: null, seed: 0 },
      summary: { distinctPrompts: 4272, naivePrompts: 14560, encodingsSaved: 3.408, imagesWithoutPrompt: 0 },
    });
    expect(runSettings(retrieval)).toBe('shapes · k 5, m 5 · iterative, r 3 · seed 0');
    expect(runFigures(retrieval)).toBe('4272 prompts encoded of 14560, 3.4× fewer');
    expect(runFigures(run({ method: 'clo', summary: { meanLogLikelihoodGain: 0.35164 } }))).toBe('log-likelihood +0.352 per image');
    expect(runFigures(run({ summary: null }))).toBe('');
    expect(runFigures(run({ summary: { nearestCaptionCosine: 0.8 } }))).toBe('');
    const nn = run({
      method: 'nn',
      config: { method: 'nn', model: 'shapes-clip', images: 'abc', seed: 0, nn: 'shapes-nn', nnFile: 'f'.repeat(64) },
      summary: { trainedMeanCosine: 0.91234 },
    });
    expect(runSettings(nn)).toBe('network shapes-nn · seed 0');
    expect(runFigures(nn)).toBe("network's trained cos(h′, h) 0.912");
  });

  it('reads a synthesis result only when it has its shape', () => {
    const result = { dataset: 'shapes', images: 40, runs: [{ ...run({}), reused: false }], seconds: 2 };
    expect(parseSynthResult(result)).toBe(result);
    expect(parseSynthResult({ ...result, runs: [{ id: 'x' }] })).toBeNull();
    expect(parseSynthResult(null)).toBeNull();
  });
});

describe('pseudo store', () => {
  const stored: PseudoRunRecord[] = [];
  const captionStats = { imageText: distribution(0.3), textText: distribution(0.6), pairs: 40 };
  let api: ReturnType<typeof fakeApi>;

  beforeEach(() => {
    stored.length = 0;
    api = fakeApi({
      'datasets.list': () => [{ id: 'shapes', counts: { captions: 40 } } as unknown as Output<'datasets.list'>[number]],
      'jobs.list': () => [],
      'pseudo.stats': ({ model }) => ({ captions: model === 'shapes-clip' ? captionStats : null, runs: [...stored] }),
      'vocabulary.list': () => [],
      'pseudo.networks': () => [],
      'pseudo.captions': ({ run: id }) => ({
        total: 1,
        images: [
          {
            id: 7,
            path: '00000.png',
            captions: [
              { prompt: id, score: 0.2 },
              { prompt: 'best', score: 0.9 },
            ],
          },
        ],
      }),
      'datasets.thumbnails': ({ ids }) => ids.map((id) => ({ id, url: `data:image/webp;base64,${id}` })),
      'jobs.start': ({ input }) => jobRecord({ id: 'feed0000-0001', kind: 'pseudo-synth', status: 'queued', input }),
    });
    installApiClient(api.client);
    setActivePinia(createPinia());
  });

  it('chooses the first dataset, synthesises, and reads the runs again when the job ends', async () => {
    const store = usePseudoStore();
    useJobsStore().listen();
    await store.load();
    await settle();
    expect(store.datasetId).toBe('shapes');
    expect(store.runsFor).toBe('shapes');
    expect(store.runs).toEqual([]);
    expect(store.captions).toEqual(captionStats);
    expect(store.series.map((s) => s.key)).toEqual(['captions']);

    const input = synthInput('shapes', { ...DEFAULT_SYNTH_FORM });
    const job = await store.startSynth(input);
    expect(api.calls.find((call) => call.method === 'jobs.start')?.input).toEqual({ kind: 'pseudo-synth', input });
    expect(store.synthesising).toBe(true);

    const gaussian = run({ id: 'a'.repeat(16), createdAt: '2026-01-01T00:00:00.000Z' });
    const retrieval = run({ id: 'b'.repeat(16), method: 'retrieval', createdAt: '2026-01-02T00:00:00.000Z' });
    stored.push(gaussian, retrieval);
    const result = {
      dataset: 'shapes',
      images: 1,
      runs: [
        { ...gaussian, reused: true },
        { ...retrieval, reused: false },
      ],
      seconds: 1,
    };
    api.emit({ ...job!, status: 'succeeded', attempts: 1, result });
    await settle();

    expect(store.synthesising).toBe(false);
    expect(store.runs.map((r) => r.id[0])).toEqual(['b', 'a']);
    expect([...store.reusedIds]).toEqual(['a'.repeat(16)]);
    // The newest run is selected and its first page shown, captions best first, with thumbnails.
    expect(store.selectedRunId).toBe('b'.repeat(16));
    expect(store.explorerImages[0]?.captions.map((c) => c.prompt)).toEqual(['best', 'b'.repeat(16)]);
    expect(store.thumbnails.get(7)).toBe('data:image/webp;base64,7');
    expect(store.series.map((s) => s.key)).toEqual(['captions', 'gaussian', 'retrieval']);
    expect(store.missingCaptions).toBeNull();

    store.selectRun('a'.repeat(16));
    await settle();
    expect(store.explorerImages[0]?.captions[1]?.prompt).toBe('a'.repeat(16));

    // A run of another encoder: the real captions' statistics are asked for that encoder (none here).
    stored.push(run({ id: 'c'.repeat(16), model: 'clip-vit-b32', createdAt: '2026-01-03T00:00:00.000Z' }));
    await store.listRuns();
    store.selectRun('c'.repeat(16));
    await settle();
    expect(api.calls.filter((call) => call.method === 'pseudo.stats').at(-1)?.input).toEqual({ dataset: 'shapes', model: 'clip-vit-b32' });
    expect(store.statsModel).toBe('clip-vit-b32');
    expect(store.series.map((s) => [s.key, s.runId?.[0]])).toEqual([['gaussian', 'c']]);
    expect(store.missingCaptions).toBe('not-encoded');
  });
});
