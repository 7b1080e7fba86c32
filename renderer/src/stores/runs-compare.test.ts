import { describe, expect, it } from 'vitest';
import { bestFigures, compareRows, COMPARE_METRICS, formatAxisFigure, formatFigure, latestEvaluations, metricSeries, promptSource, visibleMetrics } from './runs-compare.ts';
import { evaluation, runSummary } from './testing/run-records.ts';

const A = 'aaaa0000-0001';
const B = 'bbbb0000-0002';

describe('runs comparison', () => {
  const evaluations = [
    evaluation(A, 8, 1, { fdClip: 2, clipScore: 20 }),
    evaluation(A, 4, 2, { fdClip: 3, clipScore: 18 }), // made later, but of an earlier step
    evaluation(A, 8, 3, { fdClip: 1.5, clipScore: 21 }), // the same step again: the newest counts
    evaluation(B, 6, 4, { fdClip: 1, clipScore: 19, rPrecision: 0.4 }),
  ];

  it('takes the newest evaluation of the latest step as a run’s figures', () => {
    const latest = latestEvaluations(evaluations);
    expect(latest.get(A)?.id).toBe(`${A}-8-3`);
    expect(latest.get(B)?.id).toBe(`${B}-6-4`);
  });

  it('makes one row per run, in the runs’ order, with a dash where a figure is missing', () => {
    const rows = compareRows([runSummary(B), runSummary(A), runSummary('cccc0000-0003')], evaluations);
    expect(rows.map((row) => row.run.id)).toEqual([B, A, 'cccc0000-0003']);
    expect(rows[1]!.figures).toEqual({ fdClip: 1.5, fid: null, clipScore: 21, rPrecision: null, attributeAccuracy: null });
    expect(rows[1]!.evaluations).toBe(3);
    expect(rows[2]!.latest).toBeNull();
    expect(rows[2]!.figures.fdClip).toBeNull();
  });

  it('finds the best of each column: the lowest FD, the highest of the others, none with one value', () => {
    const rows = compareRows([runSummary(A), runSummary(B)], evaluations);
    const best = bestFigures(rows, COMPARE_METRICS);
    expect(best).toEqual({ fdClip: 1, fid: null, clipScore: 21, rPrecision: null, attributeAccuracy: null });
  });

  it('shows attribute accuracy only when an evaluation has it', () => {
    expect(visibleMetrics(evaluations).map((metric) => metric.key)).toEqual(['fdClip', 'clipScore', 'rPrecision']);
    const withAttributes = [...evaluations, evaluation(B, 8, 5, { attributeAccuracy: 0.25 })];
    expect(visibleMetrics(withAttributes).map((metric) => metric.key)).toEqual(['fdClip', 'clipScore', 'rPrecision', 'attributeAccuracy']);
  });

  it('shows FID only when an evaluation has it (one with an Inception model), lower being better', () => {
    const withFid = [...evaluations, evaluation(A, 10, 6, { fdClip: 1.2, clipScore: 22, fid: 40 }), evaluation(B, 10, 7, { fdClip: 1.1, clipScore: 20, fid: 35 })];
    expect(visibleMetrics(withFid).map((metric) => metric.key)).toEqual(['fdClip', 'fid', 'clipScore', 'rPrecision']);
    const rows = compareRows([runSummary(A), runSummary(B)], withFid);
    expect(rows.map((row) => row.figures.fid)).toEqual([40, 35]);
    expect(bestFigures(rows, visibleMetrics(withFid)).fid).toBe(35);
  });

  it('gives each chart the union of steps and one line per run, gaps where a run was not evaluated', () => {
    expect(metricSeries(evaluations, [A, B], 'fdClip')).toEqual({
      steps: [4, 6, 8],
      lines: [
        { run: A, values: [3, null, 1.5] },
        { run: B, values: [null, 1, null] },
      ],
    });
    expect(metricSeries(evaluations, [A], 'rPrecision')).toEqual({ steps: [], lines: [{ run: A, values: [] }] });
    expect(metricSeries(evaluations, [], 'fdClip')).toEqual({ steps: [], lines: [] });
  });

  it('formats shares as percentages and the rest with three figures', () => {
    expect(formatFigure('fdClip', 1.76459)).toBe('1.76');
    expect(formatFigure('rPrecision', 0.4)).toBe('40.0 %');
    expect(formatFigure('clipScore', null)).toBe('—');
  });

  it('names the prompts an evaluation was measured on: the captions, or the prompt file', () => {
    expect(promptSource({ prompts: null })).toBe('the dataset’s captions');
    expect(promptSource({ prompts: { file: '/home/me/held-out.txt', count: 12 } })).toBe('12 prompts of held-out.txt');
    expect(promptSource({ prompts: { file: 'C:\\prompts\\one.txt', count: 1 } })).toBe('1 prompt of one.txt');
    expect(promptSource({ prompts: { file: null, count: 3 } })).toBe('3 prompts of a given list');
  });

  it('labels a share axis in percentages only as fine as its ticks (not "000.0 %")', () => {
    expect([0, 0.02, 0.04].map((v) => formatAxisFigure('attributeAccuracy', v, 0.02))).toEqual(['0%', '2%', '4%']);
    expect([0.8, 0.825, 0.85].map((v) => formatAxisFigure('rPrecision', v, 0.025))).toEqual(['80.0%', '82.5%', '85.0%']);
    expect(formatAxisFigure('attributeAccuracy', 1, 0.1)).toBe('100%');
    expect(formatAxisFigure('fdClip', 1.234, 0.5)).toBe(formatFigure('fdClip', 1.234));
  });
});
