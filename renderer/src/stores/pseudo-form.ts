/**
 * The pseudo-caption synthesis form: Gaussian and NN perturbation (Lafite §3.1, eqs. 1 and 2),
 * retrieval (Lafite2 §3.1) and CLO (Lafite2 §3.2). Its values, their defaults (the
 * `pseudo-synth` schema's), which option groups a method uses, the vocabulary sets and
 * networks it offers, the checks that name a field's problem before a round trip, and the
 * `pseudo-synth` job input it sends. Pure: no store, no API.
 *
 * @example
 *   const form: SynthForm = { ...DEFAULT_SYNTH_FORM, method: 'retrieval', k: 8 };
 *   if (Object.keys(checkSynthForm(form)).length === 0) await usePseudoStore().startSynth(synthInput('shapes', form));
 */
import { PSEUDO_SYNTH_OPTIONS as OPTIONS, type Output, type PseudoMethodName, type VocabularySetRecord } from '../../../main/contract/index.ts';

/** What the method control offers: one method, or `all` (Gaussian, Retrieval and CLO, and NN when a network is chosen). */
export type SynthMethod = 'all' | PseudoMethodName;
/** A trained perturbation network (Lafite eq. 2), as `pseudo.networks` lists it. */
export type PerturbationNetwork = Output<'pseudo.networks'>[number];
export type GaussianForm = 'paper' | 'official';
export type RetrievalMode = 'full' | 'iterative';
export type CloInit = 'retrieval' | 'gaussian' | 'uniform';

/** The synthesis form's values; '' is an empty number field. */
export interface SynthForm {
  /** CLIP encoder id. */
  model: string;
  method: SynthMethod;
  /** Vocabulary set id (and, unless `templates` says otherwise, template set). */
  vocabulary: string;
  /** Template set id; '' uses the vocabulary set's. */
  templates: string;
  /** Words kept per image and vocabulary. */
  k: number | '';
  /** Prompts kept per image. */
  m: number | '';
  mode: RetrievalMode;
  /** r: core fillings kept per image (iterative mode). */
  keepCore: number | '';
  /** Prompts under this cosine are dropped; '' keeps all. */
  threshold: number | '';
  /** Greedy refinement: phrases appended to each best prompt while its cosine rises (0: off). */
  refineSteps: number | '';
  form: GaussianForm;
  /** Noise level ξ; '' is the form's default (paper 3, official 0.75). */
  xi: number | '';
  /** CLO: K steps, step size η, temperature τ, mini-batch size, starting features. */
  cloSteps: number | '';
  cloStepSize: number | '';
  cloTau: number | '';
  cloBatch: number | '';
  cloInit: CloInit;
  /** Trained perturbation network of the NN method (`lafite pseudo train-nn`); '' is none. */
  nn: string;
  seed: number | '';
}
export type SynthField = keyof SynthForm;

/** The `pseudo-synth` option table's defaults (main/contract/pseudo.ts: the schema's too). */
export const DEFAULT_SYNTH_FORM: Readonly<SynthForm> = {
  model: OPTIONS.model.default,
  method: OPTIONS.method.default,
  vocabulary: OPTIONS.vocabulary.default,
  templates: '',
  k: OPTIONS.k.default,
  m: OPTIONS.m.default,
  mode: OPTIONS.mode.default,
  keepCore: OPTIONS.keepCore.default,
  threshold: '',
  refineSteps: OPTIONS.refineSteps.default,
  form: OPTIONS.form.default,
  xi: '',
  cloSteps: OPTIONS.cloSteps.default,
  cloStepSize: OPTIONS.cloStepSize.default,
  cloTau: OPTIONS.cloTau.default,
  cloBatch: OPTIONS.cloBatch.default,
  cloInit: OPTIONS.cloInit.default,
  nn: '',
  seed: OPTIONS.seed.default,
};

/** CLO's starting features as the forms offer them (Synthesise and Training), in order. */
export const CLO_INIT_LABELS: Record<CloInit, string> = { retrieval: 'Retrieval', gaussian: 'Gaussian', uniform: 'uniform' };

/** Gaussian ξ when the field is empty, by form (engine/pseudo/gaussian.ts). */
export const DEFAULT_XI: Record<GaussianForm, number> = { paper: 3, official: 0.75 };

/** Which groups of options a synthesis uses: retrieval's, Gaussian's, CLO's, NN's (its network: needed by `nn`, optional with `all`). */
export function optionGroups(form: Pick<SynthForm, 'method' | 'cloInit'>): { retrieval: boolean; gaussian: boolean; clo: boolean; nn: boolean } {
  const clo = form.method === 'clo' || form.method === 'all';
  return {
    retrieval: form.method === 'retrieval' || form.method === 'all' || (clo && form.cloInit === 'retrieval'),
    gaussian: form.method === 'gaussian' || form.method === 'all' || (clo && form.cloInit === 'gaussian'),
    clo,
    nn: form.method === 'nn' || form.method === 'all',
  };
}

/** The networks a synthesis with `model` may use: those trained for that encoder. */
export const networksFor = (networks: readonly PerturbationNetwork[], model: string): PerturbationNetwork[] => networks.filter((network) => network.model === model);

/** The vocabulary (or template) sets to choose from, with "(saved)" on this data folder's own; `current` is kept when the list lacks it. */
export function vocabularyOptions(sets: readonly VocabularySetRecord[], current: string): { id: string; label: string }[] {
  const options = sets.map((set) => ({ id: set.id, label: set.source === 'saved' ? `${set.id} (saved)` : set.id }));
  return current === '' || options.some((option) => option.id === current) ? options : [{ id: current, label: current }, ...options];
}

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Perturbation network names follow the model ids' rule (contract/schemas.ts). */
const NETWORK_NAME = MODEL_ID;
const isNumber = (value: number | ''): value is number => value !== '' && Number.isFinite(value);
const isIntIn = (value: number | '', min: number, max: number): boolean => isNumber(value) && Number.isInteger(value) && value >= min && value <= max;
const isIn = (value: number | '', min: number, max: number): boolean => isNumber(value) && value >= min && value <= max;

/** Messages for the synthesis form's fields that are wrong, by field; empty when it may be sent. Fields of unused groups are not checked. */
export function checkSynthForm(form: SynthForm): Partial<Record<SynthField, string>> {
  const problems: Partial<Record<SynthField, string>> = {};
  const groups = optionGroups(form);
  if (!MODEL_ID.test(form.model)) problems.model = 'A model id: letters, digits, ., _ or -, at most 64.';
  if (!isIntIn(form.seed, 0, 0xffffffff)) problems.seed = 'A whole number from 0.';
  if (groups.retrieval) {
    if (!isIntIn(form.k, 1, 50)) problems.k = 'A whole number from 1 to 50.';
    if (!isIntIn(form.m, 1, 50)) problems.m = 'A whole number from 1 to 50.';
    if (form.mode === 'iterative' && !isIntIn(form.keepCore, 1, 50)) problems.keepCore = 'A whole number from 1 to 50.';
    if (form.threshold !== '' && !isIn(form.threshold, -1, 1)) problems.threshold = 'A cosine from −1 to 1, or empty for none.';
    if (!isIntIn(form.refineSteps, 0, 20)) problems.refineSteps = 'A whole number from 0 to 20 (0: off).';
  }
  if (groups.gaussian && form.xi !== '') {
    if (form.form === 'official' && !isIn(form.xi, 0, 1)) problems.xi = 'A mixing weight from 0 to 1, or empty for 0.75.';
    else if (!isIn(form.xi, 0, 100)) problems.xi = 'A noise level from 0 to 100, or empty for 3.';
  }
  if (groups.clo) {
    if (!isIntIn(form.cloSteps, 0, 1000)) problems.cloSteps = 'A whole number from 0 to 1000.';
    if (!isIn(form.cloStepSize, 0, 100)) problems.cloStepSize = 'A number from 0 to 100.';
    if (!isNumber(form.cloTau) || form.cloTau <= 0 || form.cloTau > 10) problems.cloTau = 'Over 0 and at most 10.';
    if (!isIntIn(form.cloBatch, 2, 4096)) problems.cloBatch = 'A whole number from 2 to 4096.';
  }
  if (form.method === 'nn' && form.nn === '') problems.nn = 'Choose a trained network (lafite pseudo train-nn).';
  else if (groups.nn && form.nn !== '' && !NETWORK_NAME.test(form.nn)) problems.nn = 'A network name: letters, digits, ., _ or -, at most 64.';
  return problems;
}

/** The `pseudo-synth` job input for a checked form: only the options of the groups it uses, empty optional fields left out. */
export function synthInput(dataset: string, form: SynthForm): Record<string, unknown> {
  const groups = optionGroups(form);
  const input: Record<string, unknown> = { dataset, model: form.model, method: form.method, seed: form.seed };
  if (groups.retrieval) {
    Object.assign(input, { vocabulary: form.vocabulary, k: form.k, m: form.m, mode: form.mode, refineSteps: form.refineSteps });
    if (form.templates !== '') input.templates = form.templates;
    if (form.mode === 'iterative') input.keepCore = form.keepCore;
    if (form.threshold !== '') input.threshold = form.threshold;
  }
  if (groups.gaussian) {
    input.form = form.form;
    if (form.xi !== '') input.xi = form.xi;
  }
  if (groups.clo) Object.assign(input, { cloSteps: form.cloSteps, cloStepSize: form.cloStepSize, cloTau: form.cloTau, cloBatch: form.cloBatch, cloInit: form.cloInit });
  if (groups.nn && form.nn !== '') input.nn = form.nn;
  return input;
}
