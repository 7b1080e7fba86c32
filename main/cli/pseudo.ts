/**
 * `lafite pseudo …`: pseudo text features of a dataset (Lafite's Gaussian perturbation,
 * Lafite2's retrieval and CLO), their versions, diagnostics and pseudo captions.
 *
 * @example
 *   lafite pseudo synth --dataset shapes --method all
 *   lafite pseudo stats --dataset shapes --json
 *   lafite pseudo captions 3f2a…   # a run id from `pseudo stats`
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { warnEncoderFit } from './encoder-fit.ts';
import { invalidInput } from '../contract/errors.ts';
import type { CosineDistribution, PseudoRunRecord, PseudoSynthResult, VocabularySetRecord } from '../contract/index.ts';
import { integer, type CliContext } from './context.ts';
import { addJobOptions, jobInput, type ParsedOptions } from './job-options.ts';
import { printResult, table } from './output.ts';

const fmt = (d: CosineDistribution | undefined): string => (d ? `${d.mean.toFixed(3)} ± ${d.std.toFixed(3)}` : '');

function formatRuns(runs: readonly (PseudoRunRecord & { reused?: boolean })[]): string {
  if (runs.length === 0) return 'no pseudo features yet: lafite pseudo synth --dataset D';
  return table([
    ['run', 'method', 'model', 'image-text cos', 'text-text cos', 'figures', ''],
    ...runs.map((r) => [
      r.id,
      r.method,
      r.model,
      fmt(r.stats?.imageText),
      fmt(r.stats?.textText),
      Object.entries(r.summary ?? {})
        .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`)
        .join(', '),
      r.reused ? '(stored before)' : r.complete ? '' : '(incomplete)',
    ]),
  ]);
}

export function registerPseudoCommands(program: Command, cli: CliContext): void {
  const { withService, runJob, output } = cli;
  const pseudo = program.command('pseudo').description('pseudo text features of a dataset: Gaussian (Lafite), retrieval and CLO (Lafite2)');

  addJobOptions(
    pseudo.command('synth').description('synthesise pseudo text features for a dataset, stored per configuration (the same configuration is reused), as a job'),
    'pseudo-synth',
  ).action(
    withService(async (service, options: ParsedOptions) => {
      const input = jobInput('pseudo-synth', options);
      await runJob(service, 'pseudo-synth', input, (r: PseudoSynthResult) => `${r.dataset}: ${r.images} images (${r.seconds.toFixed(1)} s)\n${formatRuns(r.runs)}`);
      await warnEncoderFit(service, input.dataset, input.model);
    }),
  );
  addJobOptions(
    pseudo
      .command('train-nn')
      .description("train Lafite's trainable perturbation (eq. 2) on a dataset's image-caption pairs, stored by name for any dataset of the same encoder, as a job"),
    'pseudo-train-nn',
  ).action(
    withService(async (service, options: ParsedOptions) => {
      await runJob(
        service,
        'pseudo-train-nn',
        jobInput('pseudo-train-nn', options),
        (r: { name: string; pairs: number; steps: number; meanCosine: number; seconds: number }) =>
          `trained '${r.name}' on ${r.pairs} pairs: ${r.steps} steps, mean cos(h′, h) ${r.meanCosine.toFixed(3)} (${r.seconds.toFixed(1)} s)`,
      );
    }),
  );
  registerVocabularyCommands(pseudo, cli);
  pseudo
    .command('stats')
    .description('Lafite2 Figure 1 for a dataset: image-text and text-text cosines of its real captions and of every stored run')
    .requiredOption('--dataset <name>', 'the dataset')
    .option('--model <id>', 'CLIP encoder of the real-caption features', 'shapes-clip')
    .action(
      withService(async (service, options: { dataset: string; model: string }) => {
        printResult(await service.call('pseudo.stats', options), output(), (r) =>
          [
            r.captions
              ? `real captions (${r.captions.pairs} images): image-text cos ${fmt(r.captions.imageText)}, text-text cos ${fmt(r.captions.textText)}`
              : 'real captions: none, or not encoded yet (lafite pseudo synth encodes them)',
            formatRuns(r.runs),
          ].join('\n'),
        );
      }),
    );
  pseudo
    .command('captions <run>')
    .description('the pseudo captions of a retrieval run (or the feature scores of another), image by image')
    .option('--offset <n>', 'skip this many images', integer, 0)
    .option('--limit <n>', 'at most this many images (up to 500)', integer, 20)
    .action(
      withService(async (service, run: string, options: { offset: number; limit: number }) => {
        printResult(await service.call('pseudo.captions', { run, ...options }), output(), (r) =>
          r.images.map((image) => [image.path, ...image.captions.map((c) => `  ${c.score.toFixed(3)}  ${c.prompt ?? '(feature)'}`)].join('\n')).join('\n'),
        );
      }),
    );
}

const formatSet = (set: VocabularySetRecord): string =>
  [
    `${set.id}  (${set.source}${set.source === 'saved' && set.hasDefault ? ', replaces the default' : ''})  ${set.description}`,
    ...set.vocabularies.map((v) => `  {${v.name}} ${v.entries.length}: ${v.entries.slice(0, 12).join(', ')}${v.entries.length > 12 ? ', …' : ''}`),
    `  templates: ${set.templates.join(' | ')}`,
  ].join('\n');

/** `lafite pseudo vocab …`: the vocabulary sets and templates retrieval fills (Lafite2 step 1). */
function registerVocabularyCommands(pseudo: Command, cli: CliContext): void {
  const { withService, output } = cli;
  const vocab = pseudo.command('vocab').description('vocabulary sets and their templates: list, show, export, import, build from a model, reset');
  vocab
    .command('list')
    .description('every vocabulary set: the defaults and those saved in the data folder')
    .action(withService(async (service) => printResult(await service.call('vocabulary.list', {}), output(), (sets) => sets.map(formatSet).join('\n'))));
  vocab
    .command('show <id>')
    .description('one vocabulary set with its templates')
    .action(withService(async (service, id: string) => printResult(await service.call('vocabulary.get', { id }), output(), formatSet)));
  vocab
    .command('export <id>')
    .description('write a vocabulary set with its templates as one JSON file (to edit, share or import elsewhere)')
    .option('--out <file>', 'the file (default: standard output)')
    .action(
      withService(async (service, id: string, options: { out?: string }) => {
        const set = await service.call('vocabulary.get', { id });
        const text = `${JSON.stringify({ id: set.id, description: set.description, vocabularies: set.vocabularies, templates: set.templates }, null, 2)}\n`;
        if (options.out) await writeFile(resolve(options.out), text);
        else process.stdout.write(text);
      }),
    );
  vocab
    .command('import <file>')
    .description('save a vocabulary set from a JSON file (as export writes it); a default of the same id is replaced until reset')
    .option('--id <id>', 'save it under this id instead of the one in the file')
    .action(
      withService(async (service, file: string, options: { id?: string }) => {
        const parsed = parseSetFile(await readFile(resolve(file), 'utf8'), file);
        printResult(await service.call('vocabulary.save', { ...parsed, ...(options.id ? { id: options.id } : {}) }), output(), (set) => `saved ${formatSet(set)}`);
      }),
    );
  vocab
    .command('build')
    .description("build a vocabulary set from a CLIP model's tokenizer: its whole words sorted into Noun, Verb, Numeral and Adjective")
    .requiredOption('--model <id>', 'the CLIP model')
    .requiredOption('--id <id>', 'id of the new set')
    .option('--templates-from <id>', 'copy the templates of this set', 'photos')
    .option('--replace', 'replace a set of this id', false)
    .action(
      withService(async (service, options: { model: string; id: string; templatesFrom: string; replace: boolean }) => {
        printResult(await service.call('vocabulary.build', options), output(), (set) => `built ${formatSet(set)}`);
      }),
    );
  vocab
    .command('reset <id>')
    .description('forget the saved version of a set (the default, if any, is used again)')
    .action(
      withService(async (service, id: string) =>
        printResult(await service.call('vocabulary.reset', { id }), output(), (r) => (r.removed ? `reset ${r.id}` : `${r.id} had no saved version`)),
      ),
    );
}

/** A set file as `export` writes it; JSON errors name the file. */
function parseSetFile(text: string, file: string): { id: string; description: string; vocabularies: { name: string; entries: string[] }[]; templates: string[] } {
  try {
    return JSON.parse(text) as ReturnType<typeof parseSetFile>;
  } catch (error) {
    throw invalidInput(`${file} is not JSON: ${(error as Error).message}`, 'file');
  }
}
