/**
 * `lafite dataset …`: import a folder, see what was imported and rejected and why, attach
 * captions, split, mark a few-shot subset, deduplicate, remove. Thin over `datasets.*` and
 * the `dataset-import` / `dataset-dedupe` jobs.
 *
 * @example
 *   lafite dataset import ./photos --name birds
 *   lafite dataset images birds --status rejected
 *   lafite dataset captions birds ./captions.json
 *   lafite dataset fewshot birds --pairs 10 --seed 0
 *   lafite dataset dedupe birds --against coco
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  CAPTION_FORMATS,
  IMAGE_STATUSES,
  SPLITS,
  type CaptionImportResult,
  type DatasetCounts,
  type DatasetDedupeResult,
  type DatasetImage,
  type DatasetImportResult,
  upscaledNote,
  type DatasetRecord,
  type ImageStatus,
  type Split,
} from '../contract/index.ts';
import { integer, number, type CliContext } from './context.ts';
import { addJobOptions, jobInput, type ParsedOptions } from './job-options.ts';
import { printResult, table } from './output.ts';
import { warnEncoderFit } from './encoder-fit.ts';

const formatCounts = (c: DatasetCounts): string =>
  `${c.imported} imported, ${c.rejected} rejected, ${c.duplicate} duplicate, ${c.excluded} excluded; ${c.captioned} captioned (${c.captions} captions)`;

function formatDataset(d: DatasetRecord): string {
  const lines = [`${d.id}  ${d.folder}`, `  ${formatCounts(d.counts)}`, `  crops ${d.imageSize} px, minimum side ${d.minSize} px; updated ${d.updatedAt}`];
  if (d.split) lines.push(`  validation split ${d.split.val} (seed ${d.split.seed}): ${d.counts.train} train, ${d.counts.val} val`);
  if (d.fewShot) lines.push(`  few-shot subset: ${d.counts.fewShot} pairs (seed ${d.fewShot.seed})`);
  return lines.join('\n');
}

function formatImages(r: { total: number; images: DatasetImage[] }, offset: number): string {
  if (r.total === 0) return 'no images';
  const rows = r.images.map((i) => [String(i.id), i.path, i.status, i.width ? `${i.width}×${i.height}` : '', String(i.captions), i.split ?? '', i.reason ?? '']);
  const shown = `${offset + 1}-${offset + r.images.length} of ${r.total}`;
  return `${table([['id', 'path', 'status', 'size', 'captions', 'split', 'reason'], ...rows])}\n(${shown})`;
}

const formatImport = (r: DatasetImportResult): string => {
  const ignored = Object.entries(r.ignored)
    .map(([ext, n]) => `${n} ${ext}`)
    .join(', ');
  return [
    `${r.dataset}: ${r.imported} imported, ${r.rejected} rejected, ${r.duplicate} duplicate, ${r.unchanged} unchanged since the last import (${r.seconds.toFixed(1)} s)`,
    ...(ignored ? [`  not images, ignored: ${ignored}`] : []),
    ...(upscaledNote(r) ? [`  ${upscaledNote(r)}`] : []),
    `  in all: ${formatCounts(r.counts)}`,
    ...(r.rejected > 0 ? [`  see why: lafite dataset images ${r.dataset} --status rejected`] : []),
  ].join('\n');
};

const formatCaptions = (r: CaptionImportResult): string => {
  const notAdded = r.notAdded ?? [];
  const total = notAdded.reduce((sum, entry) => sum + entry.count, 0);
  return [
    `${r.dataset}: ${r.added} captions added to ${r.images} images from ${r.entries} ${r.format} entries`,
    ...(total > 0 ? [`  ${total} entries not added:`] : []),
    ...notAdded.map((entry) => `    ${String(entry.count).padStart(6)}  ${entry.reason}${entry.examples.length > 0 ? ` (e.g. ${entry.examples.slice(0, 3).join(', ')})` : ''}`),
    `  in all: ${formatCounts(r.counts)}`,
  ].join('\n');
};

const formatDedupe = (r: DatasetDedupeResult): string =>
  [
    `${r.dataset}:`,
    ...(r.against ? [`  excluded ${r.excludedBySha256 + r.excludedByMd5} images also in '${r.against}' (${r.excludedBySha256} by sha256, ${r.excludedByMd5} more by MD5)`] : []),
    `  ${r.nearDuplicates} near-duplicates${r.withoutFeatures > 0 ? ` (${r.withoutFeatures} images have no cached features: lafite embed --dataset ${r.dataset} --model M)` : ''}`,
    `  in all: ${formatCounts(r.counts)}`,
  ].join('\n');

interface ImagesOptions {
  status?: ImageStatus;
  captioned?: boolean;
  split?: Split;
  fewShot?: boolean;
  offset: number;
  limit: number;
}

export function registerDatasetCommands(program: Command, cli: CliContext): void {
  const { withService, runJob, output } = cli;
  const dataset = program.command('dataset').description('image datasets: import a folder, captions, splits, few-shot subsets, deduplication');

  addJobOptions(
    dataset
      .command('import <folder>')
      .description('import a folder of images (JPEG, PNG, WebP, BMP, GIF, TIFF), recursively, as a job (Ctrl+C cancels); run it again to import only what is new'),
    'dataset-import',
  ).action(
    withService(async (service, folder: string, options: ParsedOptions) => {
      await runJob(service, 'dataset-import', { ...jobInput('dataset-import', options), folder: resolve(folder) }, formatImport);
    }),
  );
  dataset
    .command('list')
    .description('the datasets, with their counts')
    .action(
      withService(async (service) => {
        printResult(await service.call('datasets.list', {}), output(), (list) => (list.length === 0 ? 'no datasets' : list.map(formatDataset).join('\n')));
      }),
    );
  dataset
    .command('show <name>')
    .description('one dataset: its folder, counts, split and few-shot subset')
    .action(
      withService(async (service, name: string) => {
        const record = await service.call('datasets.get', { dataset: name });
        printResult(record, output(), formatDataset);
        await warnEncoderFit(service, record.id);
      }),
    );
  dataset
    .command('images <name>')
    .description('the images of a dataset, with status and reason (e.g. --status rejected: what was not imported and why)')
    .addOption(new Option('--status <status>', 'only this status').choices([...IMAGE_STATUSES]))
    .addOption(new Option('--split <split>', 'only this split').choices([...SPLITS]))
    .option('--captioned', 'only images with captions')
    .option('--uncaptioned', 'only images without captions')
    .option('--few-shot', 'only the few-shot subset')
    .option('--offset <n>', 'skip this many', integer, 0)
    .option('--limit <n>', 'at most this many (up to 1000)', integer, 100)
    .action(
      withService(async (service, name: string, options: ImagesOptions & { uncaptioned?: boolean }) => {
        const { uncaptioned, captioned, ...rest } = options;
        const filter = { ...rest, ...(captioned ? { captioned: true } : uncaptioned ? { captioned: false } : {}) };
        printResult(await service.call('datasets.images', { dataset: name, ...filter }), output(), (r) => formatImages(r, options.offset));
      }),
    );
  dataset
    .command('captions <name> <file>')
    .description('attach captions from a JSON, JSONL, CSV or COCO captions file (several per image; a caption already there is not added twice)')
    .addOption(new Option('--format <format>', 'file format').choices([...CAPTION_FORMATS]).default('auto'))
    .action(
      withService(async (service, name: string, file: string, options: { format: (typeof CAPTION_FORMATS)[number] }) => {
        const result = await service.call('datasets.captions', { dataset: name, file: resolve(file), format: options.format });
        printResult(result, output(), formatCaptions);
        await warnEncoderFit(service, result.dataset);
      }),
    );
  dataset
    .command('split <name>')
    .description('draw the train and validation splits by seed (the same files and seed give the same split)')
    .option('--val <fraction>', 'fraction in the validation split', number, 0.1)
    .option('--seed <n>', 'seed', integer, 0)
    .action(
      withService(async (service, name: string, options: { val: number; seed: number }) => {
        printResult(await service.call('datasets.split', { dataset: name, ...options }), output(), formatDataset);
      }),
    );
  dataset
    .command('fewshot <name>')
    .description('mark a reproducible few-shot subset of captioned images (Lafite uses 10, 20, 50, 100 pairs)')
    .option('--pairs <n>', 'how many image-caption pairs', integer)
    .option('--percent <p>', 'or a percentage of the captioned images', number)
    .option('--seed <n>', 'seed', integer, 0)
    .action(
      withService(async (service, name: string, options: { pairs?: number; percent?: number; seed: number }) => {
        printResult(await service.call('datasets.fewshot', { dataset: name, ...options }), output(), formatDataset);
      }),
    );
  dataset
    .command('dedupe <name>')
    .description('exclude images also in another dataset (sha256 and MD5, as Lafite2), and mark near-duplicates by image-feature cosine, as a job')
    .option('--against <name>', 'the other dataset, e.g. the pre-training set')
    .option('--near <cosine>', 'image-feature cosine at or above which two images are near-duplicates (e.g. 0.95)', number)
    .option('--model <id>', 'encoder whose cached features --near uses', 'shapes-clip')
    .action(
      withService(async (service, name: string, options: { against?: string; near?: number; model: string }) => {
        await runJob(service, 'dataset-dedupe', { dataset: name, ...options }, formatDedupe);
      }),
    );
  dataset
    .command('remove <name>')
    .description('forget a dataset and delete its cached thumbnails and crops; your image folder is left as it is')
    .action(
      withService(async (service, name: string) => {
        printResult(await service.call('datasets.remove', { dataset: name }), output(), (r) => `removed ${r.dataset} (${r.deletedImages} images)`);
      }),
    );
}
