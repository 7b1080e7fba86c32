/**
 * The training form: Lafite's conditional StyleGAN2 (`gan-train` job). Its values, their
 * defaults (the schema's, with the `shapes` preset and Gaussian pseudo features), the presets
 * as a table (network size, what each is for, the schedule it suggests), the checks, made by
 * the API's own schema so the form refuses exactly what the API would, and the job input it
 * sends. Pure: no store, no API.
 *
 * @example
 *   const form = withPreset({ ...DEFAULT_TRAIN_FORM, dataset: 'shapes' }, 'tiny');
 *   if (Object.keys(checkTrainForm(form)).length === 0) await useTrainingStore().start(trainInput(form));
 */
import { GAN_TRAIN_JOB_OPTIONS as OPTIONS, trainingJobSchemas, usesPseudoRun, type CloInit, type PseudoRunRecord, type TrainCondition } from '../../../main/contract/index.ts';
import { issueMessage, type SchemaIssue } from './schema-issues.ts';

export type PresetName = 'tiny' | 'shapes' | 'shapes64' | 'paper';
export type TrainSubset = 'all' | 'train' | 'fewshot';

/** The form's values; '' is an empty number field. */
export interface TrainForm {
  dataset: string;
  /** CLIP encoder of the conditions (and of ConG). */
  model: string;
  preset: PresetName;
  pseudo: TrainCondition;
  /** With retrieval, or CLO from retrieval: the stored retrieval run to train on; '' is the newest. */
  pseudoRun: string;
  /** With nn: the trained perturbation network (Lafite eq. 2); '' is none chosen yet. */
  nn: string;
  /** CLO in every mini-batch (Lafite2 eq. 2): K steps of size η at temperature τ, from retrieval, Gaussian or uniform features. */
  cloSteps: number | '';
  cloStepSize: number | '';
  cloTau: number | '';
  cloInit: CloInit;
  /** Gaussian noise level ξ (Lafite eq. 1, paper form). */
  xi: number | '';
  steps: number | '';
  batchSize: number | '';
  learningRate: number | '';
  /** ConG: the contrastive loss through CLIP's image tower (Lafite eq. 7). */
  conG: boolean;
  checkpointEvery: number | '';
  sampleEvery: number | '';
  seed: number | '';
  /** Prompts of the sample grids, one a line; empty: the first 8 training images' conditions. */
  samplePrompts: string;
  /** With retrieval or CLO: bring their features in linearly from `scheduleStart` to `scheduleEnd` (Lafite2 §3.3); off: always them. */
  schedule: boolean;
  scheduleStart: number | '';
  scheduleEnd: number | '';
  /** The share on them at the end; '' is all. */
  scheduleShare: number | '';
  /** Semi-supervised: the chance that a captioned image is conditioned on its caption. */
  captionShare: number | '';
  subset: TrainSubset;
  /** Fine-tune from this run's networks; '' trains from scratch. */
  init: string;
  /** Freeze-D: discriminator blocks left untrained, from the input side. */
  freezeD: number | '';
  /** Time budget in minutes: the run ends at a checkpoint once it has trained this long; '' is none. */
  minutes: number | '';
}
export type TrainField = keyof TrainForm;

/** What a preset suggests besides the network: the length and cadence of a run. */
export type PresetSchedule = Pick<TrainForm, 'steps' | 'batchSize' | 'checkpointEvery' | 'sampleEvery'>;

export interface PresetGuide {
  /** Output side in pixels (engine/gan/presets.ts). */
  resolution: number;
  title: string;
  /** What it is for, in a line. */
  purpose: string;
  schedule: PresetSchedule;
}

/** The network presets of the `gan-train` schema, as the form offers them. */
export const PRESET_GUIDES: Readonly<Record<PresetName, PresetGuide>> = {
  tiny: {
    resolution: 16,
    title: 'Tiny',
    purpose: 'A quick check that training runs end to end: a few seconds per 10 steps on a CPU.',
    schedule: { steps: 300, batchSize: 8, checkpointEvery: 50, sampleEvery: 25 },
  },
  shapes: {
    resolution: 32,
    title: 'Shapes',
    purpose: 'The built-in ShapesWorld domain on a CPU: learns colours and shapes in a few thousand steps.',
    schedule: { steps: 2000, batchSize: 8, checkpointEvery: 100, sampleEvery: 100 },
  },
  shapes64: {
    resolution: 64,
    title: 'Shapes 64',
    purpose: 'ShapesWorld at 64 px, where small shapes are large enough to tell apart: about half the speed of Shapes on a CPU.',
    schedule: { steps: 4000, batchSize: 8, checkpointEvery: 100, sampleEvery: 200 },
  },
  paper: {
    resolution: 256,
    title: 'Paper',
    purpose: "Lafite's 256 px network for real photos: needs a GPU and long runs.",
    schedule: { steps: 50_000, batchSize: 16, checkpointEvery: 1000, sampleEvery: 1000 },
  },
};
export const PRESET_ORDER: readonly PresetName[] = ['tiny', 'shapes', 'shapes64', 'paper'];

/** Where the conditions come from, in the UI's words. */
export const CONDITION_LABELS: Record<TrainCondition, string> = {
  gaussian: 'Gaussian (Lafite)',
  nn: 'Trained perturbation (Lafite_NN)',
  retrieval: 'Retrieval (Lafite2)',
  clo: 'Retrieval + CLO (Lafite2)',
  captions: 'Real captions',
};

/** The `gan-train` option table's defaults (main/contract/training.ts: the schema's too) with the `shapes` preset and Gaussian features; no dataset yet. */
export const DEFAULT_TRAIN_FORM: Readonly<TrainForm> = {
  dataset: '',
  model: OPTIONS.model.default,
  preset: OPTIONS.preset.default,
  pseudo: OPTIONS.pseudo.default,
  pseudoRun: '',
  nn: '',
  cloSteps: OPTIONS.cloSteps.default,
  cloStepSize: OPTIONS.cloStepSize.default,
  cloTau: OPTIONS.cloTau.default,
  cloInit: OPTIONS.cloInit.default,
  xi: OPTIONS.xi.default,
  steps: OPTIONS.steps.default,
  batchSize: OPTIONS.batchSize.default,
  learningRate: OPTIONS.learningRate.default,
  conG: OPTIONS.conG.default,
  checkpointEvery: OPTIONS.checkpointEvery.default,
  sampleEvery: OPTIONS.sampleEvery.default,
  seed: OPTIONS.seed.default,
  samplePrompts: '',
  schedule: false,
  scheduleStart: 0,
  scheduleEnd: 1000,
  scheduleShare: '',
  captionShare: OPTIONS.captionShare.default,
  subset: OPTIONS.subset.default,
  init: '',
  freezeD: OPTIONS.freezeD.default,
  minutes: '',
};

/** The form with `preset` chosen and its suggested schedule filled in. */
export const withPreset = (form: TrainForm, preset: PresetName): TrainForm => ({ ...form, preset, ...PRESET_GUIDES[preset].schedule });

/** Whether the schedule fields apply: only retrieval and CLO features are brought in over time. */
export const usesSchedule = (pseudo: TrainCondition): boolean => pseudo === 'retrieval' || pseudo === 'clo';

/** Whether the form trains on a stored retrieval run (retrieval, or CLO starting from retrieval). */
export const usesRetrievalRun = (form: Pick<TrainForm, 'pseudo' | 'cloInit'>): boolean => usesPseudoRun(form);

/** The pseudo runs a run of `model` may train on: the complete retrieval runs of that encoder, newest first as listed. */
export const retrievalRunsFor = (runs: readonly PseudoRunRecord[], model: string): PseudoRunRecord[] =>
  runs.filter((run) => run.method === 'retrieval' && run.complete && run.model === model);

/** The prompts of the textarea: one a line, blank lines dropped. */
export const promptLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

/** Number fields that must not be empty (the optional final share may be). */
const REQUIRED_NUMBERS = ['xi', 'steps', 'batchSize', 'learningRate', 'checkpointEvery', 'sampleEvery', 'seed', 'captionShare', 'freezeD'] as const satisfies readonly TrainField[];

/** The `gan-train` job input of the form: every field the schema takes, optional ones only when set. */
export function trainInput(form: TrainForm): Record<string, unknown> {
  const input: Record<string, unknown> = {
    dataset: form.dataset,
    model: form.model,
    preset: form.preset,
    pseudo: form.pseudo,
    xi: form.xi,
    steps: form.steps,
    batchSize: form.batchSize,
    learningRate: form.learningRate,
    conG: form.conG,
    checkpointEvery: form.checkpointEvery,
    sampleEvery: form.sampleEvery,
    seed: form.seed,
    captionShare: form.captionShare,
    subset: form.subset,
    freezeD: form.freezeD,
  };
  const prompts = promptLines(form.samplePrompts);
  if (prompts.length > 0) input.samplePrompts = prompts;
  if (form.schedule && usesSchedule(form.pseudo)) {
    const schedule: Record<string, unknown> = { kind: 'linear', startStep: form.scheduleStart, endStep: form.scheduleEnd };
    if (form.scheduleShare !== '') schedule.finalShare = form.scheduleShare;
    input.schedule = schedule;
  }
  if (form.init !== '') input.init = form.init;
  if (form.minutes !== '') input.minutes = form.minutes;
  if (form.pseudo === 'nn' && form.nn !== '') input.nn = form.nn;
  if (form.pseudo === 'clo') Object.assign(input, { cloSteps: form.cloSteps, cloStepSize: form.cloStepSize, cloTau: form.cloTau, cloInit: form.cloInit });
  if (usesRetrievalRun(form) && form.pseudoRun !== '') input.pseudoRun = form.pseudoRun;
  return input;
}

/** The form field an input path names: the API's `input.schedule.endStep` or the schema's `['schedule', 'endStep']`. */
export function fieldOfPath(path: readonly PropertyKey[] | string): TrainField | null {
  const parts = typeof path === 'string' ? path.replace(/^input\./, '').split('.') : path.map(String);
  const [head, sub] = parts;
  if (head === 'schedule') return sub === 'startStep' ? 'scheduleStart' : sub === 'finalShare' ? 'scheduleShare' : sub === 'endStep' ? 'scheduleEnd' : 'schedule';
  if (head === undefined || !(head in DEFAULT_TRAIN_FORM)) return null;
  return head as TrainField;
}

/**
 * Messages for the fields that are wrong, by field; empty when the form may be sent. The
 * checks are the `gan-train` schema's (contract/training.ts), so the form and the API agree;
 * a sample prompt's message names it by number.
 */
export function checkTrainForm(form: TrainForm): Partial<Record<TrainField, string>> {
  const problems: Partial<Record<TrainField, string>> = {};
  if (form.dataset === '') problems.dataset = 'Choose a dataset.';
  for (const field of REQUIRED_NUMBERS) if (form[field] === '') problems[field] = 'Required.';
  if (form.pseudo === 'nn' && form.nn === '') problems.nn = 'Choose a trained network (lafite pseudo train-nn).';
  if (form.pseudo === 'clo') for (const field of ['cloSteps', 'cloStepSize', 'cloTau'] as const) if (form[field] === '') problems[field] = 'Required.';
  if (form.schedule && usesSchedule(form.pseudo)) {
    if (form.scheduleStart === '') problems.scheduleStart = 'Required.';
    if (form.scheduleEnd === '') problems.scheduleEnd = 'Required.';
  }
  const parsed = trainingJobSchemas['gan-train'].safeParse(trainInput(form));
  if (parsed.success) return problems;
  for (const issue of parsed.error.issues as SchemaIssue[]) {
    const field = fieldOfPath(issue.path);
    if (field === null || problems[field] !== undefined) continue;
    const line = field === 'samplePrompts' && typeof issue.path[1] === 'number' ? `Prompt ${issue.path[1] + 1}: ` : '';
    problems[field] = field === 'scheduleEnd' && issue.code === 'custom' ? 'After the start step.' : line + issueMessage(issue, ' prompts');
  }
  return problems;
}
