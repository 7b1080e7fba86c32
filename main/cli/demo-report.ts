/**
 * The demo's HTML report: one self-contained file (pictures as data URLs, uPlot inlined by
 * html-report.ts) that opens in any browser without the app or a network: what was done
 * and how long each stage took, pseudo-caption examples, the metrics, four pictures per
 * prompt, the sample grids over training, and the loss curves; with a run of the other model
 * family on the same data, both families side by side on the same prompts.
 */
import type { EvaluationRecord, RunDetail, TrainFamily } from '../contract/index.ts';
import type { DemoSide } from './demo-compare.ts';
import { escapeHtml, formatMetric, htmlPage, metricInfo, type Chart } from './html-report.ts';
import type { DiffusionSampling, StageTime } from './shapes-pipeline.ts';

export interface DemoReport {
  title: string;
  createdAt: string;
  backend: string;
  /** The model family trained: the conditional StyleGAN2 or the diffusion UNet. */
  family: TrainFamily;
  /** How the diffusion run was sampled (DDIM, η 0); null for a GAN. */
  sampling: DiffusionSampling | null;
  dataset: { name: string; images: number; folder: string };
  /** `init`: the pre-trained run it was fine-tuned from (the built-in shapes-pretrained) and that run's steps; absent: trained from noise. */
  training: { run: string; steps: number; minutes: number; imagesPerSecond: number; pseudo: string; init?: { run: string; steps: number } };
  pseudoRuns: { method: string; summary: Record<string, number> | null; imageText: number | null; textText: number | null }[];
  /** Training pictures with the prompts retrieval found for them (data URL of the crop). */
  captions: { image: string; file: string; prompts: { prompt: string; score: number }[] }[];
  evaluation: EvaluationRecord;
  /** Four generated pictures (data URLs) per report prompt. */
  prompts: { prompt: string; images: string[] }[];
  grids: { step: number; png: string; labels: string[] }[];
  losses: RunDetail['metrics'];
  stages: StageTime[];
  /** This run and the other family's demo run on the same data, on the same prompts and seeds; null without one. */
  comparison: { own: DemoSide; other: DemoSide } | null;
}

const FAMILY_NAMES: Record<TrainFamily, string> = { gan: 'GAN (conditional StyleGAN2)', diffusion: 'diffusion (CLIP-conditioned UNet)' };

const figure = formatMetric;

function metricsTable(evaluation: EvaluationRecord): string {
  const rows = Object.entries(evaluation.metrics).map(
    ([key, value]) => `<tr><th>${escapeHtml(metricInfo(key)?.label ?? key)}</th><td>${figure(key, value)}</td><td>${escapeHtml(metricInfo(key)?.about ?? '')}</td></tr>`,
  );
  return `<p>Step ${evaluation.step}, ${evaluation.images} pictures, one per held-out caption of the validation split.</p><table>${rows.join('')}</table>`;
}

function stagesTable(stages: readonly StageTime[]): string {
  const total = stages.reduce((sum, s) => sum + s.seconds, 0);
  return `<table>${stages.map((s) => `<tr><td>${escapeHtml(s.stage)}</td><td>${s.seconds.toFixed(1)} s</td></tr>`).join('')}<tr><th>total</th><th>${(total / 60).toFixed(1)} min</th></tr></table>`;
}

function captionsSection(captions: DemoReport['captions']): string {
  if (captions.length === 0) return '<p>No retrieval run.</p>';
  const cards = captions.map(
    (c) =>
      `<figure class="caption"><img src="${c.image}" alt="${escapeHtml(c.file)}"><figcaption><ol>${c.prompts
        .slice(0, 3)
        .map((p) => `<li>${escapeHtml(p.prompt)} <span class="score">${p.score.toFixed(3)}</span></li>`)
        .join('')}</ol></figcaption></figure>`,
  );
  return `<div class="cards">${cards.join('')}</div>`;
}

function pseudoTable(runs: DemoReport['pseudoRuns']): string {
  const mean = (v: number | null) => (v === null ? '–' : v.toFixed(3));
  return `<table><tr><th>method</th><th>mean image–text cosine</th><th>mean text–text cosine</th></tr>${runs.map((r) => `<tr><td>${escapeHtml(r.method)}</td><td>${mean(r.imageText)}</td><td>${mean(r.textText)}</td></tr>`).join('')}</table>`;
}

const promptsSection = (prompts: DemoReport['prompts']): string =>
  `<div class="prompts">${prompts.map((p) => `<figure><figcaption>${escapeHtml(p.prompt)}</figcaption><div class="row">${p.images.map((src) => `<img class="pixel" src="${src}" alt="${escapeHtml(p.prompt)}">`).join('')}</div></figure>`).join('')}</div>`;

const gridsSection = (grids: DemoReport['grids']): string =>
  grids
    .map(
      (g) =>
        `<figure><figcaption>step ${g.step}: ${g.labels.map(escapeHtml).join(' · ')}</figcaption><img class="pixel grid" src="${g.png}" alt="sample grid at step ${g.step}"></figure>`,
    )
    .join('');

/** Loss series per step. */
function lossData(losses: RunDetail['metrics']): Pick<Chart, 'x' | 'series'> {
  const names = ['dLoss', 'gLoss', 'conDReal', 'conG', 'loss'].filter((name) => losses.some((row) => row.metrics[name] !== undefined));
  return { x: losses.map((row) => row.step), series: names.map((name) => ({ label: name, values: losses.map((row) => row.metrics[name] ?? Number.NaN) })) };
}

/** The figures the comparison puts side by side, first the main one. */
const COMPARED_METRICS = ['attributeAccuracy', 'shapeAccuracy', 'colorAccuracy', 'countAccuracy', 'fdClip', 'clipScore'] as const;

/** A side in words: its family and run, how it started and how long it trained, how it samples. */
const sideLabel = (side: DemoSide): string =>
  [
    `${FAMILY_NAMES[side.family]}, run ${side.run.slice(0, 8)}: `,
    side.init ? `fine-tuned from ${side.init}` : 'trained from noise',
    side.minutes === null ? ` to step ${side.steps}` : ` for ${side.minutes} min (step ${side.steps})`,
    side.sampling ? `, sampled with ${side.sampling.steps} DDIM steps at guidance ${side.sampling.guidance}` : '',
  ].join('');

/** Both families on the same prompts: the metrics on the same held-out prompts, then each report prompt's pictures, GAN first. */
function comparisonSection(comparison: NonNullable<DemoReport['comparison']>): string {
  const sides = [comparison.own, comparison.other].sort((a, b) => (a.family === 'gan' ? -1 : b.family === 'gan' ? 1 : 0));
  const head = `<tr><th>figure</th>${sides.map((side) => `<th data-family="${side.family}">${escapeHtml(FAMILY_NAMES[side.family])}</th>`).join('')}</tr>`;
  const rows = COMPARED_METRICS.filter((key) => sides.every((side) => side.evaluation.metrics[key] !== undefined)).map(
    (key) => `<tr><th>${escapeHtml(metricInfo(key)?.label ?? key)}</th>${sides.map((side) => `<td>${figure(key, side.evaluation.metrics[key])}</td>`).join('')}</tr>`,
  );
  const about = sides.map((side) => `<li>${escapeHtml(sideLabel(side))}</li>`).join('');
  const start =
    sides.some((side) => side.init !== null) && sides.some((side) => side.init === null)
      ? ' One starts from a pre-trained run and the other from noise: a head start, not only a difference of model.'
      : '';
  const pictures = sides[0]!.prompts.map((p, i) => {
    const cells = sides
      .map(
        (side) =>
          `<td class="row">${(side.prompts[i]?.images ?? []).map((src) => `<img class="pixel" src="${src}" alt="${escapeHtml(`${p.prompt}, ${side.family}`)}">`).join('')}</td>`,
      )
      .join('');
    return `<tr><th>${escapeHtml(p.prompt)}</th>${cells}</tr>`;
  });
  const picturesHead = `<tr><th>prompt</th>${sides.map((side) => `<th>${escapeHtml(FAMILY_NAMES[side.family])}</th>`).join('')}</tr>`;
  return `<p>Both model families trained on the same dataset and CLO pseudo text features, measured on the same ${comparison.own.evaluation.images} held-out prompts with the same seed, and drawing the same prompts with the same seeds.${start}</p><ul>${about}</ul>
<table class="compare-metrics">${head}${rows.join('')}</table>
<table class="compare-prompts">${picturesHead}${pictures.join('')}</table>`;
}

/** What was trained, in a paragraph. */
function trainingParagraph(report: DemoReport): string {
  const t = report.training;
  const model =
    report.family === 'diffusion'
      ? `Lafite2's diffusion model (a CLIP-conditioned UNet, preset <code>shapes</code>, 32 px; pictures drawn with ${report.sampling?.steps ?? '–'} DDIM steps at guidance ${report.sampling?.guidance ?? '–'})`
      : 'A conditional StyleGAN2 (preset <code>shapes</code>, 32 px)';
  const start = t.init
    ? `It was fine-tuned from the pre-trained generator <code>${escapeHtml(t.init.run)}</code> (${t.init.steps.toLocaleString('en')} steps of language-free pre-training on ShapesWorld, Lafite2's use of a pre-trained model), for `
    : `It trained from noise${report.family === 'diffusion' ? ' (no pre-trained diffusion run ships)' : ''} for `;
  return `<p>${model} trained <strong>without captions</strong> on ${report.dataset.images} ShapesWorld pictures
(dataset <code>${escapeHtml(report.dataset.name)}</code>), conditioned on ${escapeHtml(t.pseudo.toUpperCase())} pseudo text features (Lafite2): words and prompts retrieved with shapes-clip, then moved towards their image by contrastive latent optimization.
${start}${t.steps} steps in ${t.minutes} min (${t.imagesPerSecond.toFixed(1)} images/s). Run <code>${escapeHtml(t.run)}</code> is in the app: Training, Playground and Runs.</p>`;
}

export async function writeDemoReport(report: DemoReport): Promise<string> {
  const losses = lossData(report.losses);
  const other = report.family === 'gan' ? 'diffusion' : 'gan';
  const comparison = report.comparison
    ? `<h2 id="families">GAN and diffusion on the same prompts</h2>${comparisonSection(report.comparison)}`
    : `<p class="muted">Run <code>lafite demo --family ${other}</code> on the same data folder to see both model families side by side on the same prompts.</p>`;
  const body = `<p class="muted">${escapeHtml(report.createdAt)} · backend ${escapeHtml(report.backend)}</p>
${trainingParagraph(report)}
<h2>Pictures for prompts</h2>${promptsSection(report.prompts)}
<h2>Metrics</h2>${metricsTable(report.evaluation)}
${comparison}
<h2>Pseudo captions (retrieval)</h2><p>The prompts Lafite2's retrieval found for training pictures, best first, with their cosine to the picture.</p>${captionsSection(report.captions)}
<h3>Pseudo text features</h3>${pseudoTable(report.pseudoRuns)}
<h2>Losses</h2><div id="losses"></div>
<h2>Sample grids over training</h2><p>Fixed prompts (columns) and seeds (rows)${report.family === 'gan' ? ' from the generator average' : ', denoised by the EMA UNet'}.</p>${gridsSection(report.grids)}
<h2>Stages</h2>${stagesTable(report.stages)}`;
  return htmlPage(report.title, body, [{ id: 'losses', xLabel: 'step', x: losses.x, series: losses.series }]);
}
