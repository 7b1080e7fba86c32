/**
 * The conditions h of each training batch (for the `gan-train` job): language-free pseudo text
 * features (Lafite eq. 1 Gaussian and eq. 2 trained perturbation, fresh noise per batch;
 * Lafite2 §3.1 retrieval, one of each image's top-m prompts per iteration; Lafite2 eq. 2 CLO
 * per mini-batch from retrieval, Gaussian or uniform starts; Lafite2 §3.3 the schedule from
 * Gaussian to retrieval), real captions, or both (semi-supervised). Every draw is seeded by
 * (seed, step), so a resumed run conditions each step as the first attempt did.
 */
import * as tf from '@tensorflow/tfjs';
import { CLO_OPTION_DEFAULTS } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import { contrastiveLatentOptimization, uniformOnSphere } from '../engine/pseudo/clo.ts';
import { gaussianPseudoFeatures } from '../engine/pseudo/gaussian.ts';
import { l2Normalise } from '../engine/normalise.ts';
import { PerturbationNet } from '../engine/pseudo/perturbation-nn.ts';
import { retrievalShare } from '../engine/pseudo/schedule.ts';
import { mulberry32 } from '../engine/random.ts';
import { gatherRows } from '../engine/rows.ts';
import type { DatasetStore } from '../store/datasets.ts';
import type { PseudoStore } from '../store/pseudo.ts';
import type { JobInput } from './job-kind.ts';
import { readPerturbationFile } from './perturbation-files.ts';
import { pseudoRunFor } from './pseudo-run.ts';
import { captionConditions, retrievalConditions, sampleRetrieved, type RetrievedConditions, type PromptEncoder, type TrainingImages } from './training-data.ts';

type Input = JobInput<'gan-train'>;

/** The conditions h of a batch ([B, D]) for the training rows of `rows` at a step. */
export type Conditions = (rows: readonly number[], step: number) => tf.Tensor2D;

/** What the trainer conditions on: its rows (images with a condition), h per batch, and what to release at the end. */
export interface TrainConditions {
  rows: number[];
  h: Conditions;
  /** The stored pseudo run the conditions come from (retrieval, or CLO from retrieval). */
  pseudoRun: string | null;
  dispose(): void;
}

/** Where conditions are read from. */
export interface ConditionSources {
  datasets: DatasetStore;
  pseudo: PseudoStore;
  encoder: PromptEncoder;
  dataDir: string;
}

/** Seeds of the per-step draws, apart so that no two draws of a step share a stream. */
const SEED = { gaussian: 7919, nn: 7927, schedule: 13, captions: 31, mix: 17, retrieved: 104_729, uniform: 15_485_863 } as const;

/** Per sample, b's row where `useB` says so, else a's (each computed only if some sample needs it). */
function perSample(useB: readonly boolean[], a: () => tf.Tensor2D, b: () => tf.Tensor2D): tf.Tensor2D {
  if (!useB.some(Boolean)) return a();
  if (useB.every(Boolean)) return b();
  return tf.tidy(() => tf.where(tf.tensor2d(useB.slice(), [useB.length, 1], 'bool'), b(), a()) as tf.Tensor2D); // [B, 1] broadcasts over features
}

/** Lafite2 §3.1/§3.3: per sample one of its image's top-m prompt features, drawn uniformly by (seed, step). */
export function retrievedFeatures(retrieved: RetrievedConditions, dim: number, seed: number): Conditions {
  return (rows, step) => {
    const picks = sampleRetrieved(retrieved, rows, mulberry32(seed * SEED.retrieved + step));
    return gatherRows(retrieved.features, dim, picks, [dim]) as tf.Tensor2D; // [B, D]
  };
}

/** Lafite2 eq. 2 in every mini-batch, K, η and τ as asked, from the sampled retrieval features, a Gaussian draw or uniform points. */
function cloConditions(input: Input, images: Conditions, start: Conditions): Conditions {
  const options = { steps: input.cloSteps, stepSize: input.cloStepSize, tau: input.cloTau };
  return (rows, step) =>
    tf.tidy(() => {
      const f = images(rows, step);
      return contrastiveLatentOptimization(start(rows, step), f, options);
    });
}

/** Lafite eq. 2 with a trained perturbation network: h' = n(f + r1(f) + ε ⊙ exp(r2(f))), fresh ε every batch. */
async function nnConditions(input: Input, images: Conditions, dataDir: string): Promise<{ h: Conditions; net: PerturbationNet }> {
  const file = await readPerturbationFile(dataDir, input.nn!);
  if (file.model !== input.model)
    throw invalidInput(`perturbation network '${input.nn}' was trained for ${file.model}, not ${input.model}: train with --model ${file.model}`, 'nn');
  const net = PerturbationNet.fromFile(file);
  return { net, h: (rows, step) => tf.tidy(() => net.perturb(images(rows, step), { seed: input.seed * SEED.nn + step })) };
}

/** Language-free conditions, scheduled (Lafite2 §3.3: Gaussian features first, retrieval or CLO brought in per sample). */
async function pseudoConditions(input: Input, data: TrainingImages, sources: ConditionSources): Promise<Omit<TrainConditions, 'rows'>> {
  const images: Conditions = (rows) => gatherRows(data.features, data.dim, rows, [data.dim]) as tf.Tensor2D;
  const gaussian: Conditions = (rows, step) => tf.tidy(() => gaussianPseudoFeatures(images(rows, step), { xi: input.xi, seed: input.seed * SEED.gaussian + step }));
  const none = { pseudoRun: null, dispose: () => undefined };
  if (input.pseudo === 'gaussian' || input.pseudo === 'captions') return { ...none, h: gaussian };
  if (input.pseudo === 'nn') {
    const { h, net } = await nnConditions(input, images, sources.dataDir);
    return { h, pseudoRun: null, dispose: () => net.dispose() };
  }
  let method: Conditions;
  let pseudoRun: string | null = null;
  if (input.pseudo === 'retrieval' || input.cloInit === 'retrieval') {
    const run = pseudoRunFor(sources.pseudo, input);
    const retrieved = retrievedFeatures(await retrievalConditions(sources.pseudo, sources.encoder, run, data.ids), data.dim, input.seed);
    method = input.pseudo === 'retrieval' ? retrieved : cloConditions(input, images, retrieved);
    pseudoRun = run.id;
  } else {
    const uniform: Conditions = (rows, step) => uniformOnSphere(rows.length, data.dim, input.seed * SEED.uniform + step);
    method = cloConditions(input, images, input.cloInit === 'gaussian' ? gaussian : uniform);
  }
  const schedule = input.schedule;
  if (!schedule) return { h: method, pseudoRun, dispose: none.dispose };
  const scheduled: Conditions = (rows, step) => {
    const rng = mulberry32(input.seed * SEED.schedule + step);
    const share = retrievalShare(schedule, step);
    return perSample(
      rows.map(() => rng() < share),
      () => gaussian(rows, step),
      () => method(rows, step),
    );
  };
  return { h: scheduled, pseudoRun, dispose: none.dispose };
}

/** Real captions: one of each image's captions per step (zeros for an image without any). */
function captionFeatures(captions: Map<number, Float32Array[]>, data: TrainingImages, seed: number): Conditions {
  return (rows, step) => {
    const rng = mulberry32(seed * SEED.captions + step);
    const values = new Float32Array(rows.length * data.dim);
    rows.forEach((row, i) => {
      const list = captions.get(data.ids[row]!);
      if (list) values.set(list[Math.floor(rng() * list.length)]!, i * data.dim);
    });
    return tf.tidy(() => l2Normalise(tf.tensor2d(values, [rows.length, data.dim])));
  };
}

/** The rows a run trains on and their conditions, as `input.pseudo` and `input.captionShare` ask. */
export async function conditionsFor(stored: Input, data: TrainingImages, sources: ConditionSources): Promise<TrainConditions> {
  const input: Input = { ...CLO_OPTION_DEFAULTS, ...stored }; // a run made before CLO took options resumes with their defaults
  const all = data.ids.map((_, i) => i);
  const wantsCaptions = input.pseudo === 'captions' || input.captionShare > 0;
  const captions = wantsCaptions ? await captionConditions(sources.datasets, sources.encoder, input.dataset) : undefined;
  if (input.pseudo === 'captions') {
    const rows = all.filter((i) => captions!.has(data.ids[i]!));
    if (rows.length < 2) throw invalidInput(`only ${rows.length} of the training images have captions: supervised training needs at least 2`, 'pseudo');
    return { rows, h: captionFeatures(captions!, data, input.seed), pseudoRun: null, dispose: () => undefined };
  }
  const pseudo = await pseudoConditions(input, data, sources);
  if (!captions) return { rows: all, ...pseudo };
  // Semi-supervised (the official mixing_prob): a captioned image uses its caption with probability captionShare.
  const real = captionFeatures(captions, data, input.seed);
  const h: Conditions = (rows, step) => {
    const rng = mulberry32(input.seed * SEED.mix + step);
    return perSample(
      rows.map((row) => captions.has(data.ids[row]!) && rng() < input.captionShare),
      () => pseudo.h(rows, step),
      () => real(rows, step),
    );
  };
  return { rows: all, ...pseudo, h };
}
