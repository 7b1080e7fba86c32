/**
 * A training run's losses over its steps, as the Training view plots them (Lafite §3.2):
 * the adversarial losses L_D and L_G, the discriminator's contrastive loss ConD on real and
 * on generated images, and the generator's ConG through CLIP. The history `runs.get` returns,
 * the points that arrive live with each `job.updated` event merged after it, and the columns
 * a chart draws: each figure as stored and as a moving average. Pure: no store, no API.
 *
 * @example
 *   const points = appendLivePoint(mergeMetrics(detail.metrics, live), { step: 12, metrics: job.progress.metrics });
 *   const { steps, columns } = chartColumns(points, LOSS_CHARTS[0]);
 */

/** One step's figures: dLoss, gLoss, conDReal, conDFake, conG, imagesPerSecond, … */
export interface MetricPoint {
  step: number;
  metrics: Record<string, number>;
}

/** One line of a chart: a figure of the metrics and its name in the legend. */
export interface ChartSeries {
  key: string;
  label: string;
}

/** One chart: a title (the paper's symbol and what it is) and the figures it draws on one scale. */
export interface LossChartSpec {
  id: string;
  title: string;
  /** What the figure means, in a line (the chart's description). */
  about: string;
  series: ChartSeries[];
}

/** The loss charts of a run, in the order the view shows them. */
export const LOSS_CHARTS: readonly LossChartSpec[] = [
  { id: 'd-loss', title: 'L_D', about: 'Discriminator: non-saturating adversarial loss', series: [{ key: 'dLoss', label: 'L_D' }] },
  { id: 'g-loss', title: 'L_G', about: 'Generator: non-saturating adversarial loss', series: [{ key: 'gLoss', label: 'L_G' }] },
  {
    id: 'con-d',
    title: 'ConD',
    about: "Discriminator's contrastive loss between images and their conditions",
    series: [
      { key: 'conDReal', label: 'real' },
      { key: 'conDFake', label: 'generated' },
    ],
  },
  { id: 'con-g', title: 'ConG', about: "Generator's contrastive loss through CLIP's image tower (0 when off)", series: [{ key: 'conG', label: 'ConG' }] },
];

/** The loss chart of a diffusion run (issue 16): its one loss. */
export const DIFFUSION_LOSS_CHARTS: readonly LossChartSpec[] = [
  { id: 'loss', title: 'L_simple', about: 'Noise prediction: ‖ε − ε_θ(x_t, t, h)‖² (DDPM eq. 14)', series: [{ key: 'loss', label: 'L_simple' }] },
];

/** The loss charts of a run of `family`. */
export const lossChartsFor = (family: 'gan' | 'diffusion'): readonly LossChartSpec[] => (family === 'diffusion' ? DIFFUSION_LOSS_CHARTS : LOSS_CHARTS);

/** Steps averaged by a chart's smoothed line. */
export const SMOOTHING_WINDOW = 25;

const byStep = (a: MetricPoint, b: MetricPoint): number => a.step - b.step;

/**
 * The recorded history with the live points after it: a live point replaces a recorded one of
 * the same step, and the result is in step order. (The recorded history may be thinned to
 * averages of groups of steps; live points are single steps past its end.)
 */
export function mergeMetrics(recorded: readonly MetricPoint[], live: readonly MetricPoint[]): MetricPoint[] {
  const lastRecorded = recorded.length > 0 ? recorded[recorded.length - 1]!.step : 0;
  return [...recorded, ...live.filter((point) => point.step > lastRecorded)].sort(byStep);
}

/**
 * The live buffer with one more point. A step at or before the buffer's last means the run went
 * back (resumed from an earlier checkpoint): the points from that step on are dropped first.
 */
export function appendLivePoint(live: readonly MetricPoint[], point: MetricPoint): MetricPoint[] {
  return [...live.filter((kept) => kept.step < point.step), point];
}

/** Live points the recorded history now covers are dropped (after `runs.get` answered again). */
export const trimLive = (live: readonly MetricPoint[], recorded: readonly MetricPoint[]): MetricPoint[] => {
  const lastRecorded = recorded.length > 0 ? recorded[recorded.length - 1]!.step : 0;
  return live.filter((point) => point.step > lastRecorded);
};

/** The trailing moving average over `window` values; gaps (null) are skipped and stay gaps. */
export function movingAverage(values: readonly (number | null)[], window: number): (number | null)[] {
  const out: (number | null)[] = [];
  let sum = 0;
  let count = 0;
  const queue: (number | null)[] = [];
  for (const value of values) {
    queue.push(value);
    if (value !== null) {
      sum += value;
      count += 1;
    }
    if (queue.length > window) {
      const dropped = queue.shift()!;
      if (dropped !== null) {
        sum -= dropped;
        count -= 1;
      }
    }
    out.push(value === null || count === 0 ? null : sum / count);
  }
  return out;
}

/** What a chart draws: the steps (x), and per series its values as stored and smoothed (null where a step lacks the figure). */
export interface ChartColumns {
  steps: number[];
  columns: { key: string; label: string; raw: (number | null)[]; smooth: (number | null)[] }[];
}

/** The columns of one chart from the merged history. */
export function chartColumns(points: readonly MetricPoint[], spec: LossChartSpec, window = SMOOTHING_WINDOW): ChartColumns {
  const steps = points.map((point) => point.step);
  const columns = spec.series.map((series) => {
    const raw = points.map((point) => {
      const value = point.metrics[series.key];
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    });
    return { key: series.key, label: series.label, raw, smooth: movingAverage(raw, window) };
  });
  return { steps, columns };
}

/** Whether any point has the figure (ConG is absent, or 0, when the run trains without it). */
export const hasFigure = (points: readonly MetricPoint[], key: string): boolean => points.some((point) => typeof point.metrics[key] === 'number');

/** The last value of a figure in the history, or null. */
export function lastFigure(points: readonly MetricPoint[], key: string): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const value = points[i]!.metrics[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

/** Tick spacings of the step axis: whole steps only. */
export const STEP_INCREMENTS: readonly number[] = [1, 2, 5].flatMap((base) => Array.from({ length: 8 }, (_, power) => base * 10 ** power)).sort((a, b) => a - b);

/** A step on an axis: as is under 10 000, then "12k", "1.5M". */
export function formatStep(step: number): string {
  if (Math.abs(step) >= 1e6) return `${Number((step / 1e6).toPrecision(3))}M`;
  if (Math.abs(step) >= 1e4) return `${Number((step / 1e3).toPrecision(3))}k`;
  return String(step);
}

/** A loss as the legend and the facts show it: three significant figures, or a dash. */
export function formatLoss(value: number | null): string {
  if (value === null) return '—';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1000 || magnitude < 0.001 ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
}
