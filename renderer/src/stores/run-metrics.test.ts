import { describe, expect, it } from 'vitest';
import {
  appendLivePoint,
  chartColumns,
  formatLoss,
  formatStep,
  STEP_INCREMENTS,
  hasFigure,
  lastFigure,
  LOSS_CHARTS,
  mergeMetrics,
  movingAverage,
  trimLive,
  type MetricPoint,
} from './run-metrics.ts';

const point = (step: number, dLoss: number, extra: Record<string, number> = {}): MetricPoint => ({ step, metrics: { dLoss, ...extra } });

describe('run metrics', () => {
  it('puts the live steps after the recorded history, a live step replacing nothing it covers', () => {
    const recorded = [point(1, 1), point(2, 0.9)];
    const live = [point(2, 5), point(3, 0.8), point(4, 0.7)];
    expect(mergeMetrics(recorded, live).map((p) => [p.step, p.metrics.dLoss])).toEqual([
      [1, 1],
      [2, 0.9],
      [3, 0.8],
      [4, 0.7],
    ]);
    expect(mergeMetrics([], live).map((p) => p.step)).toEqual([2, 3, 4]);
    expect(trimLive(live, [point(3, 0)]).map((p) => p.step)).toEqual([4]);
  });

  it('drops the live points from a step on when the run goes back to an earlier checkpoint', () => {
    let live: MetricPoint[] = [];
    for (const step of [1, 2, 3, 4]) live = appendLivePoint(live, point(step, step));
    expect(live.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    live = appendLivePoint(live, point(3, 30)); // resumed from the checkpoint at step 2
    expect(live.map((p) => [p.step, p.metrics.dLoss])).toEqual([
      [1, 1],
      [2, 2],
      [3, 30],
    ]);
  });

  it('averages over a trailing window, skipping gaps', () => {
    expect(movingAverage([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
    expect(movingAverage([1, null, 3], 3)).toEqual([1, null, 2]);
    expect(movingAverage([], 5)).toEqual([]);
  });

  it('gives each chart its steps and, per series, the values and their mean (null where a step lacks one)', () => {
    const conD = LOSS_CHARTS.find((spec) => spec.id === 'con-d')!;
    const points = [point(1, 1, { conDReal: 2, conDFake: 4 }), point(2, 1, { conDReal: 4 }), point(3, 1, { conDReal: Number.NaN, conDFake: 2 })];
    const { steps, columns } = chartColumns(points, conD, 2);
    expect(steps).toEqual([1, 2, 3]);
    expect(columns.map((c) => c.key)).toEqual(['conDReal', 'conDFake']);
    expect(columns[0]).toMatchObject({ raw: [2, 4, null], smooth: [2, 3, null] });
    expect(columns[1]).toMatchObject({ raw: [4, null, 2], smooth: [4, null, 2] });
    expect(LOSS_CHARTS.map((spec) => spec.title)).toEqual(['L_D', 'L_G', 'ConD', 'ConG']);
  });

  it('reads the last value of a figure and writes losses with three significant figures', () => {
    const points = [point(1, 0.5, { conG: 1 }), point(2, 0.25)];
    expect(lastFigure(points, 'dLoss')).toBe(0.25);
    expect(lastFigure(points, 'conG')).toBe(1);
    expect(lastFigure(points, 'gLoss')).toBeNull();
    expect(hasFigure(points, 'conG')).toBe(true);
    expect(hasFigure(points, 'gLoss')).toBe(false);
    expect([formatLoss(1.23456), formatLoss(0), formatLoss(null), formatLoss(12345), formatLoss(-0.5)]).toEqual(['1.23', '0', '—', '1.23e+4', '-0.5']);
    expect([formatStep(16), formatStep(9999), formatStep(12_000), formatStep(1_500_000)]).toEqual(['16', '9999', '12k', '1.5M']);
    expect(STEP_INCREMENTS.slice(0, 5)).toEqual([1, 2, 5, 10, 20]);
    expect(STEP_INCREMENTS.every(Number.isInteger)).toBe(true);
  });
});
