/**
 * Job kind `pseudo-synth`: pseudo text features for a dataset's imported images, by Gaussian
 * perturbation (Lafite eq. 1), a trained perturbation network (Lafite eq. 2), retrieval of template prompts (Lafite2 §3.1) and contrastive
 * latent optimization (Lafite2 eq. 2). Each method's run is stored under the hash of its
 * configuration and of the dataset's images: asking again for the same thing reuses it.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { PseudoMethodName, PseudoRunRecord, PseudoSynthResult } from '../../contract/index.ts';
import { invalidInput } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { mulberry32 } from '../../engine/random.ts';
import { gatherRows, rowDot } from '../../engine/rows.ts';
import { contrastiveLatentOptimization, contrastiveLogLikelihood, uniformOnSphere } from '../../engine/pseudo/clo.ts';
import { DEFAULT_XI, gaussianPseudoFeatures } from '../../engine/pseudo/gaussian.ts';
import { PerturbationNet, type PerturbationFile } from '../../engine/pseudo/perturbation-nn.ts';
import { retrievePrompts, vocabularyFeatures, type VocabularyFeatures } from '../../engine/pseudo/retrieval.ts';
import { nearestCaptionCosines, similarityStats } from '../../engine/pseudo/stats.ts';
import type { ParsedTemplate } from '../../engine/pseudo/templates.ts';
import type { VocabularySet } from '../../engine/pseudo/vocabulary.ts';
import type { Db } from '../../store/db.ts';
import { VocabularySetStore } from '../../store/vocabulary-sets.ts';
import { parsedTemplates, resolveVocabularySet } from '../vocabulary-sets.ts';
import { DatasetStore } from '../../store/datasets.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { ModelStore } from '../../store/models.ts';
import { PseudoStore, toPseudoRunRecord, type PseudoFeatureRow } from '../../store/pseudo.ts';
import { CachedEncoder, datasetImageItems } from '../dataset-features.ts';
import type { JobContext, JobHandler, JobInput } from '../job-kind.ts';
import { readPerturbationFile } from '../perturbation-files.ts';

type Input = JobInput<'pseudo-synth'>;

const sha256Of = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** A run's version: the hash of what determines its features. */
const runId = (config: Record<string, unknown>): string => createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);

/** What each method's features depend on (and nothing else, so unrelated options do not fork versions). */
function configOf(method: PseudoMethodName, input: Input, imagesHash: string, nnFileHash: string | null, wordsHash: string | null): Record<string, unknown> {
  // The dataset too: its rows are keyed by its image ids, so two datasets of the same pictures need runs of their own.
  const base = { method, dataset: input.dataset, model: input.model, images: imagesHash, seed: input.seed };
  // The set's content, not only its name: an edited vocabulary is a new version.
  const retrieval = {
    vocabulary: input.vocabulary,
    templates: input.templates ?? input.vocabulary,
    words: wordsHash,
    k: input.k,
    m: input.m,
    mode: input.mode,
    keepCore: input.keepCore,
    threshold: input.threshold ?? null,
    refineSteps: input.refineSteps,
  };
  const gaussian = { form: input.form, xi: input.xi ?? DEFAULT_XI[input.form] };
  if (method === 'gaussian') return { ...base, ...gaussian };
  if (method === 'nn') return { ...base, nn: input.nn ?? null, nnFile: nnFileHash };
  if (method === 'retrieval') return { ...base, ...retrieval };
  const init = input.cloInit === 'retrieval' ? retrieval : input.cloInit === 'gaussian' ? gaussian : {};
  return { ...base, init: input.cloInit, ...init, steps: input.cloSteps, stepSize: input.cloStepSize, tau: input.cloTau, batch: input.cloBatch };
}

interface Context {
  input: Input;
  job: JobContext;
  store: PseudoStore;
  encoder: CachedEncoder;
  imageIds: number[];
  /** [N, D] unit rows, in imageIds order. */
  images: Float32Array;
  dim: number;
  imagesHash: string;
  /** The trained perturbation network of the nn method, when one is named. */
  nnFile: PerturbationFile | undefined;
  /** Features of the dataset's real captions ([C, D]), where it has some. */
  captionFeatures: Float32Array | undefined;
  /** The vocabulary set and templates, when retrieval is asked for. */
  words: { vocabularySet: VocabularySet; templates: ParsedTemplate[] } | undefined;
}

/**
 * Completes a run with its statistics (Lafite2 Figure 1) and, where the dataset has captions,
 * how far inside the text encoder's output region its features lie: the mean cosine of each
 * feature to its nearest real-caption feature.
 */
async function finishRun(ctx: Context, id: string, features: Float32Array, summary: Record<string, number>): Promise<void> {
  const nearest = ctx.captionFeatures ? { nearestCaptionCosine: (await nearestCaptionCosines(features, ctx.captionFeatures, ctx.dim)).mean } : {};
  ctx.store.finish(id, similarityStats(ctx.images, features, ctx.dim, { seed: ctx.input.seed }), { ...summary, ...nearest });
}

/** Stores one feature per image (rank 0) and completes the run. */
async function storeVectors(ctx: Context, id: string, features: Float32Array, summary: Record<string, number>): Promise<void> {
  const rows: PseudoFeatureRow[] = ctx.imageIds.map((imageId, i) => ({
    imageId,
    rank: 0,
    prompt: null,
    score: rowDot(ctx.images, i, features, i, ctx.dim),
    vector: features.slice(i * ctx.dim, (i + 1) * ctx.dim),
  }));
  ctx.store.putFeatures(id, rows);
  await finishRun(ctx, id, features, summary);
}

async function gaussianFeatures(ctx: Context): Promise<Float32Array> {
  const f = tf.tensor2d(ctx.images, [ctx.imageIds.length, ctx.dim]);
  const xi = ctx.input.xi ?? DEFAULT_XI[ctx.input.form];
  const h = gaussianPseudoFeatures(f, { xi, form: ctx.input.form, seed: ctx.input.seed });
  const data = (await h.data()) as Float32Array;
  tf.dispose([f, h]);
  return Float32Array.from(data);
}

/** Lafite eq. 2 with the named trained network. */
async function nnFeatures(ctx: Context): Promise<Float32Array> {
  const net = PerturbationNet.fromFile(ctx.nnFile!);
  const f = tf.tensor2d(ctx.images, [ctx.imageIds.length, ctx.dim]);
  const h = net.perturb(f, { seed: ctx.input.seed });
  const data = Float32Array.from(await h.data());
  tf.dispose([f, h]);
  net.dispose();
  return data;
}

/** The vocabulary set and its templates (saved in this data folder, else the default), checked against each other. */
async function loadWordsAndTemplates(input: Input, db: Db): Promise<{ vocabularySet: VocabularySet; templates: ParsedTemplate[] }> {
  const set = await resolveVocabularySet(new VocabularySetStore(db), input.vocabulary, input.templates ?? input.vocabulary);
  return { vocabularySet: set.vocabulary, templates: parsedTemplates(set) };
}

/** The templates, with the text features of the vocabularies they use. */
async function retrievalInputs(ctx: Context): Promise<{ templates: ParsedTemplate[]; vocabularies: VocabularyFeatures[] }> {
  const { vocabularySet, templates } = ctx.words!;
  const vocabularies = await vocabularyFeatures(vocabularySet.vocabularies, templates, async (vocabulary) => {
    ctx.job.progress({ fraction: 0.1, message: `encoding the ${vocabulary.entries.length} words of ${vocabulary.name}` });
    return (await ctx.encoder.texts(vocabulary.entries, { signal: ctx.job.signal })).data;
  });
  return { templates, vocabularies };
}

async function runRetrieval(ctx: Context, id: string): Promise<void> {
  const { templates, vocabularies } = await retrievalInputs(ctx);
  let encodedSoFar = 0;
  const result = await retrievePrompts({
    images: ctx.images,
    dim: ctx.dim,
    templates,
    vocabularies,
    encode: async (prompts) => {
      ctx.job.throwIfCancelled();
      const features = await ctx.encoder.texts(prompts, {
        signal: ctx.job.signal,
        onProgress: (done, total) =>
          ctx.job.progress({ fraction: 0.2 + 0.6 * (done / Math.max(1, total)), message: `encoding prompts: ${encodedSoFar + done} distinct so far`, step: done, total }),
      });
      encodedSoFar += prompts.length;
      return features.data;
    },
    options: {
      k: ctx.input.k,
      m: ctx.input.m,
      mode: ctx.input.mode,
      keepCore: ctx.input.keepCore,
      refineSteps: ctx.input.refineSteps,
      ...(ctx.input.threshold !== undefined ? { threshold: ctx.input.threshold } : {}),
    },
  });
  ctx.store.putFeatures(
    id,
    result.perImage.flatMap((prompts, i) => prompts.map((p, rank) => ({ imageId: ctx.imageIds[i]!, rank, prompt: p.prompt, score: p.score, vector: null }))),
  );
  const top = await topPromptFeatures(
    ctx,
    result.perImage.map((p) => p[0]?.prompt),
  );
  await finishRun(ctx, id, top, {
    distinctPrompts: result.distinctPrompts,
    naivePrompts: result.naivePrompts,
    encodingsSaved: result.naivePrompts / Math.max(1, result.distinctPrompts),
    imagesWithoutPrompt: result.perImage.filter((p) => p.length === 0).length,
  });
}

/** Each image's best prompt's feature ([N, D]); an image without one (threshold) gets its own image feature. */
async function topPromptFeatures(ctx: Context, prompts: (string | undefined)[]): Promise<Float32Array> {
  const present = prompts.filter((p): p is string => p !== undefined);
  const features = await ctx.encoder.texts(present);
  const out = new Float32Array(ctx.images.length);
  let next = 0;
  prompts.forEach((prompt, i) => {
    const source = prompt !== undefined ? features.data.subarray(next++ * ctx.dim, next * ctx.dim) : ctx.images.subarray(i * ctx.dim, (i + 1) * ctx.dim);
    out.set(source, i * ctx.dim);
  });
  return out;
}

/** CLO's starting features: the retrieval run's best prompts, a Gaussian draw, or uniform points on the sphere. */
async function cloStart(ctx: Context): Promise<Float32Array> {
  if (ctx.input.cloInit === 'gaussian') return gaussianFeatures(ctx);
  if (ctx.input.cloInit === 'uniform') {
    const h = uniformOnSphere(ctx.imageIds.length, ctx.dim, ctx.input.seed);
    const data = Float32Array.from(await h.data());
    h.dispose();
    return data;
  }
  const retrieval = await ensureRun(ctx, 'retrieval');
  const best = new Map(ctx.store.features(retrieval.id, { maxRank: 1 }).map((row) => [row.imageId, row.prompt ?? undefined]));
  return topPromptFeatures(
    ctx,
    ctx.imageIds.map((id) => best.get(id)),
  );
}

async function runClo(ctx: Context, id: string): Promise<void> {
  const start = await cloStart(ctx);
  const n = ctx.imageIds.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = mulberry32(ctx.input.seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out = new Float32Array(start.length);
  let gain = 0;
  for (let b = 0; b < n; b += ctx.input.cloBatch) {
    ctx.job.throwIfCancelled();
    const batch = order.slice(b, b + ctx.input.cloBatch);
    const gather = (source: Float32Array): tf.Tensor2D => gatherRows(source, ctx.dim, batch, [ctx.dim]) as tf.Tensor2D;
    const [h0, f] = [gather(start), gather(ctx.images)];
    const h = contrastiveLatentOptimization(h0, f, { steps: ctx.input.cloSteps, stepSize: ctx.input.cloStepSize, tau: ctx.input.cloTau });
    const [after, before] = [contrastiveLogLikelihood(h, f, ctx.input.cloTau), contrastiveLogLikelihood(h0, f, ctx.input.cloTau)];
    gain += ((await after.data())[0]! - (await before.data())[0]!) * batch.length;
    const data = (await h.data()) as Float32Array;
    batch.forEach((i, row) => out.set(data.subarray(row * ctx.dim, (row + 1) * ctx.dim), i * ctx.dim));
    tf.dispose([h0, f, h, after, before]);
    ctx.job.progress({ fraction: 0.8 + 0.2 * Math.min(1, (b + batch.length) / n), message: `contrastive latent optimization: ${Math.min(n, b + batch.length)} of ${n} images` });
  }
  await storeVectors(ctx, id, out, { meanLogLikelihoodGain: gain / n });
}

/** Runs one method, or reuses its stored run of the same version. */
async function ensureRun(ctx: Context, method: PseudoMethodName): Promise<PseudoRunRecord & { reused: boolean }> {
  const config = configOf(method, ctx.input, ctx.imagesHash, ctx.nnFile ? sha256Of(ctx.nnFile.weights) : null, ctx.words ? sha256Of(ctx.words) : null);
  const id = runId(config);
  const existing = ctx.store.get(id);
  if (existing?.complete) return { ...toPseudoRunRecord(existing), reused: true };
  ctx.store.begin({ id, datasetId: ctx.input.dataset, method, modelId: ctx.input.model, config });
  ctx.job.progress({ fraction: 0.05, message: `${method} features of ${ctx.imageIds.length} images` });
  if (method === 'gaussian') await storeVectors(ctx, id, await gaussianFeatures(ctx), {});
  else if (method === 'nn') await storeVectors(ctx, id, await nnFeatures(ctx), { trainedMeanCosine: ctx.nnFile!.training.meanCosine });
  else if (method === 'retrieval') await runRetrieval(ctx, id);
  else await runClo(ctx, id);
  return { ...toPseudoRunRecord(ctx.store.get(id)!), reused: false };
}

/** The text features of the dataset's captions (cached), or undefined when it has none. */
async function captionFeatures(datasets: DatasetStore, encoder: CachedEncoder, dataset: string, job: JobContext): Promise<Float32Array | undefined> {
  const texts = [...new Set(datasets.captionPairs(dataset).map((pair) => pair.text))];
  if (texts.length === 0) return undefined;
  job.progress({ fraction: 0.02, message: `text features of ${texts.length} captions` });
  return (await encoder.texts(texts, { signal: job.signal })).data;
}

export const pseudoSynth: JobHandler<'pseudo-synth'> = {
  async run(input, job) {
    const started = performance.now();
    await initBackend(job.backend);
    const db = openDatabase(job.dbPath);
    const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
    try {
      const datasets = new DatasetStore(db);
      const items = datasetImageItems(datasets, job.dataDir, input.dataset);
      const methods: PseudoMethodName[] = input.method === 'all' ? ['gaussian', ...(input.nn ? ['nn' as const] : []), 'retrieval', 'clo'] : [input.method];
      const nnFile = input.nn ? await readPerturbationFile(job.dataDir, input.nn) : undefined;
      if (nnFile && nnFile.model !== input.model) throw invalidInput(`perturbation network '${input.nn}' was trained for ${nnFile.model}, not ${input.model}`, 'nn');
      const needsWords = methods.includes('retrieval') || (methods.includes('clo') && input.cloInit === 'retrieval');
      const words = needsWords ? await loadWordsAndTemplates(input, db) : undefined; // bad names fail before any work
      if (items.length < 2) throw invalidInput(`dataset '${input.dataset}' has ${items.length} imported images: pseudo features need at least 2`, 'dataset');
      job.progress({ fraction: 0, message: `image features of ${items.length} images` });
      const { features } = await encoder.images(items, { signal: job.signal });
      const ctx: Context = {
        input,
        job,
        store: new PseudoStore(db),
        encoder,
        imageIds: datasets.importedImages(input.dataset).map((image) => image.id),
        images: features.data,
        dim: features.dim,
        imagesHash: createHash('sha256')
          .update(items.map((item) => item.key).join('\n'))
          .digest('hex'),
        nnFile,
        words,
        captionFeatures: await captionFeatures(datasets, encoder, input.dataset, job),
      };
      const runs = [];
      for (const method of methods) runs.push(await ensureRun(ctx, method));
      const result: PseudoSynthResult = { dataset: input.dataset, images: items.length, runs, seconds: (performance.now() - started) / 1000 };
      return result;
    } finally {
      await encoder.dispose();
      db.close();
    }
  },
};
