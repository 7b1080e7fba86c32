/**
 * Generated PNGs that say how they were drawn: the pixels encoded by fast-png with two tEXt
 * chunks (main/contract/gallery.ts: `lafite`, the settings as JSON, and `parameters`, the same
 * for people), and the settings read back from any PNG's text chunks.
 *
 * tEXt is Latin-1 by the PNG specification: the JSON escapes every non-ASCII character
 * (`\u00e9`), so any prompt survives; the human line replaces characters outside Latin-1 with
 * the same escapes.
 *
 * @example
 *   const png = encodeSettingsPng(pixels, 32, settings);          // pixels: [32, 32, 3] bytes
 *   readPngSettings(png).settings?.seed === settings.seed;      // true
 */
import { decode, encode } from 'fast-png';
import packageJson from '../../package.json' with { type: 'json' };
import { generationSampling, PNG_PARAMETERS_KEY, PNG_SETTINGS_FORMAT, PNG_SETTINGS_KEY, pngSettingsSchema, type PngSettings, type PngSettingsResult } from '../contract/index.ts';

/** JSON with every character past U+007E written as a \u escape: plain ASCII. */
export const asciiJson = (value: unknown): string => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Text with the characters Latin-1 lacks (and controls other than newline) written as \u escapes. */
const latin1 = (text: string): string => text.replace(/[^\n\u0020-\u007e\u00a0-\u00ff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The `parameters` text: the prompt on the first line, then the settings (Automatic1111's layout). */
export function parametersText(settings: PngSettings): string {
  const fields = [
    `Seed: ${settings.seed}`,
    `Image: ${settings.index + 1} of ${settings.n}`,
    ...(settings.sampling
      ? [`Sampler: ${settings.sampling.sampler}`, `Steps: ${settings.sampling.steps}`, `Eta: ${settings.sampling.eta}`, `CFG scale: ${settings.sampling.guidance}`]
      : [`Truncation: ${settings.truncation}`]),
    ...(settings.image ? [`Image mixed in: ${settings.image}`, `Mix: ${settings.mix}`] : []),
    `Size: ${settings.size}x${settings.size}`,
    `Run: ${settings.run}`,
    `Step: ${settings.step}`,
    `Family: ${settings.family}`,
    `Preset: ${settings.preset}`,
    `Encoder: ${settings.model}`,
    `Dataset: ${settings.dataset}`,
    `Generation: ${settings.generation}`,
    `Software: ${settings.software}`,
  ];
  return latin1(`${settings.prompt ?? ''}\n${fields.join(', ')}`);
}

/** The two text chunks of a generated image. */
export const settingsChunks = (settings: PngSettings): Record<string, string> => ({
  [PNG_SETTINGS_KEY]: asciiJson(settings),
  [PNG_PARAMETERS_KEY]: parametersText(settings),
});

/**
 * The same PNG with its tEXt chunks moved before the image data. fast-png writes them after
 * IDAT, which the specification allows, but readers that stop at the pixels (libvips, hence
 * sharp, and many viewers) see text only before them, where Pillow, InvokeAI and ComfyUI put it.
 * Chunks move whole, their CRCs unchanged.
 */
export function textBeforeImageData(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: { type: string; bytes: Uint8Array }[] = [];
  for (let offset = 8; offset < png.length;) {
    const end = offset + 12 + view.getUint32(offset); // length, type, data, CRC
    chunks.push({ type: String.fromCharCode(...png.subarray(offset + 4, offset + 8)), bytes: png.subarray(offset, end) });
    offset = end;
  }
  const text = chunks.filter((chunk) => chunk.type === 'tEXt');
  const rest = chunks.filter((chunk) => chunk.type !== 'tEXt');
  const at = rest.findIndex((chunk) => chunk.type === 'IDAT');
  const ordered = [...rest.slice(0, at), ...text, ...rest.slice(at)];
  const out = new Uint8Array(png.length);
  out.set(png.subarray(0, 8));
  let offset = 8;
  for (const chunk of ordered) {
    out.set(chunk.bytes, offset);
    offset += chunk.bytes.length;
  }
  return out;
}

/** An RGB image ([size, size, 3] bytes, row-major) as a PNG carrying its settings. */
export function encodeSettingsPng(pixels: Uint8Array, size: number, settings: PngSettings | null): Uint8Array {
  if (pixels.length !== size * size * 3) throw new Error(`encodeSettingsPng: ${pixels.length} bytes for a ${size}×${size} RGB image`);
  if (!settings) return encode({ width: size, height: size, data: pixels, channels: 3, depth: 8 });
  return textBeforeImageData(encode({ width: size, height: size, data: pixels, channels: 3, depth: 8, text: settingsChunks(settings) }));
}

/** The text chunks of a PNG and its Lafite settings, if it has them; a file that is no PNG throws. */
export function readPngSettings(png: Uint8Array): PngSettingsResult {
  const { text } = decode(png);
  const raw = text[PNG_SETTINGS_KEY];
  if (raw === undefined) return { settings: null, text, reason: `no '${PNG_SETTINGS_KEY}' text chunk: not a picture Lafite Studio generated, or its chunks were stripped` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { settings: null, text, reason: `the '${PNG_SETTINGS_KEY}' chunk is not JSON` };
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== PNG_SETTINGS_FORMAT)
    return { settings: null, text, reason: `the '${PNG_SETTINGS_KEY}' chunk has format ${String(format)}; this version reads format ${PNG_SETTINGS_FORMAT}` };
  const parsed = pngSettingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { settings: null, text, reason: `the '${PNG_SETTINGS_KEY}' chunk's ${issue.path.join('.') || 'value'} is wrong: ${issue.message}` };
  }
  return { settings: parsed.data, text, reason: null };
}

/** What a generation knows when it writes its images: its input, its run's, the generator's step. */
export interface GenerationFacts {
  generation: string;
  run: string;
  step: number;
  /** `gan` or `diffusion`: a diffusion run's sampling options are recorded, a GAN's ψ. */
  family: string;
  train: { model: string; dataset: string; preset: string };
  input: {
    prompt?: string | undefined;
    image?: string | undefined;
    mix: number;
    seed: number;
    n: number;
    truncation: number;
    steps?: number | undefined;
    sampler?: string | undefined;
    eta?: number | undefined;
    guidance?: number | undefined;
  };
}

/** The settings of image `index` (side `size`) of a generation. */
export function generationSettings(facts: GenerationFacts, index: number, size: number, createdAt = new Date().toISOString()): PngSettings {
  const { input, train } = facts;
  return {
    format: PNG_SETTINGS_FORMAT,
    software: `Lafite Studio ${packageJson.version}`,
    run: facts.run,
    step: facts.step,
    family: facts.family,
    model: train.model,
    dataset: train.dataset,
    preset: train.preset,
    prompt: input.prompt ?? null,
    image: input.image ?? null,
    mix: input.mix,
    seed: input.seed,
    n: input.n,
    index,
    truncation: input.truncation,
    sampling: facts.family === 'diffusion' ? generationSampling(input) : null,
    size,
    generation: facts.generation,
    createdAt,
  };
}
