/**
 * The training form: Lafite's conditional StyleGAN2 (`gan-train` job) or Lafite2's diffusion
 * model (`diffusion-train` job, issue 16). Its values, their defaults (the schemas', with the
 * `shapes` preset and Gaussian pseudo features), the presets as a table per family (network
 * size, what each is for, the schedule it suggests), the checks, made by the API's own schema
 * of the chosen family so the form refuses exactly what the API would, and the job input it
 * sends. Pure: no store, no API.
 *
 * @example
 *   const form = withFamily(withPreset({ ...DEFAULT_TRAIN_FORM, dataset: 'shapes' }, 'tiny'), 'diffusion');
 *   if (Object.keys(checkTrainForm(form)).length === 0) await useTrainingStore().start(trainInput(form), trainJobKind(form));
 */
import {
  DIFFUSION_OWN_OPTIONS as DIFFUSION,
  diffusionJobSchemas,
  GAN_TRAIN_JOB_OPTIONS as OPTIONS,
  trainingJobSchemas,
  usesPseudoRun,
  type CloInit,
  type PseudoRunRecord,
  type TrainCondition,
  type TrainFamily,
} from '../../../main/contract/index.ts';
import { issueMessage, type SchemaIssue } from './schema-issues.ts';

/** The GAN's presets (the diffusion model's pixel-space ones have the same names). */
export type GanPresetName = (typeof OPTIONS.preset.choices)[number];
/** A preset of either family: the GAN's names, and the diffusion model's latent ones (an autoencoder, then the UNet on its latents). */
export type PresetName = (typeof DIFFUSION.preset.choices)[number];
export type TrainSubset = 'all' | 'train' | 'fewshot';

/** The form's values; '' is an empty number field. */
export interface TrainForm {
  /** Which model trains: Lafite's conditional StyleGAN2 or Lafite2's diffusion model. */
  family: TrainFamily;
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
  /** Diffusion: the chance that a sample trains on the null condition h = 0 (classifier-free guidance). */
  condDrop: number | '';
  /** Diffusion: EMA decay of the weights that sample. */
  ema: number | '';
  /** Diffusion: the β schedule. */
  noiseSchedule: NoiseSchedule;
  /** Diffusion: the number of noise levels T. */
  timesteps: number | '';
  /** Diffusion: DDIM steps and guidance scale of the sample grids. */
  sampleSteps: number | '';
  sampleGuidance: number | '';
  /** Latent diffusion presets: steps and Adam learning rate of the autoencoder phase that comes before the UNet. */
  autoencoderSteps: number | '';
  autoencoderLr: number | '';
}
export type NoiseSchedule = (typeof DIFFUSION.noiseSchedule.choices)[number];
export type TrainField = keyof TrainForm;

/** What a preset suggests besides the network: the length and cadence of a run. */
export type PresetSchedule = Pick<TrainForm, 'steps' | 'batchSize' | 'checkpointEvery' | 'sampleEvery'>;

export interface PresetGuide {
  /** Output side in pixels (engine/gan/presets.ts, engine/diffusion/presets.ts). */
  resolution: number;
  title: string;
  /** What it is for, in a line. */
  purpose: string;
  schedule: PresetSchedule;
}

/** The network presets of the `gan-train` schema, as the form offers them. */
export const PRESET_GUIDES: Readonly<Record<GanPresetName, PresetGuide>> = {
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
export const PRESET_ORDER: readonly GanPresetName[] = ['tiny', 'shapes', 'shapes64', 'paper'];

/**
 * The presets of the `diffusion-train` schema (engine/diffusion/presets.ts): the GAN's names and schedules in pixel
 * space up to 64 px, and latent space above (LDM: an autoencoder trained first, the UNet on its latents).
 */
export const DIFFUSION_PRESET_GUIDES: Readonly<Record<PresetName, PresetGuide>> = {
  tiny: { ...PRESET_GUIDES.tiny, purpose: 'A quick check that diffusion training runs end to end: a 168k-parameter UNet.' },
  shapes: { ...PRESET_GUIDES.shapes, purpose: 'ShapesWorld on a CPU: a 1.1M-parameter UNet with attention at 8 px.' },
  shapes64: { ...PRESET_GUIDES.shapes64, purpose: 'ShapesWorld at 64 px: one more UNet level (1.5M parameters), slower than Shapes on a CPU.' },
  paper: { ...PRESET_GUIDES.paper, resolution: 64, purpose: 'A 37M-parameter pixel-space UNet at 64 px (DDPM-sized): needs a GPU.' },
  tinyLatent: {
    ...PRESET_GUIDES.tiny,
    resolution: 32,
    title: 'Tiny latent',
    purpose: 'A quick check of latent diffusion: a 40k-parameter autoencoder (32 px to 8×8×4 latents), then a small UNet on them.',
  },
  latent128: {
    resolution: 128,
    title: 'Latent 128',
    purpose: '128 px pictures: an autoencoder (f = 4, 0.4M parameters) trained first, then the Shapes UNet on its 32×32×4 latents (LDM).',
    schedule: PRESET_GUIDES.shapes64.schedule, // the UNet runs at 32 px on latents, as long as Shapes 64 trains
  },
  latent256: {
    resolution: 256,
    title: 'Latent 256',
    purpose: '256 px pictures: an autoencoder (f = 8, 0.6M parameters) trained first, then the Shapes UNet on its 32×32×4 latents; slow on a CPU.',
    schedule: PRESET_GUIDES.shapes64.schedule,
  },
};
export const DIFFUSION_PRESET_ORDER: readonly PresetName[] = [...PRESET_ORDER, 'tinyLatent', 'latent128', 'latent256'];

/** Each family's presets, as the picker shows them (the GAN has no latent ones). */
export const presetGuides = (family: TrainFamily): Readonly<Partial<Record<PresetName, PresetGuide>>> => (family === 'diffusion' ? DIFFUSION_PRESET_GUIDES : PRESET_GUIDES);
/** Each family's presets in the picker's order. */
export const presetOrder = (family: TrainFamily): readonly PresetName[] => (family === 'diffusion' ? DIFFUSION_PRESET_ORDER : PRESET_ORDER);
/** The guide of a family's preset; the family's default preset's where it has none. */
export const presetGuide = (family: TrainFamily, preset: PresetName): PresetGuide => presetGuides(family)[preset] ?? PRESET_GUIDES[OPTIONS.preset.default];
/** Whether a preset trains a latent diffusion model (its autoencoder options apply). */
export const isLatentPreset = (preset: PresetName): boolean => !(PRESET_ORDER as readonly string[]).includes(preset);

/** The model families in the UI's words. */
export const FAMILY_LABELS: Record<TrainFamily, string> = {
  gan: 'GAN (Lafite)',
  diffusion: 'Diffusion (Lafite2)',
};

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
  family: 'gan',
  condDrop: DIFFUSION.condDrop.default,
  ema: DIFFUSION.ema.default,
  noiseSchedule: DIFFUSION.noiseSchedule.default,
  timesteps: DIFFUSION.timesteps.default,
  sampleSteps: DIFFUSION.sampleSteps.default,
  sampleGuidance: DIFFUSION.sampleGuidance.default,
  autoencoderSteps: DIFFUSION.autoencoderSteps.default,
  autoencoderLr: DIFFUSION.autoencoderLr.default,
};

/** Each family's default learning rate (its option table's). */
const FAMILY_LEARNING_RATE: Record<TrainFamily, number> = { gan: OPTIONS.learningRate.default, diffusion: DIFFUSION.learningRate.default };

/**
 * The form with `family` chosen: the learning rate follows the family's default unless the user changed it, and a
 * preset the family lacks (a latent one, for the GAN) becomes the default preset.
 */
export function withFamily(form: TrainForm, family: TrainFamily): TrainForm {
  const untouched = form.learningRate === FAMILY_LEARNING_RATE[form.family];
  const switched = { ...form, family, ...(untouched ? { learningRate: FAMILY_LEARNING_RATE[family] } : {}) };
  return presetGuides(family)[form.preset] ? switched : withPreset(switched, OPTIONS.preset.default);
}

/** The job kind the form starts. */
export const trainJobKind = (form: Pick<TrainForm, 'family'>): 'gan-train' | 'diffusion-train' => (form.family === 'diffusion' ? 'diffusion-train' : 'gan-train');

/** The form with `preset` chosen and its suggested schedule filled in. */
export const withPreset = (form: TrainForm, preset: PresetName): TrainForm => ({ ...form, preset, ...presetGuide(form.family, preset).schedule });

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
const REQUIRED_NUMBERS = {
  gan: ['xi', 'steps', 'batchSize', 'learningRate', 'checkpointEvery', 'sampleEvery', 'seed', 'captionShare', 'freezeD'],
  diffusion: [
    'xi',
    'steps',
    'batchSize',
    'learningRate',
    'checkpointEvery',
    'sampleEvery',
    'seed',
    'captionShare',
    'condDrop',
    'ema',
    'timesteps',
    'sampleSteps',
    'sampleGuidance',
  ],
} as const satisfies Record<TrainFamily, readonly TrainField[]>;

/** The family's own fields of the job input: ConG and Freeze-D for the GAN; the noise, EMA and grid sampler for diffusion. */
function familyFields(form: TrainForm): Record<string, unknown> {
  if (form.family === 'gan') return { conG: form.conG, freezeD: form.freezeD };
  const { condDrop, ema, noiseSchedule, timesteps, sampleSteps, sampleGuidance, autoencoderSteps, autoencoderLr } = form;
  return { condDrop, ema, noiseSchedule, timesteps, sampleSteps, sampleGuidance, ...(isLatentPreset(form.preset) ? { autoencoderSteps, autoencoderLr } : {}) };
}

/** The `gan-train` or `diffusion-train` job input of the form (trainJobKind): every field its schema takes, optional ones only when set. */
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
    checkpointEvery: form.checkpointEvery,
    sampleEvery: form.sampleEvery,
    seed: form.seed,
    captionShare: form.captionShare,
    subset: form.subset,
    ...familyFields(form),
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
 * checks are the chosen family's schema's (contract/training.ts, diffusion.ts), so the form and the API agree;
 * a sample prompt's message names it by number.
 */
export function checkTrainForm(form: TrainForm): Partial<Record<TrainField, string>> {
  const problems: Partial<Record<TrainField, string>> = {};
  if (form.dataset === '') problems.dataset = 'Choose a dataset.';
  for (const field of REQUIRED_NUMBERS[form.family]) if (form[field] === '') problems[field] = 'Required.';
  if (form.family === 'diffusion' && isLatentPreset(form.preset))
    for (const field of ['autoencoderSteps', 'autoencoderLr'] as const) if (form[field] === '') problems[field] = 'Required.';
  if (form.pseudo === 'nn' && form.nn === '') problems.nn = 'Choose a trained network (lafite pseudo train-nn).';
  if (form.pseudo === 'clo') for (const field of ['cloSteps', 'cloStepSize', 'cloTau'] as const) if (form[field] === '') problems[field] = 'Required.';
  if (form.schedule && usesSchedule(form.pseudo)) {
    if (form.scheduleStart === '') problems.scheduleStart = 'Required.';
    if (form.scheduleEnd === '') problems.scheduleEnd = 'Required.';
  }
  const schema = form.family === 'diffusion' ? diffusionJobSchemas['diffusion-train'] : trainingJobSchemas['gan-train'];
  const parsed = schema.safeParse(trainInput(form));
  if (parsed.success) return problems;
  for (const issue of parsed.error.issues as SchemaIssue[]) {
    const field = fieldOfPath(issue.path);
    if (field === null || problems[field] !== undefined) continue;
    const line = field === 'samplePrompts' && typeof issue.path[1] === 'number' ? `Prompt ${issue.path[1] + 1}: ` : '';
    problems[field] = field === 'scheduleEnd' && issue.code === 'custom' ? 'After the start step.' : line + issueMessage(issue, ' prompts');
  }
  return problems;
}
