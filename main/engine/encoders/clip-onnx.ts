/**
 * A CLIP (Radford et al. 2021) exported to ONNX in the common Hugging Face layout, as an
 * Encoder: ONNX Runtime (CPU) runs the two towers; @huggingface/transformers supplies the
 * tokenizer (`AutoTokenizer`, through clip-tokenizer.ts) and the image preprocessing
 * (`AutoImageProcessor` → CLIPImageProcessor read from preprocessor_config.json: resize target,
 * center crop, rescale 1/255, normalise by image_mean/image_std), from local files only.
 * sharp decodes (EXIF rotation, RGB) and does the bicubic resize (see loadClipImagePreprocessor);
 * transformers gets RawImages of the pixels.
 *
 *   folder/onnx/text_model.onnx     input_ids int64 [N, S] (+ attention_mask) → text_embeds [N, P]
 *   folder/onnx/vision_model.onnx   pixel_values float32 [N, 3, H, W]         → image_embeds [N, P]
 *   folder/tokenizer.json, tokenizer_config.json, preprocessor_config.json (config.json optional)
 *
 * @example
 *   const encoder = await loadClipOnnx('/models/clip-vit-b32');
 *   const { data, dim } = await encoder.encodeTexts(['a photo of a dog']); // rows of unit norm
 *   await encoder.dispose();
 */
import { verifyExportChecksums } from '../clip/export-checksums.ts';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp, { type OutputInfo } from 'sharp';
import { LafiteError } from '../../contract/errors.ts';
import { EOS, loadClipTokenizer, type ClipTokenizer } from './clip-tokenizer.ts';
import type { EncodeOptions, Encoder, Features, ImageSource } from './encoder.ts';
import { CLIP_ONNX_FILES } from './clip-files.ts';
import { l2NormaliseRows } from '../normalise.ts';

export { CLIP_ONNX_FILES } from './clip-files.ts';

const REQUIRED = ['textModel', 'visionModel', 'tokenizer', 'tokenizerConfig', 'preprocessorConfig'] as const;

/** CLIP's context length, when neither tokenizer_config.json nor config.json says. */
const DEFAULT_CONTEXT_LENGTH = 77;

export interface ClipOnnxOptions {
  /** Encoder id (embedding cache key); default: the folder's name. */
  id?: string;
  /** Items per model call when a call does not say. */
  batchSize?: number;
  /** ONNX Runtime intra-op threads; default: its own choice (all cores). */
  threads?: number;
}

const DEFAULT_BATCH_SIZE = 32;

/** A model folder at fault: `invalid_input`, naming the file (and tensor). */
const badModel = (dir: string, file: string, problem: string): LafiteError => new LafiteError('invalid_input', `CLIP model ${join(dir, file)}: ${problem}`);

const cancelled = (): LafiteError => new LafiteError('cancelled', 'cancelled by the user');

async function readJson(dir: string, file: string): Promise<Record<string, unknown> | undefined> {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw badModel(dir, file, `not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

async function openSession(dir: string, file: string, threads: number | undefined): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(join(dir, file), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(threads ? { intraOpNumThreads: threads } : {}),
    });
  } catch (error) {
    throw badModel(dir, file, `not a loadable ONNX model (${(error as Error).message.split('\n')[0]})`);
  }
}

type Meta = ort.InferenceSession.ValueMetadata;

/** Checks a tensor exists with one of `types`; returns its metadata. */
function requireTensor(dir: string, file: string, list: readonly Meta[], name: string, role: 'input' | 'output', types: readonly string[]): Meta & { isTensor: true } {
  const meta = list.find((m) => m.name === name);
  if (!meta) {
    const found = list.map((m) => m.name).join(', ') || 'none';
    throw badModel(dir, file, `has no ${role} tensor '${name}' (its ${role}s: ${found})`);
  }
  if (!meta.isTensor || !types.includes(meta.type)) {
    const got = meta.isTensor ? meta.type : 'a non-tensor value';
    throw badModel(dir, file, `${role} tensor '${name}' must be ${types.join(' or ')}, got ${got}`);
  }
  return meta;
}

/** The static last dimension of an output, or undefined when symbolic. */
const staticLastDim = (meta: Meta & { isTensor: true }): number | undefined => {
  const last = meta.shape[meta.shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : undefined;
};

/** Context length: the text model's fixed sequence dim, tokenizer_config.json, config.json, or 77. */
function contextLengthOf(inputIds: Meta & { isTensor: true }, tokenizerConfig: Record<string, unknown>, config: Record<string, unknown> | undefined): number {
  const fixed = inputIds.shape[1];
  if (typeof fixed === 'number' && fixed > 0) return fixed;
  const fromTokenizer = Number(tokenizerConfig.model_max_length);
  if (Number.isInteger(fromTokenizer) && fromTokenizer > 0 && fromTokenizer <= 4096) return fromTokenizer;
  const textConfig = config?.text_config as Record<string, unknown> | undefined;
  const fromConfig = Number(textConfig?.max_position_embeddings);
  if (Number.isInteger(fromConfig) && fromConfig > 0) return fromConfig;
  return DEFAULT_CONTEXT_LENGTH;
}

/** The end token's id, from tokenizer.json's added tokens (config.json's eos_token_id is wrong in some exports). */
async function eosTokenIdOf(dir: string): Promise<number> {
  const tokenizer = (await readJson(dir, CLIP_ONNX_FILES.tokenizer)) as { added_tokens?: { id: number; content: string }[]; model?: { vocab?: Record<string, number> } };
  const id = tokenizer.added_tokens?.find((t) => t.content === EOS)?.id ?? tokenizer.model?.vocab?.[EOS];
  if (id === undefined) throw badModel(dir, CLIP_ONNX_FILES.tokenizer, `has no end token '${EOS}': not a CLIP tokenizer`);
  return id;
}

/** Decodes an image source to RGB bytes with sharp (EXIF rotation applied, alpha dropped). */
async function decodeRgb(source: ImageSource): Promise<{ data: Uint8Array; width: number; height: number }> {
  const input = source.kind === 'encoded' ? sharp(source.bytes) : sharp(source.data, { raw: { width: source.width, height: source.height, channels: source.channels } });
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await input.rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new LafiteError('invalid_input', `cannot decode image: ${(error as Error).message.split('\n')[0]}`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new LafiteError('invalid_input', `image decoded to ${info.channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** The parts of transformers.js's ImageProcessor (here a CLIPImageProcessor) that we call. */
interface HfImageProcessor {
  (images: unknown[]): Promise<{ pixel_values: { data: Float32Array; dims: number[] } }>;
  do_resize: boolean;
  size: unknown;
  get_resize_output_image_size(image: unknown, size: unknown): [number, number];
}
type RawImageClass = new (data: Uint8Array, width: number, height: number, channels: 3) => unknown;

/**
 * Image preprocessing: transformers.js's processor for the folder's preprocessor_config.json
 * computes the resize target and does the center crop, rescale and normalisation; the resize
 * itself is sharp's (`kernel: 'cubic'`, antialiased like PIL's bicubic), because
 * transformers.js resizes in Node with an affine transform that does not antialias when
 * shrinking and smears the last row and column.
 */
export interface ClipImagePreprocessor {
  /** NCHW float32 pixels for the vision model: [n, 3, H, W]. */
  process(images: ReadonlyArray<{ data: Uint8Array; width: number; height: number }>): Promise<{ data: Float32Array; dims: [number, number, number, number] }>;
}

export async function loadClipImagePreprocessor(dir: string): Promise<ClipImagePreprocessor> {
  const { AutoImageProcessor, RawImage, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false; // local files only: never the network
  env.allowLocalModels = true;
  env.localModelPath = ''; // `dir` is an absolute path, used as is
  let processor: HfImageProcessor;
  try {
    processor = (await AutoImageProcessor.from_pretrained(dir, { local_files_only: true })) as unknown as HfImageProcessor;
  } catch (error) {
    throw badModel(dir, CLIP_ONNX_FILES.preprocessorConfig, `cannot build an image processor from it (${(error as Error).message.split('\n')[0]})`);
  }
  const resize = processor.do_resize;
  processor.do_resize = false; // done here, with sharp
  const Raw = RawImage as unknown as RawImageClass;
  return {
    async process(images) {
      const resized = await Promise.all(
        images.map(async ({ data, width, height }) => {
          if (!resize) return new Raw(data, width, height, 3);
          const [w, h] = processor.get_resize_output_image_size(new Raw(data, width, height, 3), processor.size); // shortest side → size.shortest_edge
          if (w === width && h === height) return new Raw(data, width, height, 3);
          const pixels = await sharp(data, { raw: { width, height, channels: 3 } })
            .resize({ width: w, height: h, fit: 'fill', kernel: 'cubic' })
            .raw()
            .toBuffer();
          return new Raw(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), w, h, 3);
        }),
      );
      const { pixel_values: pixels } = await processor(resized); // center crop, ·1/255, (x − mean)/std → [n, 3, H, W]
      return { data: pixels.data, dims: pixels.dims as [number, number, number, number] };
    },
  };
}

/** Runs `encodeBatch` over `count` items in batches, with progress and cancel; returns normalised rows. */
async function inBatches<P>(
  count: number,
  dim: number,
  options: EncodeOptions,
  defaultBatch: number,
  prepare: (start: number, end: number) => Promise<P>,
  run: (prepared: P) => Promise<Float32Array>,
): Promise<Features> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? defaultBatch));
  const data = new Float32Array(count * dim); // [count, dim]
  options.onProgress?.(0, count);
  const starts = Array.from({ length: Math.ceil(count / batchSize) }, (_, i) => i * batchSize);
  const prepareAt = (i: number): Promise<P> | undefined => {
    if (i >= starts.length) return undefined;
    const preparing = prepare(starts[i]!, Math.min(count, starts[i]! + batchSize));
    preparing.catch(() => undefined); // awaited below; this only keeps an early exit from leaving it unhandled
    return preparing;
  };
  // Batch i + 1 is tokenised or decoded while ONNX Runtime runs batch i on its own threads.
  let next = prepareAt(0);
  for (let i = 0; i < starts.length; i++) {
    if (options.signal?.aborted) throw cancelled();
    const prepared = await next!;
    next = prepareAt(i + 1);
    const start = starts[i]!;
    const end = Math.min(count, start + batchSize);
    const rows = await run(prepared);
    if (rows.length !== (end - start) * dim) throw new Error(`model returned ${rows.length} values for ${end - start} rows of ${dim}`);
    data.set(rows, start * dim);
    options.onProgress?.(end, count);
  }
  return { count, dim, data: l2NormaliseRows(data, dim) };
}

/** What runs the towers: the two sessions, the tokenizer and the image processor of one folder. */
interface Towers {
  dir: string;
  text: ort.InferenceSession;
  vision: ort.InferenceSession;
  tokenizer: ClipTokenizer;
  eosTokenId: number;
  images: ClipImagePreprocessor;
}

/** A batch of texts as the text model's feeds, padded and truncated to the context length. */
async function textFeeds(towers: Towers, texts: readonly string[]): Promise<Record<string, ort.Tensor>> {
  const batch = await towers.tokenizer.encodeBatch(texts, { padToContext: true }); // [n, S]
  const { count: n, length: seq } = batch;
  const ids = BigInt64Array.from(batch.data, BigInt);
  const mask = new BigInt64Array(n * seq); // 1 up to and including the first end token; the rest is padding
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < seq; j++) {
      mask[row * seq + j] = 1n;
      if (batch.data[row * seq + j] === towers.eosTokenId) break;
    }
  }
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [n, seq]) };
  if (towers.text.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [n, seq]);
  return feeds;
}

/** Unnormalised text_embeds: [n · P]. */
async function runTextFeeds(towers: Towers, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const out = await towers.text.run(feeds, ['text_embeds']);
  return out.text_embeds!.data as Float32Array;
}

const runText = async (towers: Towers, texts: readonly string[]): Promise<Float32Array> => runTextFeeds(towers, await textFeeds(towers, texts));

/** A batch of images decoded and preprocessed into pixel_values [n, 3, H, W], CLIP-normalised. */
async function imagePixels(towers: Towers, sources: readonly ImageSource[], expectedSize: number | undefined): Promise<ort.Tensor> {
  const decoded = await Promise.all(sources.map(decodeRgb));
  const pixels = await towers.images.process(decoded); // [n, 3, H, W], CLIP-normalised
  const [n, c, h, w] = pixels.dims as [number, number, number, number];
  if (expectedSize !== undefined && (h !== expectedSize || w !== expectedSize)) {
    throw badModel(towers.dir, CLIP_ONNX_FILES.preprocessorConfig, `crops images to ${h}×${w} but the vision model's pixel_values takes ${expectedSize}×${expectedSize}`);
  }
  return new ort.Tensor('float32', pixels.data, [n, c, h, w]);
}

/** Unnormalised image_embeds: [n · P]. */
async function runPixels(towers: Towers, pixels: ort.Tensor): Promise<Float32Array> {
  const out = await towers.vision.run({ pixel_values: pixels }, ['image_embeds']);
  return out.image_embeds!.data as Float32Array;
}

/** Unnormalised image_embeds of a batch of images ([n · P]) and the side they were cropped to. */
async function runImages(towers: Towers, sources: readonly ImageSource[], expectedSize: number | undefined): Promise<{ embeds: Float32Array; size: number }> {
  const pixels = await imagePixels(towers, sources, expectedSize);
  return { embeds: await runPixels(towers, pixels), size: pixels.dims[2]! };
}

/** Validates the sessions' tensors; returns what the encoder needs from them. */
function checkTensors(dir: string, text: ort.InferenceSession, vision: ort.InferenceSession) {
  const { textModel: tf, visionModel: vf } = CLIP_ONNX_FILES;
  const inputIds = requireTensor(dir, tf, text.inputMetadata, 'input_ids', 'input', ['int64']);
  if (text.inputNames.includes('attention_mask')) requireTensor(dir, tf, text.inputMetadata, 'attention_mask', 'input', ['int64']);
  const extra = text.inputMetadata.find((m) => m.name !== 'input_ids' && m.name !== 'attention_mask');
  if (extra) throw badModel(dir, tf, `takes an input tensor '${extra.name}' that a CLIP text model does not (expected input_ids, attention_mask)`);
  const textEmbeds = requireTensor(dir, tf, text.outputMetadata, 'text_embeds', 'output', ['float32']);
  const pixels = requireTensor(dir, vf, vision.inputMetadata, 'pixel_values', 'input', ['float32']);
  if (pixels.shape.length !== 4 || (typeof pixels.shape[1] === 'number' && pixels.shape[1] !== 3)) {
    throw badModel(dir, vf, `input tensor 'pixel_values' must be [N, 3, H, W], got [${pixels.shape.join(', ')}]`);
  }
  const imageEmbeds = requireTensor(dir, vf, vision.outputMetadata, 'image_embeds', 'output', ['float32']);
  const side = pixels.shape[2];
  return { inputIds, textDim: staticLastDim(textEmbeds), imageDim: staticLastDim(imageEmbeds), imageSize: typeof side === 'number' && side > 0 ? side : undefined };
}

/** An Encoder over a Hugging Face CLIP ONNX folder. */
export class ClipOnnxEncoder implements Encoder {
  private disposed = false;

  private constructor(
    readonly id: string,
    readonly dim: number,
    /** Tokens per text: texts are padded and truncated to it (CLIP: 77). */
    readonly contextLength: number,
    /** Pixels per side of the vision model's input. */
    readonly imageSize: number,
    private readonly towers: Towers,
    private readonly defaultBatch: number,
  ) {}

  /** Loads and validates a folder; errors name the file and tensor at fault. */
  static async load(folder: string, options: ClipOnnxOptions = {}): Promise<ClipOnnxEncoder> {
    const dir = resolve(folder);
    for (const key of REQUIRED) if (!existsSync(join(dir, CLIP_ONNX_FILES[key]))) throw badModel(dir, CLIP_ONNX_FILES[key], 'missing');
    await verifyExportChecksums(dir); // an export of ours that was cut or changed is refused before ONNX Runtime reads it
    const tokenizerConfig = (await readJson(dir, CLIP_ONNX_FILES.tokenizerConfig))!;
    const config = await readJson(dir, CLIP_ONNX_FILES.config);
    const text = await openSession(dir, CLIP_ONNX_FILES.textModel, options.threads);
    let vision: ort.InferenceSession | undefined;
    try {
      vision = await openSession(dir, CLIP_ONNX_FILES.visionModel, options.threads);
      const checked = checkTensors(dir, text, vision);
      const contextLength = contextLengthOf(checked.inputIds, tokenizerConfig, config);
      const towers: Towers = {
        dir,
        text,
        vision,
        tokenizer: await loadTokenizer(dir, contextLength),
        eosTokenId: await eosTokenIdOf(dir),
        images: await loadClipImagePreprocessor(dir),
      };
      // One probe image checks the preprocessing against the model and gives the side when the graph leaves it symbolic.
      const probe = await runImages(towers, [{ kind: 'raw', data: new Uint8Array(3 * 8 * 8), width: 8, height: 8, channels: 3 }], checked.imageSize);
      const textDim = checked.textDim ?? (await runText(towers, ['a'])).length;
      const imageDim = checked.imageDim ?? probe.embeds.length;
      if (textDim !== imageDim) {
        const { textModel: tf, visionModel: vf } = CLIP_ONNX_FILES;
        throw badModel(dir, 'onnx', `text_embeds of ${tf} has dimension ${textDim} but image_embeds of ${vf} has ${imageDim}: the towers must share one feature space`);
      }
      return new ClipOnnxEncoder(options.id ?? basename(dir), textDim, contextLength, probe.size, towers, options.batchSize ?? DEFAULT_BATCH_SIZE);
    } catch (error) {
      await text.release();
      await vision?.release();
      throw error;
    }
  }

  private checkOpen(): void {
    if (this.disposed) throw new Error(`encoder ${this.id} was disposed`);
  }

  async encodeTexts(texts: readonly string[], options: EncodeOptions = {}): Promise<Features> {
    this.checkOpen();
    return inBatches(
      texts.length,
      this.dim,
      options,
      this.defaultBatch,
      (start, end) => textFeeds(this.towers, texts.slice(start, end)),
      (feeds) => runTextFeeds(this.towers, feeds),
    );
  }

  async encodeImages(images: readonly ImageSource[], options: EncodeOptions = {}): Promise<Features> {
    this.checkOpen();
    return inBatches(
      images.length,
      this.dim,
      options,
      this.defaultBatch,
      (start, end) => imagePixels(this.towers, images.slice(start, end), this.imageSize),
      (pixels) => runPixels(this.towers, pixels),
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.towers.text.release();
    await this.towers.vision.release();
  }
}

async function loadTokenizer(dir: string, contextLength: number): Promise<ClipTokenizer> {
  try {
    return await loadClipTokenizer(dir, { contextLength });
  } catch (error) {
    throw badModel(dir, CLIP_ONNX_FILES.tokenizer, `cannot load the tokenizer (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Loads a CLIP ONNX folder as an Encoder (see the file header for the layout). */
export function loadClipOnnx(folder: string, options: ClipOnnxOptions = {}): Promise<ClipOnnxEncoder> {
  return ClipOnnxEncoder.load(folder, options);
}
