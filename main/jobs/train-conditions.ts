/**
 * The conditions h of each training batch (for the `gan-train` and `diffusion-train` jobs): language-free pseudo text
 * features (Lafite eq. 1 Gaussian and eq. 2 trained perturbation, fresh noise per batch;
 * Lafite2 §3.1 retrieval, one of each image's top-m prompts per iteration; Lafite2 eq. 2 CLO
 * per mini-batch from retrieval, Gaussian or uniform starts; Lafite2 §3.3 the schedule from
 * Gaussian to retrieval), real captions, or both (semi-supervised): what the store holds for a
 * run, handed to the per-batch functions of engine/pseudo/conditions.ts.
 */
import { CLO_OPTION_DEFAULTS } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import {
  captionConditions as captionFeatures,
  cloConditions,
  gaussianConditions,
  imageConditions,
  mixedConditions,
  perturbedConditions,
  retrievedConditions,
  scheduledConditions,
  uniformConditions,
  type Conditions,
} from '../engine/pseudo/conditions.ts';
import { PerturbationNet } from '../engine/pseudo/perturbation-nn.ts';
import type { DatasetStore } from '../store/datasets.ts';
import type { PseudoStore } from '../store/pseudo.ts';
import type { JobInput } from './job-kind.ts';
import { readPerturbationFile } from './perturbation-files.ts';
import { pseudoRunFor } from './pseudo-run.ts';
import { captionConditions, retrievalConditions, type PromptEncoder, type TrainingImages } from './training-data.ts';

export type { Conditions } from '../engine/pseudo/conditions.ts';

/** The fields of a training input the conditions depend on: gan-train's and diffusion-train's alike. */
type Input = Pick<
  JobInput<'gan-train'>,
  'dataset' | 'model' | 'pseudo' | 'pseudoRun' | 'nn' | 'xi' | 'seed' | 'schedule' | 'captionShare' | 'cloSteps' | 'cloStepSize' | 'cloTau' | 'cloInit'
>;

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

/** Lafite eq. 2's trained perturbation network, read from its file and checked against the run's encoder. */
async function perturbationNet(input: Input, dataDir: string): Promise<PerturbationNet> {
  const file = await readPerturbationFile(dataDir, input.nn!);
  if (file.model !== input.model)
    throw invalidInput(`perturbation network '${input.nn}' was trained for ${file.model}, not ${input.model}: train with --model ${file.model}`, 'nn');
  return PerturbationNet.fromFile(file);
}

/** Language-free conditions (engine/pseudo/conditions.ts), from what the store holds for this run. */
async function pseudoConditions(input: Input, data: TrainingImages, sources: ConditionSources): Promise<Omit<TrainConditions, 'rows'>> {
  const images = imageConditions(data.features, data.dim);
  const gaussian = gaussianConditions(images, input.xi, input.seed);
  const none = { pseudoRun: null, dispose: () => undefined };
  if (input.pseudo === 'gaussian' || input.pseudo === 'captions') return { ...none, h: gaussian };
  if (input.pseudo === 'nn') {
    const net = await perturbationNet(input, sources.dataDir);
    return { h: perturbedConditions(images, net, input.seed), pseudoRun: null, dispose: () => net.dispose() };
  }
  const clo = { steps: input.cloSteps, stepSize: input.cloStepSize, tau: input.cloTau };
  let method: Conditions;
  let pseudoRun: string | null = null;
  if (input.pseudo === 'retrieval' || input.cloInit === 'retrieval') {
    const run = pseudoRunFor(sources.pseudo, input);
    const retrieved = retrievedConditions(await retrievalConditions(sources.pseudo, sources.encoder, run, data.ids), data.dim, input.seed);
    method = input.pseudo === 'retrieval' ? retrieved : cloConditions(images, retrieved, clo);
    pseudoRun = run.id;
  } else {
    method = cloConditions(images, input.cloInit === 'gaussian' ? gaussian : uniformConditions(data.dim, input.seed), clo);
  }
  const h = input.schedule ? scheduledConditions(input.schedule, input.seed, gaussian, method) : method;
  return { h, pseudoRun, dispose: none.dispose };
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
    return { rows, h: captionFeatures(captions!, data.ids, data.dim, input.seed), pseudoRun: null, dispose: () => undefined };
  }
  const pseudo = await pseudoConditions(input, data, sources);
  if (!captions) return { rows: all, ...pseudo };
  // Semi-supervised (the official mixing_prob): a captioned image uses its caption with probability captionShare.
  const real = captionFeatures(captions, data.ids, data.dim, input.seed);
  return { rows: all, ...pseudo, h: mixedConditions((row) => captions.has(data.ids[row]!), input.captionShare, input.seed, pseudo.h, real) };
}
