/**
 * Job kind `gan-eval`: how good a run's generator is at one of its kept steps. It draws one
 * image per prompt, the prompts taken from the dataset's captions (the validation split when
 * there is one: captions the run did not condition on) or from a given list (`lafite eval
 * --prompts FILE`: wordings the run never saw, or a dataset without captions), then measures
 * - fdClip: the Fréchet distance between CLIP image features of the generated and the real
 *   images (FID's formula, engine/eval/frechet.ts, on the run's own CLIP instead of Inception);
 * - clipScore and rPrecision (engine/eval/clip-score.ts) of each image against its prompt;
 * - on ShapesWorld (every prompt names a shape, color and count), attribute accuracy: the
 *   project's attribute classifier judges whether each image shows what its prompt asked
 *   (engine/shapes/attribute-accuracy.ts, our SOA);
 * - with an Inception-v3 ONNX file (given, or installed at DATA/models/inception/), FID, FID-k
 *   for the asked blur radii and the Inception Score (jobs/eval-inception.ts);
 * and stores the figures per (run, step) for the Runs view.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EvalMetrics, EvaluationRecord } from '../../contract/index.ts';
import { listEvaluations, trainingRun } from '../run-records.ts';
import { invalidInput } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { clipScore, DEFAULT_R_PRECISION_CANDIDATES, rPrecision } from '../../engine/eval/clip-score.ts';
import { frechetDistanceOfRows } from '../../engine/eval/frechet.ts';
import { InceptionOnnx } from '../../engine/eval/inception-onnx.ts';
import { attributeAccuracy, parseShapesPrompt, type AskedAttributes } from '../../engine/shapes/attribute-accuracy.ts';
import { CLASSIFIER_FILE, loadClassifier, SHAPES_CLASSIFIER_ID, type ImageAttributes, type ShapesClassifier } from '../../engine/shapes/classifier/index.ts';
import { l2Normalise } from '../../engine/normalise.ts';
import { mulberry32 } from '../../engine/random.ts';
import { DatasetStore } from '../../store/datasets.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { EvaluationStore } from '../../store/evaluations.ts';
import { builtinModelDir } from '../../store/paths.ts';
import { JobStore } from '../../store/jobs.ts';
import { ModelStore } from '../../store/models.ts';
import { CachedEncoder, datasetImageItems } from '../dataset-features.ts';
import { inceptionFileFor, inceptionMetrics, InceptionRows, realInceptionRows } from '../eval-inception.ts';
import { toBytes } from '../generated-images.ts';
import type { JobContext, JobHandler, JobInput } from '../job-kind.ts';
import { findGenerator, loadRunImageSource, type RunImageSource } from '../run-generator.ts';

type Input = JobInput<'gan-eval'>;

/** n prompts from the dataset's captions, validation images first, drawn by seed (repeating when there are fewer). */
function drawPrompts(datasets: DatasetStore, dataset: string, n: number, seed: number): string[] {
  const pairs = datasets.captionPairs(dataset);
  if (pairs.length === 0)
    throw invalidInput(
      `dataset '${dataset}' has no captions to take prompts from: import some (\`lafite dataset captions\`) or evaluate on a prompt list (\`lafite eval --prompts FILE\`)`,
      'run',
    );
  const val = new Set(datasets.importedIds(dataset, { split: 'val' }));
  const held = pairs.filter((pair) => val.has(pair.imageId));
  const pool = (held.length > 0 ? held : pairs).map((pair) => pair.text);
  const rng = mulberry32(seed);
  const order = pool
    .map((text) => ({ text, key: rng() }))
    .sort((a, b) => a.key - b.key)
    .map((entry) => entry.text);
  return Array.from({ length: n }, (_, i) => order[i % order.length]!);
}

/** A given prompt list, cycled in order to a whole number of rounds of at least n images: every prompt gets the same number of images (each with its own z). */
export function cyclePrompts(prompts: readonly string[], n: number): string[] {
  const rounds = Math.max(1, Math.ceil(n / prompts.length));
  return Array.from({ length: rounds * prompts.length }, (_, i) => prompts[i % prompts.length]!);
}

/** What each prompt asks for when every prompt is a ShapesWorld prompt; undefined otherwise (another domain). */
function shapesPrompts(prompts: readonly string[]): AskedAttributes[] | undefined {
  try {
    return prompts.map(parseShapesPrompt);
  } catch {
    return undefined;
  }
}

/** What judges each generated batch besides CLIP: the attribute classifier (ShapesWorld), Inception (when installed). */
interface Judges {
  classifier?: ShapesClassifier | undefined;
  inception?: InceptionRows | undefined;
}

interface Generated {
  images: Float32Array;
  texts: Float32Array;
  dim: number;
  /** What the attribute classifier sees in each image (when one was given). */
  attributes: ImageAttributes[];
}

/** One image per prompt from the run (G_ema, or the diffusion run's EMA UNet through its sampler), as CLIP image features (through the cache, keyed by the pixels), classified and through Inception when those are given. */
async function generate(
  source: RunImageSource,
  prompts: readonly string[],
  encoder: CachedEncoder,
  judges: Judges,
  input: Input,
  job: JobContext,
  resolution: number,
): Promise<Generated> {
  const { classifier, inception } = judges;
  const span = inception ? 0.5 : 0.7; // of the progress bar: Inception of the real images comes after
  const text = await encoder.texts(prompts);
  const dim = text.dim;
  const images = new Float32Array(prompts.length * dim);
  const attributes: ImageAttributes[] = [];
  for (let start = 0; start < prompts.length; start += input.batchSize) {
    job.throwIfCancelled();
    const count = Math.min(input.batchSize, prompts.length - start);
    const h = tf.tidy(() => l2Normalise(tf.tensor2d(text.data.subarray(start * dim, (start + count) * dim), [count, dim]))); // h = n(f_txt(prompt))
    const batch = await source.draw(h, { z: input.seed * 100_003 + start, noise: input.seed + start }, input).finally(() => h.dispose());
    const bytes = await toBytes(batch);
    if (classifier) attributes.push(...(await classifier.classify(batch)));
    batch.dispose();
    const side = resolution * resolution * 3;
    const items = Array.from({ length: count }, (_, k) => {
      const data = bytes.slice(k * side, (k + 1) * side);
      return { key: createHash('sha256').update(data).digest('hex'), load: () => ({ kind: 'raw' as const, data, width: resolution, height: resolution, channels: 3 as const }) };
    });
    images.set((await encoder.images(items)).features.data, start * dim);
    if (inception) await inception.add(items.map((item) => item.load().data)); // the same bytes, [R, R, 3] each
    const message = `generated and encoded ${start + count} of ${prompts.length} images${inception ? ' (CLIP and Inception)' : ''}`;
    job.progress({ fraction: 0.1 + (span * (start + count)) / prompts.length, message, step: start + count, total: prompts.length });
  }
  return { images, texts: text.data, dim, attributes };
}

/** The ShapesWorld figures of eval: shape, color, count and all three right. */
function attributeMetrics(attributes: readonly ImageAttributes[], asked: readonly AskedAttributes[]): Partial<EvalMetrics> {
  const accuracy = attributeAccuracy(attributes, asked);
  return { shapeAccuracy: accuracy.shapeAccuracy, colorAccuracy: accuracy.colorAccuracy, countAccuracy: accuracy.countAccuracy, attributeAccuracy: accuracy.allAccuracy };
}

/** The real images through the same Inception (and blur radii) as the generated ones, then FID, FID-k and IS. */
async function realAgainstGenerated(
  fake: InceptionRows,
  where: Parameters<typeof realInceptionRows>[1],
  resolution: number,
  input: Input,
  job: JobContext,
): Promise<Record<string, number>> {
  const real = new InceptionRows(fake.model, fake.radii, resolution);
  await realInceptionRows(real, where, resolution, input.batchSize, job, (done, total) =>
    job.progress({ fraction: 0.65 + (0.25 * done) / total, message: `real images through Inception: ${done} of ${total}`, step: done, total }),
  );
  const names = fake.radii.map((k) => (k === 0 ? 'FID' : `FID-${k}`)).join(', ');
  job.progress({ fraction: 0.92, message: `Fréchet distances of Inception features (${names})${fake.classes > 0 ? ' and the Inception Score' : ''}` });
  return inceptionMetrics(fake, real, () => job.throwIfCancelled());
}

export const ganEval: JobHandler<'gan-eval'> = {
  async run(input, job): Promise<EvaluationRecord> {
    await initBackend(job.backend);
    const db = openDatabase(job.dbPath);
    try {
      const run = trainingRun(new JobStore(db), input.run);
      const trained = run.input;
      const kept = await findGenerator(job.dataDir, input.run, input.step);
      const { step } = kept;
      const datasets = new DatasetStore(db);
      const prompts = input.prompts ? cyclePrompts(input.prompts, input.n) : drawPrompts(datasets, trained.dataset, input.n, input.seed);
      const inceptionFile = inceptionFileFor(input, job.dataDir);
      const radii = [0, ...[...new Set(input.blur)].sort((a, b) => a - b)]; // 0: plain FID
      const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), trained.model); // loads on first use
      let inception: InceptionOnnx | undefined;
      try {
        inception = inceptionFile ? await InceptionOnnx.load(inceptionFile) : undefined; // a bad file fails before anything is generated
        job.progress({ fraction: 0.05, message: `measuring step ${step} on ${prompts.length} images${input.promptFile ? ` (prompts of ${input.promptFile})` : ''}` });
        const asked = shapesPrompts(prompts);
        const classifier = asked ? await loadClassifier(join(builtinModelDir(SHAPES_CLASSIFIER_ID), CLASSIFIER_FILE)) : undefined;
        const source = await loadRunImageSource(kept, run, encoder.model.dim);
        const resolution = source.resolution;
        const fakeInception = inception && new InceptionRows(inception, radii, resolution);
        const generated = await generate(source, prompts, encoder, { classifier, inception: fakeInception }, input, job, resolution).finally(() => {
          source.dispose();
          classifier?.dispose();
        });
        job.progress({ fraction: inception ? 0.62 : 0.85, message: 'real image features' });
        const real = await encoder.images(datasetImageItems(datasets, job.dataDir, trained.dataset), { signal: job.signal });
        const where = { datasets, dataDir: job.dataDir, dataset: trained.dataset };
        const inceptionFigures = fakeInception ? await realAgainstGenerated(fakeInception, where, resolution, input, job) : {};
        const metrics: EvalMetrics = {
          fdClip: frechetDistanceOfRows(generated.images, real.features.data, generated.dim, { epsilon: 0 }).distance, // the eigenvalue route is exact without pytorch-fid's ε
          clipScore: clipScore(generated.images, generated.texts, generated.dim),
          ...(prompts.length >= DEFAULT_R_PRECISION_CANDIDATES ? { rPrecision: rPrecision(generated.images, generated.texts, generated.dim, { seed: input.seed }) } : {}),
          ...(asked ? attributeMetrics(generated.attributes, asked) : {}),
          ...inceptionFigures,
        };
        const record = { jobId: job.jobId, runId: input.run, step, images: prompts.length, metrics: metrics as EvalMetrics & Record<string, number> };
        const evaluations = new EvaluationStore(db);
        evaluations.add(record);
        return listEvaluations(evaluations, new JobStore(db), input.run).find((row) => row.id === job.jobId)!;
      } finally {
        await encoder.dispose();
        await inception?.dispose();
      }
    } finally {
      db.close();
    }
  },
};
