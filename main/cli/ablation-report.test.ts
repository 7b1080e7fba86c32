/**
 * The ablation's tables and plots with one family (the table as before: no family column) and
 * with two (a family column, each pre-training's rows side by side, one plot line per row).
 */
import { describe, expect, it } from 'vitest';
import type { TrainFamily } from '../contract/index.ts';
import { ablationHtmlTable, ablationMarkdown, accuracyChart, type AblationCell } from './ablation-report.ts';

const metrics = (accuracy: number): AblationCell['metrics'] => ({
  attributeAccuracy: accuracy,
  shapeAccuracy: accuracy + 0.1,
  colorAccuracy: accuracy + 0.2,
  fdClip: 0.5,
  clipScore: 0.3,
  rPrecision: 0.2,
});

function cells(families: TrainFamily[], pretrainings = ['gaussian', 'clo']): AblationCell[] {
  return families.flatMap((family, f) =>
    pretrainings.flatMap((pretraining) =>
      [null, 0, 5].map((captions) => ({ family, pretraining, captions, run: `${family}-${pretraining}-${captions}`, steps: 10, metrics: metrics(0.1 * (f + 1)) })),
    ),
  );
}

describe('ablation report', () => {
  it('keeps the one-family table as it was: no family column, one row per pre-training', () => {
    const markdown = ablationMarkdown(cells(['gan']), [null, 0, 5]).split('\n');
    expect(markdown[0]).toBe('| pre-training | pre-trained | fine-tuned, no captions | fine-tuned, 5 captions |');
    expect(markdown).toHaveLength(2 + 2);
    expect(markdown[2]).toMatch(/^\| Gaussian perturbation \(Lafite\) \| 10\.0 %/);
    expect(ablationHtmlTable(cells(['gan']), [null, 0, 5])).not.toContain('<th>family</th>');
  });

  it('gives each pre-training one row per family, side by side, with a family column', () => {
    const all = cells(['gan', 'diffusion']);
    const markdown = ablationMarkdown(all, [null, 0, 5]).split('\n');
    expect(markdown[0]).toBe('| pre-training | family | pre-trained | fine-tuned, no captions | fine-tuned, 5 captions |');
    expect(markdown[1]).toBe('| --- | --- | --- | --- | --- |');
    expect(markdown.slice(2).map((line) => line.split(' | ').slice(0, 2).join(' | '))).toEqual([
      '| Gaussian perturbation (Lafite) | GAN',
      '| Gaussian perturbation (Lafite) | diffusion',
      '| CLO (Lafite2 §3.2) | GAN',
      '| CLO (Lafite2 §3.2) | diffusion',
    ]);
    expect(markdown[3]).toContain('20.0 %'); // the diffusion cells' own figures
    const html = ablationHtmlTable(all, [null, 0, 5]);
    expect(html.match(/<tr>/g)).toHaveLength(1 + 2 * 2 * 5); // header, then five figures per pre-training and family
    expect(html.match(/rowspan="10"/g)).toHaveLength(2); // a pre-training spans both families
    expect(html.match(/data-family="diffusion"/g)).toHaveLength(2);
  });

  it('plots one line per pre-training and family', () => {
    const chart = accuracyChart(cells(['gan', 'diffusion'], ['clo']), [5], 'attributeAccuracy');
    expect(chart.series.map((s) => s.label)).toEqual(['CLO (Lafite2 §3.2) · GAN', 'CLO (Lafite2 §3.2) · diffusion']);
    expect(chart.series[1]!.values.map((v) => Math.round(v))).toEqual([20, 20]);
  });
});
