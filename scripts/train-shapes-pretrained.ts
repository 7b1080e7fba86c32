/**
 * Trains `shapes-pretrained`, the ShapesWorld generator that ships in
 * resources/models/shapes-pretrained (a built-in run: the Playground draws from it on first
 * launch, `lafite generate --run shapes-pretrained` works on a fresh install, `lafite demo`
 * fine-tunes from it). Language-free, as Lafite2 pre-trains: retrieval prompts of shapes-clip
 * with CLO in every mini-batch, no captions (the captions are imported for evaluation only).
 *
 * Training spans sessions: each call trains one segment for a time budget, starting from the
 * shipped networks when there are some (`--init shapes-pretrained`), then writes the networks
 * back, evaluates them on held-out prompts in wordings the templates never use
 * (resources/prompts/shapes-heldout.txt), and appends the segment (command, steps, time,
 * backend, figures) to run.json.
 *
 *   npx tsx scripts/train-shapes-pretrained.ts [--minutes 60] [--data-dir .cache/shapes-pretrained] [--batch 16]
 *   npx tsx scripts/train-shapes-pretrained.ts --export RUN --data-dir DIR    (record a run trained by hand as a segment)
 *
 * The data folder (4,000 pictures, their features and retrieval prompts) is rebuilt by the
 * script when missing: ShapesWorld is drawn from a seed, so every machine gets the same one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvaluationRecord, TrainResult } from '../main/contract/index.ts';
import { BUILTIN_RUN_FILES, builtinRunDir, SHAPES_PRETRAINED_ID, type BuiltinRunRecord } from '../main/api/builtin-runs.ts';
import { openService, type Service } from '../main/api/service.ts';
import { ShapesPipeline } from '../main/cli/shapes-pipeline.ts';
import { listCheckpointEntries, readCheckpointState, readCheckpointValues, writeCheckpoint } from '../main/engine/gan/checkpoint.ts';
import { checkpointFile, runFolder } from '../main/jobs/run-files.ts';
import { resourcesDir } from '../main/store/paths.ts';
import * as tf from '@tensorflow/tfjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'data-dir': { type: 'string', default: '.cache/shapes-pretrained' },
    batch: { type: 'string', default: '16' },
    images: { type: 'string', default: '4000' },
    'eval-images': { type: 'string', default: '288' },
    export: { type: 'string' },
    'prepare-only': { type: 'boolean', default: false },
    pseudo: { type: 'string', default: 'clo' },
    'mode-seeking': { type: 'string', default: '0' },
  },
});

const DATASET = 'shapes-world';
/** Held-out prompts: every shape × color × count, in wordings the shapes templates do not use. */
const HELDOUT = join(resourcesDir(), 'prompts', 'shapes-heldout.txt');
const SAMPLE_PROMPTS = [
  'a red circle',
  'two green squares',
  'three blue triangles',
  'a yellow star',
  'two purple hearts',
  'an orange cross',
  'three white circles',
  'a black square',
];
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const dataDir = resolve(args['data-dir']);

/** The training conditions of every segment (the shipped record keeps them). */
const trainingInput = (init: boolean) => ({
  dataset: DATASET,
  model: 'shapes-clip',
  preset: 'shapes',
  pseudo: args.pseudo,
  modeSeeking: Number(args['mode-seeking']),
  subset: 'train',
  batchSize: Number(args.batch),
  steps: 1_000_000,
  minutes: Number(args.minutes),
  checkpointEvery: 100,
  sampleEvery: 100,
  seed: 1,
  samplePrompts: SAMPLE_PROMPTS,
  ...(init ? { init: SHAPES_PRETRAINED_ID } : {}),
});

async function prepare(pipeline: ShapesPipeline, service: Service): Promise<void> {
  const datasets = await service.call('datasets.list', {});
  if (datasets.some((d) => d.id === DATASET)) return;
  await pipeline.dataset({ name: DATASET, images: Number(args.images), folder: join(dataDir, '..', 'shapes-pretrained-pictures'), seed: 0 });
  await pipeline.embed(DATASET);
  await pipeline.job('retrieval prompts (Lafite2 §3.1)', 'pseudo-synth', { dataset: DATASET, model: 'shapes-clip', method: 'retrieval', vocabulary: 'shapes' });
}

async function readRecord(): Promise<BuiltinRunRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(builtinRunDir(SHAPES_PRETRAINED_ID), BUILTIN_RUN_FILES.record), 'utf8')) as BuiltinRunRecord;
  } catch {
    return undefined;
  }
}

/** G, D and G_ema of the run's last checkpoint, written as the shipped networks (no optimizer state: a few MB). */
async function exportNetworks(run: string): Promise<void> {
  const file = checkpointFile(runFolder(dataDir, run));
  const names = ['g', 'd', 'g_ema'];
  const entries = (await listCheckpointEntries(file)).filter((entry) => names.some((net) => entry.key.startsWith(`${net}/`)));
  const values = await readCheckpointValues(
    file,
    entries.map((entry) => entry.key),
  );
  const networks = Object.fromEntries(
    names.map((net) => [
      net,
      new Map(
        entries
          .filter((entry) => entry.key.startsWith(`${net}/`))
          .map((entry) => [entry.key.slice(net.length + 1), tf.variable(tf.tensor(values.get(entry.key)!, entry.shape), false)]),
      ),
    ]),
  );
  await mkdir(builtinRunDir(SHAPES_PRETRAINED_ID), { recursive: true });
  await writeCheckpoint(join(builtinRunDir(SHAPES_PRETRAINED_ID), BUILTIN_RUN_FILES.networks), { networks, optimizers: {}, state: { step: 0 } });
  for (const variables of Object.values(networks)) tf.dispose([...variables.values()]);
}

/**
 * A run trained by hand, as the segment record needs it: its result when it has finished, else
 * what its checkpoint and metrics say (a running or paused run is exported at its last checkpoint).
 */
async function resultOf(service: Service, run: string): Promise<TrainResult> {
  const job = await service.call('jobs.get', { id: run });
  const step = ((await readCheckpointState(checkpointFile(runFolder(dataDir, run)))) as { step: number }).step;
  if (job.result && (job.result as TrainResult).steps === step) return job.result as TrainResult;
  const detail = await service.call('runs.get', { id: run, maxPoints: 100_000 });
  const rows = detail.metrics.filter((row) => row.step <= step);
  const last = rows.at(-1)?.metrics ?? {};
  const imagesPerSecond = last.imagesPerSecond ?? 0;
  const batchSize = (job.input as { batchSize: number }).batchSize;
  return {
    steps: step,
    images: detail.images ?? 0,
    backend: detail.backend ?? 'unknown',
    seconds: imagesPerSecond > 0 ? (step * batchSize) / imagesPerSecond : 0, // from the measured images/s of the last attempt
    imagesPerSecond,
    losses: { dLoss: last.dLoss ?? 0, gLoss: last.gLoss ?? 0, conDReal: last.conDReal ?? 0, conDFake: last.conDFake ?? 0, conG: last.conG ?? 0 },
    folder: runFolder(dataDir, run),
    pseudoRun: detail.pseudoRun,
  };
}

async function main(): Promise<void> {
  const service = openService({ dataDir });
  const pipeline = new ShapesPipeline(service, { json: false }, log);
  try {
    await prepare(pipeline, service);
    if (args['prepare-only']) return;
    const previous = await readRecord();
    const started = new Date().toISOString();
    let run = args.export;
    let result: TrainResult;
    if (run) {
      result = await resultOf(service, run);
    } else {
      ({ run, result } = await pipeline.train(`segment ${(previous?.segments.length ?? 0) + 1}: ${args.minutes} min`, trainingInput(previous !== undefined)));
    }
    await exportNetworks(run);
    const prompts = (await readFile(HELDOUT, 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const evaluation = await pipeline.job<EvaluationRecord>('held-out prompts', 'gan-eval', {
      run,
      n: Number(args['eval-images']),
      seed: 0,
      prompts,
      promptFile: 'resources/prompts/shapes-heldout.txt',
    });
    const job = await service.call('jobs.get', { id: run });
    const totalSteps = (previous?.result.steps ?? 0) + result.steps;
    const record: BuiltinRunRecord = {
      id: SHAPES_PRETRAINED_ID,
      description: 'ShapesWorld generator (shapes preset, 32 px), pre-trained language-free on retrieval prompts with CLO in every mini-batch (Lafite2), no captions',
      input: { ...(job.input as Record<string, unknown>), init: undefined, minutes: undefined, steps: totalSteps },
      result: { ...result, steps: totalSteps, folder: undefined } as unknown as BuiltinRunRecord['result'],
      segments: [
        ...(previous?.segments ?? []),
        {
          command: args.export
            ? `lafite train ${JSON.stringify(job.input)} (then --export)`
            : `npx tsx scripts/train-shapes-pretrained.ts --minutes ${args.minutes} --batch ${args.batch} --pseudo ${args.pseudo} --mode-seeking ${args['mode-seeking']}`,
          started,
          steps: result.steps,
          totalSteps,
          seconds: Math.round(result.seconds),
          imagesPerSecond: Number(result.imagesPerSecond.toFixed(2)),
          backend: result.backend,
          attempts: (await service.call('runs.get', { id: run, maxPoints: 10 })).attempts,
          heldout: { images: evaluation.images, ...evaluation.metrics },
        },
      ],
    };
    await writeFile(join(builtinRunDir(SHAPES_PRETRAINED_ID), BUILTIN_RUN_FILES.record), `${JSON.stringify(record, null, 2)}\n`);
    log(`segment recorded: ${result.steps} steps (${totalSteps} in all); held-out ${JSON.stringify(evaluation.metrics)}`);
  } finally {
    await service.close();
  }
}

await main();
