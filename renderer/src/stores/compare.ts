/**
 * Compare: 2 to 4 run/step pairs drawn on the same prompts and seeds, side by side. Each cell
 * (pair × prompt × seed) is one `gan-generate` job of one image, so a cell is exactly what the
 * Playground draws for that run, step, prompt and seed (image 0 of the seed); the grid has a
 * column per pair and a row per prompt and seed.
 *
 * @example
 *   const compare = useCompareStore();
 *   compare.pairs = [{ run: 'shapes-pretrained', step: '' }, { run: id, step: 4 }];
 *   compare.prompts = 'a red circle';
 *   compare.seeds = '0, 1';
 *   await compare.start();
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { RunSummary } from '../../../main/contract/index.ts';
import { toDisplayError, useApiClient, type DisplayError } from '../api/index.ts';
import { isCancellable } from './job-order.ts';
import { useJobsStore } from './jobs.ts';
import { pngDataUrl } from './playground-form.ts';
import { trackCall } from './tracked-call.ts';

/** One column: a run and the step of its generator ('' for the latest). */
export interface ComparePair {
  run: string;
  step: number | '';
}

/** One cell of the grid: its job, and its picture once drawn. */
export interface CompareCell {
  pair: number;
  prompt: string;
  seed: number;
  jobId: string | null;
  url: string | null;
  failed: string | null;
}

export const MAX_PAIRS = 4;
export const MIN_PAIRS = 2;
export const MAX_PROMPTS = 4;
export const MAX_SEEDS = 4;

/** Prompts, one a line, blanks left out. */
export const parsePrompts = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** Seeds separated by commas or spaces; null when one is no whole number from 0 to 2³² − 1. */
export function parseSeeds(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter((part) => part !== '');
  const seeds = parts.map(Number);
  return seeds.every((seed) => Number.isInteger(seed) && seed >= 0 && seed < 0x1_0000_0000) ? [...new Set(seeds)] : null;
}

/** What is wrong with the request, or null when it may start. */
export function checkCompare(pairs: readonly ComparePair[], prompts: readonly string[], seeds: number[] | null): string | null {
  if (pairs.length < MIN_PAIRS || pairs.length > MAX_PAIRS) return `Choose ${MIN_PAIRS} to ${MAX_PAIRS} run/step pairs.`;
  if (pairs.some((pair) => pair.run === '')) return 'Choose a run for every pair.';
  const keys = pairs.map((pair) => `${pair.run}@${pair.step}`);
  if (new Set(keys).size !== keys.length) return 'Two pairs are the same run at the same step.';
  if (prompts.length === 0 || prompts.length > MAX_PROMPTS) return `Give 1 to ${MAX_PROMPTS} prompts, one a line.`;
  if (seeds === null) return 'Seeds are whole numbers from 0 to 4294967295, separated by commas.';
  if (seeds.length === 0 || seeds.length > MAX_SEEDS) return `Give 1 to ${MAX_SEEDS} seeds.`;
  return null;
}

export const useCompareStore = defineStore('compare', () => {
  const api = useApiClient();
  const jobsStore = useJobsStore();

  const runs = ref<RunSummary[]>([]);
  const usableRuns = computed(() => runs.value.filter((run) => run.hasCheckpoint));
  /** Kept generator steps by run (runs.get), for each pair's step picker. */
  const stepsByRun = ref<Record<string, number[]>>({});
  const error = ref<DisplayError | null>(null);
  const loading = ref(false);

  const pairs = ref<ComparePair[]>([]);
  const prompts = ref('');
  const seeds = ref('0, 1');
  const truncation = ref(1);
  const problem = computed(() => checkCompare(pairs.value, parsePrompts(prompts.value), parseSeeds(seeds.value)));

  async function load(): Promise<void> {
    await trackCall(loading, error, async () => {
      runs.value = await api.call('runs.list', {});
    });
    if (pairs.value.length === 0) {
      const [first, second] = usableRuns.value;
      pairs.value = first
        ? [
            { run: first.id, step: '' },
            { run: (second ?? first).id, step: '' },
          ]
        : [];
    }
    await Promise.all(usableRuns.value.map((run) => loadSteps(run.id)));
  }

  async function loadSteps(run: string): Promise<void> {
    if (stepsByRun.value[run]) return;
    try {
      const detail = await api.call('runs.get', { id: run, maxPoints: 10 });
      stepsByRun.value = { ...stepsByRun.value, [run]: detail.snapshotSteps };
    } catch (caught) {
      error.value = toDisplayError(caught);
    }
  }

  function addPair(): void {
    if (pairs.value.length < MAX_PAIRS) pairs.value = [...pairs.value, { run: usableRuns.value[0]?.id ?? '', step: '' }];
  }
  function removePair(index: number): void {
    pairs.value = pairs.value.filter((_, k) => k !== index);
  }
  function setPair(index: number, pair: ComparePair): void {
    pairs.value = pairs.value.map((current, k) => (k === index ? pair : current));
  }

  // The grid ---------------------------------------------------------------------------------

  const cells = shallowRef<CompareCell[]>([]);
  /** The pairs, prompts and seeds of the grid shown (the form may have changed since). */
  const grid = shallowRef<{ pairs: ComparePair[]; prompts: string[]; seeds: number[] } | null>(null);
  const starting = ref(false);
  const done = computed(() => cells.value.filter((cell) => cell.url !== null || cell.failed !== null).length);
  const running = computed(() => cells.value.length > 0 && done.value < cells.value.length);

  const cellAt = (pair: number, prompt: string, seed: number): CompareCell | undefined =>
    cells.value.find((cell) => cell.pair === pair && cell.prompt === prompt && cell.seed === seed);

  function update(jobId: string, change: Partial<CompareCell>): void {
    cells.value = cells.value.map((cell) => (cell.jobId === jobId ? { ...cell, ...change } : cell));
  }

  /** Starts one single-image generation per cell. */
  async function start(): Promise<void> {
    if (problem.value) return;
    const request = { pairs: [...pairs.value], prompts: parsePrompts(prompts.value), seeds: parseSeeds(seeds.value)! };
    grid.value = request;
    cells.value = request.pairs.flatMap((_, pair) =>
      request.prompts.flatMap((prompt) => request.seeds.map((seed) => ({ pair, prompt, seed, jobId: null, url: null, failed: null }))),
    );
    await trackCall(starting, error, async () => {
      for (const cell of cells.value) {
        const pair = request.pairs[cell.pair]!;
        const input = { run: pair.run, prompt: cell.prompt, seed: cell.seed, n: 1, truncation: truncation.value, ...(pair.step === '' ? {} : { step: pair.step }) };
        try {
          const job = await api.call('jobs.start', { kind: 'gan-generate', input });
          cells.value = cells.value.map((current) => (current === cell ? { ...cell, jobId: job.id } : current));
        } catch (caught) {
          cells.value = cells.value.map((current) => (current === cell ? { ...cell, failed: toDisplayError(caught).message } : current));
        }
      }
    });
  }

  /** Each cell's job that ends: its picture read, or its failure kept. */
  const handled = new Set<string>();
  watch(
    () => cells.value.map((cell) => (cell.jobId ? jobsStore.byId[cell.jobId] : undefined)).filter((job) => job !== undefined && !isCancellable(job)),
    async (ended) => {
      for (const job of ended) {
        if (!job || handled.has(job.id)) continue;
        handled.add(job.id);
        if (job.status !== 'succeeded') {
          update(job.id, { failed: job.error?.message ?? job.status });
          continue;
        }
        try {
          const answer = await api.call('runs.generated', { id: job.id });
          update(job.id, { url: answer.images[0] ? pngDataUrl(answer.images[0].png) : null, failed: answer.images[0] ? null : 'no image' });
        } catch (caught) {
          update(job.id, { failed: toDisplayError(caught).message });
        }
      }
    },
  );

  return {
    runs,
    usableRuns,
    stepsByRun,
    error,
    loading,
    pairs,
    prompts,
    seeds,
    truncation,
    problem,
    load,
    loadSteps,
    addPair,
    removePair,
    setPair,
    cells,
    grid,
    starting,
    done,
    running,
    cellAt,
    start,
    dismissError: () => (error.value = null),
  };
});
