/**
 * Whether an encoder fits a dataset, from what is stored (no encoder runs here): the mean
 * image–text cosine of the dataset's real captions (cached features), the share of caption
 * words its tokenizer has no whole-word token for, and the image–text cosines of its retrieval
 * pseudo-captions against the demo's. The built-in `shapes-clip` knows only ShapesWorld's ~900
 * tokens: on another domain all three show it, and training on its features trains on noise.
 * The CLI prints the warnings after embed, pseudo synth and dataset captions and in `dataset
 * show`; the Datasets and Pseudo-captions views show them as a banner.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncoderFit } from '../contract/index.ts';
import { wordsFromTokenizer } from '../engine/pseudo/vocabulary.ts';
import { similarityStats } from '../engine/pseudo/stats.ts';
import type { DatasetStore } from '../store/datasets.ts';
import type { EmbeddingStore } from '../store/embeddings.ts';
import type { ModelStore } from '../store/models.ts';
import type { PseudoStore } from '../store/pseudo.ts';
import { SHAPES_CLIP_ID } from '../engine/shapes/clip.ts';

/**
 * The mean real-caption image–text cosine an encoder reaches on the domain it fits: shapes-clip
 * on ShapesWorld 0.636 (measured on 12 renders), CLIP ViT-B/32 and B/16 on COCO about 0.3 (the
 * default). Mismatched captions still score above 0 (0.113 for food captions on ShapesWorld).
 */
const CAPTION_COSINE_REFERENCE: Readonly<Record<string, number>> = { [SHAPES_CLIP_ID]: 0.636 };
const DEFAULT_CAPTION_COSINE = 0.3;
/** Below this share of the reference, captions and pictures do not meet in the encoder's space. */
export const MIN_CAPTION_SHARE = 0.6;
/** Above this share of caption words without a whole-word token, the tokenizer does not know the domain's words. */
export const MAX_UNKNOWN_WORD_SHARE = 0.2;
/** The demo's retrieval pseudo-captions (shapes-clip on ShapesWorld) score this mean image–text cosine (0.646 measured on 12 renders; their real captions 0.636). */
export const DEMO_RETRIEVAL_COSINE = 0.65;
/** Retrieval cosines below this share of the demo's are "far below". */
const FAR_BELOW = 0.5;
const EXAMPLES = 8;

/** The real CLIPs a user can get, in words, for the warnings. */
const FIX =
  'use a real CLIP: `lafite model download clip-vit-b32` (offline: `--mirror URL`, or `lafite model add FOLDER` with files from another machine; README, "A real CLIP offline")';

/** Whole words per model folder (its tokenizer.json or vocab.json), read once per process. */
const wordCache = new Map<string, Promise<Set<string> | null>>();
export function tokenizerWords(modelPath: string): Promise<Set<string> | null> {
  let words = wordCache.get(modelPath);
  if (!words) {
    words = (async () => {
      const file = ['tokenizer.json', 'vocab.json'].map((name) => join(modelPath, name)).find((path) => existsSync(path));
      if (!file) return null;
      return new Set(wordsFromTokenizer(JSON.parse(await readFile(file, 'utf8')), { digits: true }));
    })().catch(() => null);
    wordCache.set(modelPath, words);
  }
  return words;
}

/** Lowercase words of a text, as a CLIP tokenizer splits them (letters, inner ' and -). */
export const wordsOf = (text: string): string[] => text.toLowerCase().match(/[a-z]+(?:['-][a-z]+)*|\d+/g) ?? [];

/** Words of `texts` without a whole-word token: their share of all words, and a few of them, most frequent first. */
export function unknownWords(texts: readonly string[], known: ReadonlySet<string>): { words: number; unknown: number; examples: string[] } {
  const counts = new Map<string, number>();
  let words = 0;
  let unknown = 0;
  for (const text of texts) {
    for (const word of wordsOf(text)) {
      words += 1;
      if (known.has(word)) continue;
      unknown += 1;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const examples = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([word]) => word);
  return { words, unknown, examples: examples.slice(0, EXAMPLES) };
}

interface Stores {
  datasets: DatasetStore;
  models: ModelStore;
  embeddings: EmbeddingStore;
  pseudo: PseudoStore;
}

/** The mean image–text cosine of each image's first caption, from cached features only; null until both are cached. */
function captionCosine(stores: Stores, dataset: string, model: string): { mean: number; pairs: number } | null {
  const first = new Map<number, { sha256: string; text: string }>();
  for (const pair of stores.datasets.captionPairs(dataset)) if (!first.has(pair.imageId)) first.set(pair.imageId, pair);
  const pairs = [...first.values()];
  if (pairs.length < 2) return null;
  const images = stores.embeddings.getMany(
    model,
    'image',
    pairs.map((p) => p.sha256),
  );
  const texts = stores.embeddings.getMany(
    model,
    'text',
    pairs.map((p) => p.text),
  );
  const both = pairs.filter((p) => images.has(p.sha256) && texts.has(p.text));
  if (both.length < 2) return null;
  const dim = images.get(both[0]!.sha256)!.length;
  const pack = (vectors: Float32Array[]): Float32Array => {
    const out = new Float32Array(vectors.length * dim);
    vectors.forEach((v, i) => out.set(v, i * dim));
    return out;
  };
  const stats = similarityStats(pack(both.map((p) => images.get(p.sha256)!)), pack(both.map((p) => texts.get(p.text)!)), dim);
  return { mean: stats.imageText.mean, pairs: both.length };
}

const fixed = (x: number): string => x.toFixed(3).replace('-', '−');

/** How well `model` fits `dataset`, with a warning per sign that it does not. */
export async function encoderFit(stores: Stores, dataset: string, model: string): Promise<EncoderFit> {
  const record = stores.models.get(model);
  const warnings: string[] = [];
  const captions = captionCosine(stores, dataset, model);
  const reference = CAPTION_COSINE_REFERENCE[model] ?? DEFAULT_CAPTION_COSINE;
  if (captions && captions.mean < MIN_CAPTION_SHARE * reference) {
    warnings.push(
      `real captions score a mean image–text cosine of ${fixed(captions.mean)} with ${model} (${captions.pairs} pairs; on a domain it fits, about ${fixed(reference)}): the encoder does not relate this dataset's words to its pictures`,
    );
  }
  const known = record ? await tokenizerWords(record.path) : null;
  const texts = stores.datasets.captionPairs(dataset).map((pair) => pair.text);
  const words = known && texts.length > 0 ? unknownWords(texts, known) : null;
  if (words && words.words > 0 && words.unknown / words.words > MAX_UNKNOWN_WORD_SHARE) {
    warnings.push(
      `${Math.round((100 * words.unknown) / words.words)} % of the caption words are not in ${model}'s tokenizer (${known!.size.toLocaleString('en')} words), e.g. ${words.examples.slice(0, 5).join(', ')}`,
    );
  }
  const retrieval = stores.pseudo.list(dataset).find((run) => run.method === 'retrieval' && run.complete && run.modelId === model);
  const retrievalMean = (retrieval?.stats as { imageText?: { mean: number } } | null)?.imageText?.mean;
  const retrievalCosine = retrievalMean === undefined ? null : { mean: retrievalMean, demo: DEMO_RETRIEVAL_COSINE, run: retrieval!.id };
  if (retrievalCosine && model === SHAPES_CLIP_ID && retrievalCosine.mean < FAR_BELOW * DEMO_RETRIEVAL_COSINE) {
    warnings.push(
      `its retrieval pseudo-captions score a mean image–text cosine of ${fixed(retrievalCosine.mean)}, far below the ShapesWorld demo's ${fixed(DEMO_RETRIEVAL_COSINE)}: the retrieved words say little about these pictures`,
    );
  }
  if (warnings.length > 0) warnings.push(model === SHAPES_CLIP_ID ? `${model} is the small demo encoder, trained on ShapesWorld only: ${FIX}` : `try another encoder: ${FIX}`);
  return {
    dataset,
    model,
    fits: warnings.length === 0,
    warnings,
    captionCosine: captions,
    unknownWords: words ? { ...words, vocabulary: known!.size } : null,
    retrievalCosine,
  };
}
