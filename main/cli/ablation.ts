/**
 * `lafite ablation` (`npm run ablation`): Lafite2's Tables 6 and 7 on ShapesWorld, bounded in
 * time. Pre-train the `shapes` preset language-free on each kind of pseudo text feature
 * (Gaussian perturbation as Lafite, retrieval, CLO, and all three: Gaussian first, then
 * retrieval features refined by CLO brought in by a schedule), then fine-tune each pre-trained
 * generator with no captions (on its own pseudo features) and with a few real captions
 * (10, 100, 1000 pairs, Freeze-D), and evaluate every generator on the same held-out prompts.
 * Writes the table as Markdown and HTML (with a plot) and the figures as JSON.
 *
 * @example
 *   lafite ablation --quick                      # about 20 minutes on a laptop CPU
 *   lafite ablation --pretrain-minutes 10 --finetune-minutes 3 --pairs 10,100,1000
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { EvaluationRecord } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import type { Service } from '../api/service.ts';
import { integer, number, type CliContext } from './context.ts';
import { escapeHtml, formatMetric, htmlPage, metricInfo, type Chart } from './html-report.ts';
import { printResult } from './output.ts';
import { ShapesPipeline, type TrainPlan } from './shapes-pipeline.ts';

/** Table 6's rows: what the generator is pre-trained on. */
export const PRETRAININGS: { id: string; label: string; pseudo: 'gaussian' | 'retrieval' | 'clo'; scheduled?: true }[] = [
  { id: 'gaussian', label: 'Gaussian perturbation (Lafite)', pseudo: 'gaussian' },
  { id: 'retrieval', label: 'retrieval (Lafite2 §3.1)', pseudo: 'retrieval' },
  { id: 'clo', label: 'CLO (Lafite2 §3.2)', pseudo: 'clo' },
  // Gaussian first, then retrieval-initialised CLO features taking over (Lafite2 §3.3's schedule).
  { id: 'all', label: 'all three (Gaussian → retrieval + CLO)', pseudo: 'clo', scheduled: true },
];

/**
 * The pre-training of a row. "All three" moves from Gaussian to CLO features over the first
 * half of the budget, counted at about one step a second (the `shapes` preset's speed on a
 * laptop CPU; a faster machine reaches CLO sooner and trains on it longer).
 */
function pretrainPlan(p: (typeof PRETRAININGS)[number], minutes: number): Partial<TrainPlan> {
  return { pseudo: p.pseudo, ...(p.scheduled ? { schedule: { kind: 'linear', startStep: 0, endStep: Math.max(10, Math.round(30 * minutes)) } } : {}) };
}

/** The figures the table shows, first the main one. */
const TABLE_METRICS = ['attributeAccuracy', 'shapeAccuracy', 'colorAccuracy', 'fdClip', 'clipScore'] as const;

interface AblationOptions {
  quick: boolean;
  pretrainMinutes?: number;
  finetuneMinutes?: number;
  pairs?: string;
  images?: number;
  evalImages?: number;
  folder?: string;
  out?: string;
  preset: string;
  seed: number;
}

const PLANS = {
  full: { dataset: 'shapes-ablation', images: 2000, pretrainMinutes: 5, finetuneMinutes: 1.5, pairs: [10, 100, 1000], evalImages: 200 },
  quick: { dataset: 'shapes-ablation-quick', images: 600, pretrainMinutes: 1.5, finetuneMinutes: 0.5, pairs: [10, 100], evalImages: 100 },
} as const;

/** One cell: a pre-training, then a fine-tune (null: none, 0: no captions, N: N caption pairs). */
export interface AblationCell {
  pretraining: string;
  captions: number | null;
  run: string;
  steps: number;
  metrics: EvaluationRecord['metrics'];
}

export interface AblationResult {
  dataset: string;
  cells: AblationCell[];
  minutes: { pretrain: number; finetune: number };
  markdown: string;
  report: string;
  seconds: number;
}

const columnName = (captions: number | null): string => (captions === null ? 'pre-trained' : captions === 0 ? 'fine-tuned, no captions' : `fine-tuned, ${captions} captions`);

/** Markdown table: rows are pre-trainings, columns the fine-tunes, each cell "all three / shape / color". */
export function ablationMarkdown(cells: readonly AblationCell[], columns: readonly (number | null)[]): string {
  const header = `| pre-training | ${columns.map(columnName).join(' | ')} |`;
  const rule = `| --- | ${columns.map(() => '---').join(' | ')} |`;
  const rows = PRETRAININGS.filter((p) => cells.some((c) => c.pretraining === p.id)).map((p) => {
    const figures = columns.map((captions) => {
      const cell = cells.find((c) => c.pretraining === p.id && c.captions === captions);
      if (!cell) return '–';
      const m = cell.metrics;
      return `${formatMetric('attributeAccuracy', m.attributeAccuracy)} (shape ${formatMetric('shapeAccuracy', m.shapeAccuracy)}, color ${formatMetric('colorAccuracy', m.colorAccuracy)}, FD ${m.fdClip.toFixed(3)})`;
    });
    return `| ${p.label} | ${figures.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

function parsePairs(text: string | undefined, fallback: readonly number[]): number[] {
  if (text === undefined) return [...fallback];
  const pairs = text.split(',').map(Number);
  if (pairs.some((n) => !Number.isInteger(n) || n < 1)) throw invalidInput(`--pairs '${text}': write caption counts like 10,100,1000`, 'pairs');
  return pairs;
}

function htmlTable(cells: readonly AblationCell[], columns: readonly (number | null)[]): string {
  const head = `<tr><th>pre-training</th><th>figure</th>${columns.map((c) => `<th>${escapeHtml(columnName(c))}</th>`).join('')}</tr>`;
  const rows = PRETRAININGS.flatMap((p) =>
    TABLE_METRICS.map((key, i) => {
      const values = columns.map((captions) => {
        const cell = cells.find((c) => c.pretraining === p.id && c.captions === captions);
        return `<td>${cell ? formatMetric(key, cell.metrics[key]) : '–'}</td>`;
      });
      return `<tr>${i === 0 ? `<th rowspan="${TABLE_METRICS.length}">${escapeHtml(p.label)}</th>` : ''}<td>${escapeHtml(metricInfo(key)!.label)}</td>${values.join('')}</tr>`;
    }),
  );
  return `<table>${head}${rows.join('')}</table>`;
}

/** A plot of one accuracy (in %) against caption pairs, one line per pre-training (no captions drawn at 1 on the log axis). */
function accuracyChart(cells: readonly AblationCell[], pairs: readonly number[], key: 'attributeAccuracy' | 'shapeAccuracy' | 'colorAccuracy'): Chart {
  return {
    id: key,
    xLabel: 'caption pairs in fine-tuning (1 = none)',
    logX: true,
    x: [1, ...pairs],
    series: PRETRAININGS.map((p) => ({
      label: p.label,
      values: [0, ...pairs].map((captions) => (cells.find((c) => c.pretraining === p.id && c.captions === captions)?.metrics[key] ?? Number.NaN) * 100),
    })),
  };
}

const CHARTS = ['shapeAccuracy', 'colorAccuracy', 'attributeAccuracy'] as const;

async function runAblation(service: Service, cli: CliContext, options: AblationOptions): Promise<AblationResult> {
  const started = performance.now();
  const plan = PLANS[options.quick ? 'quick' : 'full'];
  const pairs = parsePairs(options.pairs, plan.pairs);
  const minutes = { pretrain: options.pretrainMinutes ?? plan.pretrainMinutes, finetune: options.finetuneMinutes ?? plan.finetuneMinutes };
  const evalImages = options.evalImages ?? plan.evalImages;
  const info = await service.call('info', {});
  const pipeline = new ShapesPipeline(service, cli.output(), (line) => void process.stderr.write(`${line}\n`));
  const dataset = plan.dataset;
  await pipeline.dataset({
    name: dataset,
    images: options.images ?? plan.images,
    folder: resolve(options.folder ?? join(dirname(info.dataDir), `lafite-${dataset}`)),
    seed: options.seed,
  });
  await pipeline.embed(dataset);
  await pipeline.synthesize(dataset);

  const base = { dataset, preset: options.preset, subset: 'train', steps: 1_000_000, seed: options.seed, checkpointEvery: 100, sampleEvery: 100 };
  const cells: AblationCell[] = [];
  const measure = async (pretraining: string, captions: number | null, run: string, steps: number): Promise<void> => {
    const evaluation: EvaluationRecord = await pipeline.evaluate(run, evalImages, options.seed);
    cells.push({ pretraining, captions, run, steps, metrics: evaluation.metrics });
  };
  const pretrained = new Map<string, string>();
  for (const p of PRETRAININGS) {
    const { run, result } = await pipeline.train(`pre-training on ${p.label} for ${minutes.pretrain} min`, {
      ...base,
      ...pretrainPlan(p, minutes.pretrain),
      minutes: minutes.pretrain,
    });
    pretrained.set(p.id, run);
    await measure(p.id, null, run, result.steps);
  }
  // No captions: the same pseudo features, the same time as a few-shot fine-tune.
  for (const p of PRETRAININGS) {
    const { run, result } = await pipeline.train(`fine-tuning ${p.id} without captions`, { ...base, pseudo: p.pseudo, init: pretrained.get(p.id), minutes: minutes.finetune });
    await measure(p.id, 0, run, result.steps);
  }
  for (const n of pairs) {
    await service.call('datasets.fewshot', { dataset, pairs: n, seed: options.seed });
    for (const p of PRETRAININGS) {
      const { run, result } = await pipeline.train(`fine-tuning ${p.id} on ${n} captioned pairs (Freeze-D 1)`, {
        ...base,
        pseudo: 'captions',
        subset: 'fewshot',
        freezeD: 1,
        init: pretrained.get(p.id),
        minutes: minutes.finetune,
      });
      await measure(p.id, n, run, result.steps);
    }
  }

  const columns = [null, 0, ...pairs];
  const markdown = ablationMarkdown(cells, columns);
  const out = resolve(options.out ?? join(info.dataDir, 'reports', `ablation-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  await mkdir(out, { recursive: true });
  const seconds = (performance.now() - started) / 1000;
  const about = `ShapesWorld, ${options.images ?? plan.images} pictures (dataset ${dataset}), preset ${options.preset} on ${info.backend}; pre-training ${minutes.pretrain} min and each fine-tune ${minutes.finetune} min; ${evalImages} held-out prompts per evaluation. Each cell: all three attributes right (shape, color and FD of CLIP features in brackets). Took ${(seconds / 60).toFixed(1)} min.`;
  await writeFile(join(out, 'ablation.md'), `# Lafite2 Tables 6 and 7 on ShapesWorld\n\n${about}\n\n${markdown}\n`);
  await writeFile(join(out, 'ablation.json'), `${JSON.stringify({ about, minutes, pairs, cells }, null, 2)}\n`);
  const plots = CHARTS.map((key) => `<h2>${escapeHtml(metricInfo(key)!.label)} (%) against caption pairs</h2><div id="${key}"></div>`).join('');
  const body = `<p>${escapeHtml(about)}</p><h2>Table</h2>${htmlTable(cells, columns)}${plots}`;
  const report = join(out, 'index.html');
  await writeFile(
    report,
    await htmlPage(
      'Lafite2 Tables 6 and 7 on ShapesWorld',
      body,
      CHARTS.map((key) => accuracyChart(cells, pairs, key)),
    ),
  );
  return { dataset, cells, minutes, markdown, report, seconds };
}

export function registerAblationCommand(program: Command, cli: CliContext): void {
  program
    .command('ablation')
    .description(
      'Lafite2 Tables 6 and 7 on ShapesWorld: pre-train on Gaussian, retrieval, CLO and all three pseudo features, fine-tune each with no captions and with a few, evaluate all; a Markdown and HTML table with a plot',
    )
    .option('--quick', 'a smaller dataset and shorter runs (about 20 minutes on a laptop CPU, against about an hour)', false)
    .option('--pretrain-minutes <m>', 'time budget of each pre-training (default 5, or 1.5 with --quick)', number)
    .option('--finetune-minutes <m>', 'time budget of each fine-tune (default 1.5, or 0.5 with --quick)', number)
    .option('--pairs <list>', 'caption pairs of the few-shot fine-tunes (default 10,100,1000, or 10,100 with --quick)')
    .option('--images <n>', 'pictures to draw (default 2000, or 600 with --quick)', integer)
    .option('--eval-images <n>', 'held-out prompts per evaluation (default 200, or 100 with --quick)', integer)
    .option('--folder <dir>', 'where the pictures are drawn (default: beside the data folder)')
    .option('--out <dir>', 'report folder (default: DATA/reports/ablation-TIME)')
    .addOption(new Option('--preset <preset>', 'network size (tiny: a smoke test in seconds)').choices(['tiny', 'shapes']).default('shapes'))
    .option('--seed <n>', 'seed of the pictures, the features, training and evaluation', integer, 0)
    .action(
      cli.withService(async (service, options: AblationOptions) =>
        printResult(await runAblation(service, cli, options), cli.output(), (r) => `${r.markdown}\n\ntook ${(r.seconds / 60).toFixed(1)} min; report: ${r.report}`),
      ),
    );
}
