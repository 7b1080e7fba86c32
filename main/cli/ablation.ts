/**
 * `lafite ablation` (`npm run ablation`): Lafite2's Tables 6 and 7 on ShapesWorld, bounded in
 * time. Pre-train the `shapes` preset language-free on each kind of pseudo text feature
 * (Gaussian perturbation as Lafite, retrieval, CLO, and all three: Gaussian first, then
 * retrieval features refined by CLO brought in by a schedule), then fine-tune each pre-trained
 * generator with no captions (on its own pseudo features) and with a few real captions
 * (10, 100, 1000 pairs, Freeze-D), and evaluate every generator on the same held-out prompts.
 * Writes the table as Markdown and HTML (with a plot) and the figures as JSON. With
 * `--families gan,diffusion` every row is trained for both model families (the conditional
 * StyleGAN2 and the CLIP-conditioned diffusion UNet, issue 16) with the same budget, dataset,
 * held-out prompts and seeds, side by side in the table (ablation-report.ts).
 *
 * @example
 *   lafite ablation --quick                      # about 20 minutes on a laptop CPU
 *   lafite ablation --pretrain-minutes 10 --finetune-minutes 3 --pairs 10,100,1000
 *   lafite ablation --quick --families gan,diffusion --diffusion-steps 25 --guidance 3
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { TRAIN_FAMILIES, type EvaluationRecord, type TrainFamily } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import type { Service } from '../api/service.ts';
import { ablationHtmlTable, ablationMarkdown, accuracyChart, CHARTS, FAMILY_LABELS, PRETRAININGS, type AblationCell } from './ablation-report.ts';
import { integer, number, type CliContext } from './context.ts';
import { escapeHtml, htmlPage, metricInfo } from './html-report.ts';
import { printResult } from './output.ts';
import { parseDiffusionSampling, ShapesPipeline, type DiffusionSampling, type TrainPlan } from './shapes-pipeline.ts';

export { ablationMarkdown, PRETRAININGS, type AblationCell };

/**
 * The pre-training of a row. "All three" moves from Gaussian to CLO features over the first
 * half of the budget, counted at about one step a second (the `shapes` preset's speed on a
 * laptop CPU; a faster machine reaches CLO sooner and trains on it longer).
 */
function pretrainPlan(p: (typeof PRETRAININGS)[number], minutes: number): Partial<TrainPlan> {
  return { pseudo: p.pseudo, ...(p.scheduled ? { schedule: { kind: 'linear', startStep: 0, endStep: Math.max(10, Math.round(30 * minutes)) } } : {}) };
}

interface AblationOptions {
  quick: boolean;
  pretrainMinutes?: number;
  finetuneMinutes?: number;
  pairs?: string;
  families: string;
  pretrainings?: string;
  diffusionSteps: number;
  guidance: number;
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

export interface AblationResult {
  dataset: string;
  /** The families trained, in the order asked. */
  families: TrainFamily[];
  /** How the diffusion rows were sampled when evaluated (DDIM, η 0); null without a diffusion family. */
  sampling: DiffusionSampling | null;
  cells: AblationCell[];
  minutes: { pretrain: number; finetune: number };
  markdown: string;
  report: string;
  seconds: number;
}

function parsePairs(text: string | undefined, fallback: readonly number[]): number[] {
  if (text === undefined) return [...fallback];
  const pairs = text.split(',').map(Number);
  if (pairs.some((n) => !Number.isInteger(n) || n < 1)) throw invalidInput(`--pairs '${text}': write caption counts like 10,100,1000`, 'pairs');
  return pairs;
}

/** A comma-separated list of names from `known`, each once, in the order given. */
function parseNames<T extends string>(text: string, known: readonly T[], flag: string, field: string): T[] {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(known as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw invalidInput(`${flag} '${text}': ${unknown.length > 0 ? `no ${unknown.join(', ')}; ` : ''}choose from ${known.join(', ')}`, field);
  if (new Set(names).size !== names.length) throw invalidInput(`${flag} '${text}': a name is given twice`, field);
  return names as T[];
}

async function runAblation(service: Service, cli: CliContext, options: AblationOptions): Promise<AblationResult> {
  const started = performance.now();
  const plan = PLANS[options.quick ? 'quick' : 'full'];
  const pairs = parsePairs(options.pairs, plan.pairs);
  const families = parseNames(options.families, TRAIN_FAMILIES, '--families', 'families');
  const ids = parseNames(
    options.pretrainings ?? PRETRAININGS.map((p) => p.id).join(','),
    PRETRAININGS.map((p) => p.id),
    '--pretrainings',
    'pretrainings',
  );
  const pretrainings = PRETRAININGS.filter((p) => ids.includes(p.id));
  const sampling = families.includes('diffusion') ? parseDiffusionSampling(options) : null;
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
  // Every cell of every family: the same held-out prompts and seeds (gan-eval draws them from the validation split by seed).
  const measure = async (family: TrainFamily, pretraining: string, captions: number | null, run: string, steps: number): Promise<void> => {
    const evaluation: EvaluationRecord = await pipeline.evaluate(run, evalImages, options.seed, family === 'diffusion' ? sampling! : undefined);
    cells.push({ family, pretraining, captions, run, steps, metrics: evaluation.metrics });
  };
  const pretrained = new Map<string, string>();
  const key = (family: TrainFamily, p: (typeof PRETRAININGS)[number]): string => `${family}/${p.id}`;
  for (const p of pretrainings) {
    for (const family of families) {
      const { run, result } = await pipeline.train(
        `pre-training the ${FAMILY_LABELS[family]} on ${p.label} for ${minutes.pretrain} min`,
        { ...base, ...pretrainPlan(p, minutes.pretrain), minutes: minutes.pretrain },
        family,
      );
      pretrained.set(key(family, p), run);
      await measure(family, p.id, null, run, result.steps);
    }
  }
  // No captions: the same pseudo features, the same time as a few-shot fine-tune.
  for (const p of pretrainings) {
    for (const family of families) {
      const init = pretrained.get(key(family, p));
      const { run, result } = await pipeline.train(
        `fine-tuning the ${FAMILY_LABELS[family]} ${p.id} without captions`,
        { ...base, pseudo: p.pseudo, init, minutes: minutes.finetune },
        family,
      );
      await measure(family, p.id, 0, run, result.steps);
    }
  }
  for (const n of pairs) {
    await service.call('datasets.fewshot', { dataset, pairs: n, seed: options.seed });
    for (const p of pretrainings) {
      for (const family of families) {
        // Freeze-D keeps the GAN's first discriminator block; the diffusion model has no discriminator.
        const { run, result } = await pipeline.train(
          `fine-tuning the ${FAMILY_LABELS[family]} ${p.id} on ${n} captioned pairs${family === 'gan' ? ' (Freeze-D 1)' : ''}`,
          { ...base, pseudo: 'captions', subset: 'fewshot', ...(family === 'gan' ? { freezeD: 1 } : {}), init: pretrained.get(key(family, p)), minutes: minutes.finetune },
          family,
        );
        await measure(family, p.id, n, run, result.steps);
      }
    }
  }

  const columns = [null, 0, ...pairs];
  const markdown = ablationMarkdown(cells, columns);
  const out = resolve(options.out ?? join(info.dataDir, 'reports', `ablation-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  await mkdir(out, { recursive: true });
  const seconds = (performance.now() - started) / 1000;
  const about = aboutLine({ ...options, images: options.images ?? plan.images, evalImages, dataset, backend: info.backend, families, sampling, minutes, seconds });
  await writeFile(join(out, 'ablation.md'), `# Lafite2 Tables 6 and 7 on ShapesWorld\n\n${about}\n\n${markdown}\n`);
  await writeFile(join(out, 'ablation.json'), `${JSON.stringify({ about, minutes, pairs, families, sampling, cells }, null, 2)}\n`);
  const plots = CHARTS.map((key) => `<h2>${escapeHtml(metricInfo(key)!.label)} (%) against caption pairs</h2><div id="${key}"></div>`).join('');
  const body = `<p>${escapeHtml(about)}</p><h2>Table</h2>${ablationHtmlTable(cells, columns)}${plots}`;
  const report = join(out, 'index.html');
  await writeFile(
    report,
    await htmlPage(
      'Lafite2 Tables 6 and 7 on ShapesWorld',
      body,
      CHARTS.map((key) => accuracyChart(cells, pairs, key)),
    ),
  );
  return { dataset, families, sampling, cells, minutes, markdown, report, seconds };
}

/** What was run, in words: the report's first paragraph. */
function aboutLine(facts: {
  images: number;
  dataset: string;
  preset: string;
  backend: string;
  families: readonly TrainFamily[];
  sampling: DiffusionSampling | null;
  minutes: { pretrain: number; finetune: number };
  evalImages: number;
  seconds: number;
}): string {
  const families =
    facts.families.length > 1
      ? ` Each pre-training trained once per family (${facts.families.map((f) => FAMILY_LABELS[f]).join(', ')}) with the same budget, data, prompts and seeds.`
      : ` Family: ${FAMILY_LABELS[facts.families[0]!]}.`;
  const diffusion = facts.sampling
    ? ` The diffusion model is evaluated with ${facts.sampling.steps} DDIM steps (η 0) at guidance ${facts.sampling.guidance}; its caption fine-tunes have no Freeze-D (it has no discriminator).`
    : '';
  return `ShapesWorld, ${facts.images} pictures (dataset ${facts.dataset}), preset ${facts.preset} on ${facts.backend}; pre-training ${facts.minutes.pretrain} min and each fine-tune ${facts.minutes.finetune} min; ${facts.evalImages} held-out prompts per evaluation, the same for every cell.${families}${diffusion} Each cell: all three attributes right (shape, color and FD of CLIP features in brackets). Took ${(facts.seconds / 60).toFixed(1)} min.`;
}

export function registerAblationCommand(program: Command, cli: CliContext): void {
  program
    .command('ablation')
    .description(
      'Lafite2 Tables 6 and 7 on ShapesWorld: pre-train on Gaussian, retrieval, CLO and all three pseudo features, fine-tune each with no captions and with a few, evaluate all; with --families gan,diffusion both model families on the same prompts; a Markdown and HTML table with a plot',
    )
    .option('--quick', 'a smaller dataset and shorter runs (about 20 minutes on a laptop CPU, against about an hour; each more family about as long again)', false)
    .option('--pretrain-minutes <m>', 'time budget of each pre-training (default 5, or 1.5 with --quick)', number)
    .option('--finetune-minutes <m>', 'time budget of each fine-tune (default 1.5, or 0.5 with --quick)', number)
    .option('--pairs <list>', 'caption pairs of the few-shot fine-tunes (default 10,100,1000, or 10,100 with --quick)')
    .option('--families <list>', 'model families to train and compare, each with the same budget, data, prompts and seeds: gan, diffusion or gan,diffusion', 'gan')
    .option('--pretrainings <list>', 'rows to run, of gaussian, retrieval, clo, all (default: all four)')
    .option('--diffusion-steps <n>', 'diffusion family: DDIM steps (η 0) when its runs are evaluated', integer, 25)
    .option('--guidance <s>', 'diffusion family: classifier-free guidance scale when its runs are evaluated', number, 3)
    .option('--images <n>', 'pictures to draw (default 2000, or 600 with --quick)', integer)
    .option('--eval-images <n>', 'held-out prompts per evaluation (default 200, or 100 with --quick)', integer)
    .option('--folder <dir>', 'where the pictures are drawn (default: beside the data folder)')
    .option('--out <dir>', 'report folder (default: DATA/reports/ablation-TIME)')
    .addOption(new Option('--preset <preset>', 'network size, the same name for both families (tiny: a smoke test in seconds)').choices(['tiny', 'shapes']).default('shapes'))
    .option('--seed <n>', 'seed of the pictures, the features, training and evaluation', integer, 0)
    .action(
      cli.withService(async (service, options: AblationOptions) =>
        printResult(await runAblation(service, cli, options), cli.output(), (r) => `${r.markdown}\n\ntook ${(r.seconds / 60).toFixed(1)} min; report: ${r.report}`),
      ),
    );
}
