/**
 * The Runs view's comparison, pure (no store, no API): one row per training run with the
 * figures of its latest evaluation (`runs.evaluations`, the `gan-eval` job's records), the best
 * value of each figure across the runs, and per figure the series a chart draws: one line per
 * selected run over the evaluated steps.
 *
 * @example
 *   const rows = compareRows(runs, evaluations);
 *   const best = bestFigures(rows, visibleMetrics(evaluations));
 *   const { steps, lines } = metricSeries(evaluations, ['6bf832ad-…'], 'fdClip');
 */
import type { EvaluationRecord, RunSummary } from '../../../main/contract/index.ts';

/** The prompts an evaluation was measured on, in words: the dataset's captions, or `3 prompts of held-out.txt` (`lafite eval --prompts`). */
export function promptSource(evaluation: Pick<EvaluationRecord, 'prompts'>): string {
  const prompts = evaluation.prompts;
  if (!prompts) return 'the dataset’s captions';
  const name = prompts.file?.split(/[\\/]/).at(-1) ?? 'a given list';
  return `${prompts.count} prompt${prompts.count === 1 ? '' : 's'} of ${name}`;
}

/** A figure of an evaluation the view compares. */
export type CompareMetricKey = 'fdClip' | 'fid' | 'clipScore' | 'rPrecision' | 'attributeAccuracy';

/** A figure's column and chart: its name (as the README and the CLI say it), which way is better, and what it measures. */
export interface CompareMetric {
  key: CompareMetricKey;
  label: string;
  better: 'lower' | 'higher';
  about: string;
  /** Shown even when no evaluation has it (the cell is a dash, the chart says why it is empty). */
  always: boolean;
}

export const COMPARE_METRICS: readonly CompareMetric[] = [
  { key: 'fdClip', label: 'FD (CLIP features)', better: 'lower', about: 'Fréchet distance between CLIP features of generated and real images (lower is better)', always: true },
  {
    key: 'fid',
    label: 'FID',
    better: 'lower',
    about: 'Fréchet distance between Inception-v3 features of generated and real images (lower is better; evaluations with an Inception model)',
    always: false,
  },
  { key: 'clipScore', label: 'CLIP score', better: 'higher', about: 'Mean 100·cos(image, prompt) in CLIP space (higher is better)', always: true },
  { key: 'rPrecision', label: 'R-precision', better: 'higher', about: 'Share of images whose prompt ranks first among 100 (needs 100 images or more)', always: true },
  { key: 'attributeAccuracy', label: 'attribute accuracy', better: 'higher', about: 'ShapesWorld: shape, color and count all as asked (higher is better)', always: false },
];

/** A figure's value, or null where the evaluation lacks it. */
export function figureOf(evaluation: EvaluationRecord | null | undefined, key: CompareMetricKey): number | null {
  const value = evaluation?.metrics[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The metrics to show: those always shown, and the others where some evaluation has them. */
export function visibleMetrics(evaluations: readonly EvaluationRecord[]): CompareMetric[] {
  return COMPARE_METRICS.filter((metric) => metric.always || evaluations.some((evaluation) => figureOf(evaluation, metric.key) !== null));
}

/** Whether `a` is a later evaluation than `b`: a later step, then made later. */
const isLater = (a: EvaluationRecord, b: EvaluationRecord): boolean => a.step > b.step || (a.step === b.step && a.createdAt > b.createdAt);

/** Each run's latest evaluation: of its latest evaluated step, the newest. */
export function latestEvaluations(evaluations: readonly EvaluationRecord[]): Map<string, EvaluationRecord> {
  const latest = new Map<string, EvaluationRecord>();
  for (const evaluation of evaluations) {
    const kept = latest.get(evaluation.run);
    if (!kept || isLater(evaluation, kept)) latest.set(evaluation.run, evaluation);
  }
  return latest;
}

/** One row of the comparison table. */
export interface CompareRow {
  run: RunSummary;
  /** Its latest evaluation, or null before any. */
  latest: EvaluationRecord | null;
  /** How many evaluations it has. */
  evaluations: number;
  figures: Record<CompareMetricKey, number | null>;
}

/** The table's rows, in the order of `runs` (runs.list: newest first). */
export function compareRows(runs: readonly RunSummary[], evaluations: readonly EvaluationRecord[]): CompareRow[] {
  const latest = latestEvaluations(evaluations);
  const counts = new Map<string, number>();
  for (const evaluation of evaluations) counts.set(evaluation.run, (counts.get(evaluation.run) ?? 0) + 1);
  return runs.map((run) => {
    const evaluation = latest.get(run.id) ?? null;
    const figures = Object.fromEntries(COMPARE_METRICS.map((metric) => [metric.key, figureOf(evaluation, metric.key)])) as Record<CompareMetricKey, number | null>;
    return { run, latest: evaluation, evaluations: counts.get(run.id) ?? 0, figures };
  });
}

/**
 * The best value of each figure across the rows (the lowest FD and FID, the highest of the others), or
 * null where fewer than two runs have the figure: one run alone is best of nothing.
 */
export function bestFigures(rows: readonly CompareRow[], metrics: readonly CompareMetric[]): Partial<Record<CompareMetricKey, number | null>> {
  const best: Partial<Record<CompareMetricKey, number | null>> = {};
  for (const metric of metrics) {
    const values = rows.map((row) => row.figures[metric.key]).filter((value): value is number => value !== null);
    best[metric.key] = values.length < 2 ? null : metric.better === 'lower' ? Math.min(...values) : Math.max(...values);
  }
  return best;
}

/** One run's line of a chart: its value at each of the chart's steps (null where it was not evaluated there). */
export interface MetricLine {
  run: string;
  values: (number | null)[];
}

/** What one metric's chart draws: the steps evaluated by any of the runs (x), one line per run. */
export interface MetricSeries {
  steps: number[];
  lines: MetricLine[];
}

/**
 * A metric over the steps for the given runs: the union of their evaluated steps, and per run
 * the figure of its newest evaluation at each step. Runs keep the order of `runIds`.
 */
export function metricSeries(evaluations: readonly EvaluationRecord[], runIds: readonly string[], key: CompareMetricKey): MetricSeries {
  const newest = new Map<string, EvaluationRecord>(); // `${run}:${step}` → the newest evaluation there
  for (const evaluation of evaluations) {
    if (!runIds.includes(evaluation.run) || figureOf(evaluation, key) === null) continue;
    const id = `${evaluation.run}:${evaluation.step}`;
    const kept = newest.get(id);
    if (!kept || evaluation.createdAt > kept.createdAt) newest.set(id, evaluation);
  }
  const steps = [...new Set([...newest.values()].map((evaluation) => evaluation.step))].sort((a, b) => a - b);
  const lines = runIds.map((run) => ({ run, values: steps.map((step) => figureOf(newest.get(`${run}:${step}`), key)) }));
  return { steps, lines };
}

/** A figure in a cell or a legend: FD and CLIP score with 3 significant figures, shares as percentages. */
export function formatFigure(key: CompareMetricKey, value: number | null): string {
  if (value === null) return '—';
  if (key === 'rPrecision' || key === 'attributeAccuracy') return `${(value * 100).toFixed(1)} %`;
  return Math.abs(value) >= 1000 ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
}

/** Whether a figure is a share, shown as a percentage. */
export const isShare = (key: CompareMetricKey): boolean => key === 'rPrecision' || key === 'attributeAccuracy';

/**
 * A tick of a chart's figure axis: shares as whole percentages, with decimals only as fine as
 * the ticks' spacing `increment` needs ("80%", "82.5%"), so labels fit the axis; others as in cells.
 */
export function formatAxisFigure(key: CompareMetricKey, value: number, increment: number): string {
  if (!isShare(key)) return formatFigure(key, value);
  const step = Math.abs(increment * 100);
  const decimals = [0, 1, 2].find((d) => Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6 * 10 ** d) ?? 2; // as many as the spacing has
  return `${(value * 100).toFixed(decimals)}%`;
}
