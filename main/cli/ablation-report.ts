/**
 * The ablation's report (`lafite ablation`): Lafite2's Tables 6 and 7 as a Markdown table, an
 * HTML table and plots of accuracy against caption pairs. Rows are the pre-trainings; with
 * several model families (`--families gan,diffusion`) each pre-training has one row per family,
 * next to each other, every cell measured on the same held-out prompts and seeds.
 *
 * @example
 *   ablationMarkdown(cells, [null, 0, 10]);   // | pre-training | pre-trained | fine-tuned, no captions | fine-tuned, 10 captions |
 */
import type { EvaluationRecord, TrainFamily } from '../contract/index.ts';
import { escapeHtml, formatMetric, metricInfo, type Chart } from './html-report.ts';

/** Table 6's rows: what the generator is pre-trained on. */
export const PRETRAININGS: { id: string; label: string; pseudo: 'gaussian' | 'retrieval' | 'clo'; scheduled?: true }[] = [
  { id: 'gaussian', label: 'Gaussian perturbation (Lafite)', pseudo: 'gaussian' },
  { id: 'retrieval', label: 'retrieval (Lafite2 §3.1)', pseudo: 'retrieval' },
  { id: 'clo', label: 'CLO (Lafite2 §3.2)', pseudo: 'clo' },
  // Gaussian first, then retrieval-initialised CLO features taking over (Lafite2 §3.3's schedule).
  { id: 'all', label: 'all three (Gaussian → retrieval + CLO)', pseudo: 'clo', scheduled: true },
];

/** How each family reads in the table. */
export const FAMILY_LABELS: Record<TrainFamily, string> = { gan: 'GAN', diffusion: 'diffusion' };

/** One cell: a family's pre-training, then a fine-tune (null: none, 0: no captions, N: N caption pairs). */
export interface AblationCell {
  /** The model family trained (`gan`: the conditional StyleGAN2; `diffusion`: the CLIP-conditioned UNet). */
  family: TrainFamily;
  pretraining: string;
  captions: number | null;
  run: string;
  steps: number;
  metrics: EvaluationRecord['metrics'];
}

/** The figures the HTML table shows, first the main one. */
const TABLE_METRICS = ['attributeAccuracy', 'shapeAccuracy', 'colorAccuracy', 'fdClip', 'clipScore'] as const;

/** The plots: one accuracy (in %) against caption pairs each. */
export const CHARTS = ['shapeAccuracy', 'colorAccuracy', 'attributeAccuracy'] as const;

export const columnName = (captions: number | null): string =>
  captions === null ? 'pre-trained' : captions === 0 ? 'fine-tuned, no captions' : `fine-tuned, ${captions} captions`;

/** The table's rows in order: each pre-training that has cells, then each family it was trained as (in the cells' order). */
function tableRows(cells: readonly AblationCell[]): { pretraining: (typeof PRETRAININGS)[number]; family: TrainFamily }[] {
  const families = [...new Set(cells.map((c) => c.family))];
  return PRETRAININGS.flatMap((pretraining) =>
    families.filter((family) => cells.some((c) => c.pretraining === pretraining.id && c.family === family)).map((family) => ({ pretraining, family })),
  );
}

/** Whether the cells come from more than one family (then the tables have a family column). */
const severalFamilies = (cells: readonly AblationCell[]): boolean => new Set(cells.map((c) => c.family)).size > 1;

const cellOf = (cells: readonly AblationCell[], pretraining: string, family: TrainFamily, captions: number | null): AblationCell | undefined =>
  cells.find((c) => c.pretraining === pretraining && c.family === family && c.captions === captions);

/** Markdown table: rows are pre-trainings (one per family when there are several), columns the fine-tunes, each cell "all three (shape, color, FD)". */
export function ablationMarkdown(cells: readonly AblationCell[], columns: readonly (number | null)[]): string {
  const several = severalFamilies(cells);
  const family = several ? ' family |' : '';
  const header = `| pre-training |${family} ${columns.map(columnName).join(' | ')} |`;
  const rule = `| --- |${several ? ' --- |' : ''} ${columns.map(() => '---').join(' | ')} |`;
  const rows = tableRows(cells).map((row) => {
    const figures = columns.map((captions) => {
      const cell = cellOf(cells, row.pretraining.id, row.family, captions);
      if (!cell) return '–';
      const m = cell.metrics;
      return `${formatMetric('attributeAccuracy', m.attributeAccuracy)} (shape ${formatMetric('shapeAccuracy', m.shapeAccuracy)}, color ${formatMetric('colorAccuracy', m.colorAccuracy)}, FD ${m.fdClip.toFixed(3)})`;
    });
    return `| ${row.pretraining.label} |${several ? ` ${FAMILY_LABELS[row.family]} |` : ''} ${figures.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** HTML table: per pre-training (and family) five figures, one row each; the columns are the fine-tunes. */
export function ablationHtmlTable(cells: readonly AblationCell[], columns: readonly (number | null)[]): string {
  const several = severalFamilies(cells);
  const head = `<tr><th>pre-training</th>${several ? '<th>family</th>' : ''}<th>figure</th>${columns.map((c) => `<th>${escapeHtml(columnName(c))}</th>`).join('')}</tr>`;
  const rows = tableRows(cells);
  const body = rows.flatMap((row, r) =>
    TABLE_METRICS.map((key, i) => {
      const values = columns.map((captions) => {
        const cell = cellOf(cells, row.pretraining.id, row.family, captions);
        return `<td>${cell ? formatMetric(key, cell.metrics[key]) : '–'}</td>`;
      });
      const firstOfPretraining = i === 0 && rows[r - 1]?.pretraining !== row.pretraining;
      const span = rows.filter((other) => other.pretraining === row.pretraining).length * TABLE_METRICS.length;
      const pretraining = firstOfPretraining ? `<th rowspan="${span}">${escapeHtml(row.pretraining.label)}</th>` : '';
      const family = several && i === 0 ? `<th rowspan="${TABLE_METRICS.length}" data-family="${row.family}">${escapeHtml(FAMILY_LABELS[row.family])}</th>` : '';
      return `<tr>${pretraining}${family}<td>${escapeHtml(metricInfo(key)!.label)}</td>${values.join('')}</tr>`;
    }),
  );
  return `<table>${head}${body.join('')}</table>`;
}

/** A plot of one accuracy (in %) against caption pairs, one line per pre-training and family (no captions drawn at 1 on the log axis). */
export function accuracyChart(cells: readonly AblationCell[], pairs: readonly number[], key: (typeof CHARTS)[number]): Chart {
  const several = severalFamilies(cells);
  return {
    id: key,
    xLabel: 'caption pairs in fine-tuning (1 = none)',
    logX: true,
    x: [1, ...pairs],
    series: tableRows(cells).map((row) => ({
      label: several ? `${row.pretraining.label} · ${FAMILY_LABELS[row.family]}` : row.pretraining.label,
      values: [0, ...pairs].map((captions) => (cellOf(cells, row.pretraining.id, row.family, captions)?.metrics[key] ?? Number.NaN) * 100),
    })),
  };
}
