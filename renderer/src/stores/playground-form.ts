/**
 * The Playground's form: a prompt, an optional image whose CLIP feature is mixed with the
 * prompt's (Lafite Figure 6: h = n((1 − mix)·f_txt + mix·f_img)), the seed, how many images
 * and the truncation; the checks, by the `gan-generate` schema itself; the job input it sends;
 * and how a generated PNG is shown and saved. Pure: no store, no API.
 *
 * @example
 *   const form: PlayForm = { ...DEFAULT_PLAY_FORM, prompt: 'a red circle', n: 2 };
 *   if (Object.keys(checkPlayForm(runId, form)).length === 0) await usePlaygroundStore().generate(generateInput(runId, form));
 */
import { GAN_GENERATE_OPTIONS as OPTIONS, trainingJobSchemas, type GenerationRecord, type PngSettings } from '../../../main/contract/index.ts';
import { samplingLine } from './sampling-form.ts';
import { issueMessage, type SchemaIssue } from './schema-issues.ts';
import { shortId } from './training-run.ts';

/** The form's values; '' is an empty number field. */
export interface PlayForm {
  prompt: string;
  /** Absolute path of an image to mix in; '' for none. */
  image: string;
  /** The image's share of the condition, 0 to 1. */
  mix: number | '';
  /** Images to draw. */
  n: number | '';
  seed: number | '';
  /** ψ: 1 draws from the whole latent space, lower is closer to the average image. */
  truncation: number | '';
  /** The step of the run's generator to draw with; '' for its latest. */
  step: number | '';
}
export type PlayField = keyof PlayForm;

/** The `gan-generate` option table's defaults (main/contract/training.ts: the schema's too), with no prompt yet. */
export const DEFAULT_PLAY_FORM: Readonly<PlayForm> = {
  prompt: '',
  image: '',
  mix: OPTIONS.mix.default,
  n: OPTIONS.n.default,
  seed: OPTIONS.seed.default,
  truncation: OPTIONS.truncation.default,
  step: '',
};

const FIELDS = new Set<string>(Object.keys(DEFAULT_PLAY_FORM));

/** The `gan-generate` job input: the prompt and the image when given (the mix only with an image), out left to the run's folder. */
export function generateInput(run: string, form: PlayForm): Record<string, unknown> {
  const input: Record<string, unknown> = { run, n: form.n, seed: form.seed, truncation: form.truncation };
  const prompt = form.prompt.trim();
  const image = form.image.trim();
  if (prompt !== '') input.prompt = prompt;
  if (image !== '') Object.assign(input, { image, mix: form.mix });
  if (form.step !== '') input.step = form.step;
  return input;
}

/** What a generation or a PNG's settings asked for, as the form (the run is chosen apart). */
export function settingsForm(settings: Pick<PngSettings, 'prompt' | 'image' | 'mix' | 'n' | 'seed' | 'truncation'> & { step: number | null }): PlayForm {
  return {
    prompt: settings.prompt ?? '',
    image: settings.image ?? '',
    mix: settings.mix,
    n: settings.n,
    seed: settings.seed,
    truncation: settings.truncation,
    step: settings.step ?? '',
  };
}

/** The next seed for the N shortcut: one up, wrapping past the schema's 2³² − 1. */
export const nextSeed = (seed: number | ''): number => (seed === '' ? 0 : (seed + 1) % 0x1_0000_0000);

/** The form field an API error's `field` names (`input.prompt` → `prompt`), or null. */
export function playFieldOf(field: string | undefined): PlayField | null {
  const name = field?.replace(/^input\./, '').split('.')[0];
  return name !== undefined && FIELDS.has(name) ? (name as PlayField) : null;
}

/** Messages for the fields that are wrong, by field; empty when it may be sent. The checks are the `gan-generate` schema's. */
export function checkPlayForm(run: string, form: PlayForm): Partial<Record<PlayField, string>> {
  const problems: Partial<Record<PlayField, string>> = {};
  for (const field of ['n', 'seed', 'truncation'] as const) if (form[field] === '') problems[field] = 'Required.';
  if (form.image.trim() !== '' && form.mix === '') problems.mix = 'Required.';
  const parsed = trainingJobSchemas['gan-generate'].safeParse(generateInput(run, form));
  if (parsed.success) return problems;
  for (const issue of parsed.error.issues as SchemaIssue[]) {
    const field = playFieldOf(issue.path.map(String).join('.'));
    if (field === null || problems[field] !== undefined) continue;
    problems[field] = issue.code === 'custom' && field === 'prompt' ? 'Type a prompt, give an image, or both.' : issueMessage(issue);
  }
  return problems;
}

/** A seed for the dice button: any of the schema's 0 … 2³² − 1. */
export const randomSeed = (random: () => number = Math.random): number => Math.floor(random() * 0x1_0000_0000);

/** A PNG in base64 as an image source and a download link. */
export const pngDataUrl = (base64: string): string => `data:image/png;base64,${base64}`;

/** The file name a saved image gets: the run, the generation and the image's own name (seed and index). */
export const downloadName = (run: string, generation: string, name: string): string => `lafite-${shortId(run)}-${shortId(generation)}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;

/** What a generation asked for, in a line: the prompt and/or the image with its share. */
export function generationLine(record: Pick<GenerationRecord, 'prompt' | 'image' | 'mix'>): string {
  const image = record.image ? `${record.image.split(/[\\/]/).pop()} × ${record.mix}` : '';
  if (record.prompt && image) return `“${record.prompt}” + ${image}`;
  return record.prompt ? `“${record.prompt}”` : image;
}

/** The settings of a generation, in a line: how many, seed, truncation (a diffusion run's: its sampling), and the step when known. */
export const generationSettings = (record: Pick<GenerationRecord, 'n' | 'seed' | 'truncation'> & { step?: number | null; sampling?: GenerationRecord['sampling'] }): string =>
  `${record.n} image${record.n === 1 ? '' : 's'} · seed ${record.seed} · ${record.sampling ? samplingLine(record.sampling) : `ψ ${record.truncation}`}${record.step ? ` · step ${record.step.toLocaleString('en')}` : ''}`;
