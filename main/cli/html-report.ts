/**
 * What the HTML reports of `lafite demo` and `lafite ablation` share: escaping, the page
 * frame with its stylesheet, metric names and formats, and uPlot charts inlined (library and
 * stylesheet) so that one file opens in any browser without the app or a network.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** What each evaluation figure means, in the words of the Runs view. */
export const METRICS: Record<string, { label: string; about: string; percent?: boolean }> = {
  fdClip: { label: 'FD (CLIP features)', about: 'Fréchet distance between CLIP image features of generated and real pictures (lower is better)' },
  clipScore: { label: 'CLIP score', about: '100 · cosine of each picture with its prompt (higher is better)' },
  rPrecision: { label: 'R-precision', about: 'share of pictures whose prompt ranks first among 100 (chance 1 %)', percent: true },
  shapeAccuracy: { label: 'shape accuracy', about: 'the attribute classifier sees the asked shape (chance about 17 %)', percent: true },
  colorAccuracy: { label: 'color accuracy', about: 'the attribute classifier sees the asked color (chance 12.5 %)', percent: true },
  countAccuracy: { label: 'count accuracy', about: 'the attribute classifier counts the asked number (chance about 33 %)', percent: true },
  attributeAccuracy: { label: 'all three', about: 'shape, color and count all as asked', percent: true },
  fid: { label: 'FID', about: 'Fréchet distance between Inception-v3 features of generated and real pictures (lower is better)' },
  inceptionScore: { label: 'Inception Score', about: 'exp E KL(p(y|x) ‖ p(y)) of the generated pictures under Inception-v3 (higher is better)' },
  inceptionScoreStd: { label: 'Inception Score std', about: 'its standard deviation over 10 splits' },
};

/** A metric's label and meaning: from METRICS, FID-k (`fid4`) generically by its blur radius. */
export function metricInfo(key: string): { label: string; about: string; percent?: boolean } | undefined {
  const blurred = /^fid(\d+)$/.exec(key);
  if (!METRICS[key] && blurred) return { label: `FID-${blurred[1]}`, about: `FID with generated and real pictures blurred at radius ${blurred[1]} px (lower is better)` };
  return METRICS[key];
}

/** A metric's value as the reports print it (accuracies in percent). */
export const formatMetric = (key: string, value: number | undefined): string =>
  value === undefined ? '–' : METRICS[key]?.percent ? `${(value * 100).toFixed(1)} %` : value.toFixed(3);

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1d2430; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #dde2ea; }
table { border-collapse: collapse; } td, th { padding: .25rem .8rem; text-align: left; border-bottom: 1px solid #eef1f5; }
.pixel { image-rendering: pixelated; } .row img { width: 96px; height: 96px; margin-right: 4px; }
.prompts, .cards { display: flex; flex-wrap: wrap; gap: 1.2rem; } figure { margin: 0 0 1rem; }
.caption img { width: 96px; height: 96px; } .caption ol { margin: .2rem 0; padding-left: 1.2rem; font-size: .9rem; max-width: 300px; }
.score { color: #6b7484; font-size: .8rem; } .grid { width: min(100%, 800px); } .muted { color: #6b7484; }
`;

/** One line chart: x values, then named series; drawn by uPlot when the page opens. */
export interface Chart {
  id: string;
  xLabel: string;
  x: number[];
  series: { label: string; values: number[] }[];
  /** Log-scale x (e.g. caption counts 10, 100, 1000). */
  logX?: boolean;
}

const COLORS = ['#c0392b', '#2874a6', '#1e8449', '#8e44ad', '#d68910', '#566573'];

/** The whole page: `body` (HTML), then the charts' scripts. */
export async function htmlPage(title: string, body: string, charts: readonly Chart[] = []): Promise<string> {
  const require = createRequire(import.meta.url);
  const [uplotJs, uplotCss] =
    charts.length > 0
      ? await Promise.all([readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')])
      : ['', ''];
  const scripts =
    charts.length === 0
      ? ''
      : `<script>${uplotJs}</script>
<script>
const charts = ${JSON.stringify(charts)};
const colors = ${JSON.stringify(COLORS)};
for (const chart of charts) {
  new uPlot({ width: Math.min(1000, document.body.clientWidth), height: 320, scales: { x: { time: false, distr: chart.logX ? 3 : 1 } },
    axes: [{ label: chart.xLabel }, {}],
    series: [{ label: chart.xLabel }, ...chart.series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 2, points: { show: chart.x.length < 20 } }))] },
    [chart.x, ...chart.series.map((s) => s.values)], document.getElementById(chart.id));
}
</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${uplotCss}${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
${body}
${scripts}
</body></html>
`;
}
