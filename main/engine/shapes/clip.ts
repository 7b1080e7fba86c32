/**
 * `shapes-clip`, the demo CLIP of the built-in ShapesWorld domain: a small ViT image tower
 * and a causal text Transformer of CLIP's structure (main/engine/clip), trained
 * contrastively by scripts/train-shapes-clip.ts and shipped in the Hugging Face ONNX layout
 * under resources/models/shapes-clip, where the same code that loads a real CLIP loads it.
 */
import type { ClipConfig } from '../clip/config.ts';
import { allCaptions, sampleScene, mulberry32 } from './index.ts';

export const SHAPES_CLIP_ID = 'shapes-clip';

/** Images are encoded at 32 px, the side the `shapes` generator preset draws. */
export const SHAPES_CLIP_IMAGE_SIZE = 32;

/** Room for the longest ShapesWorld caption (about 14 words) with its start and end tokens. */
export const SHAPES_CLIP_CONTEXT = 32;

/**
 * Words outside the captions, so that the vocabulary (like CLIP's) holds more than the domain:
 * retrieval (Lafite2 §3.1) must then pick the right words among wrong ones.
 */
const EXTRA_WORDS = [
  // nouns
  'dog',
  'cat',
  'car',
  'tree',
  'house',
  'person',
  'ball',
  'box',
  'line',
  'dot',
  'oval',
  'hexagon',
  'diamond',
  'arrow',
  'moon',
  'sun',
  'flower',
  'bird',
  'table',
  'cup',
  'window',
  'door',
  'road',
  'sky',
  'water',
  'grass',
  'wall',
  'floor',
  'paper',
  'pattern',
  // adjectives
  'brown',
  'gray',
  'grey',
  'cyan',
  'magenta',
  'gold',
  'silver',
  'dark',
  'light',
  'bright',
  'pale',
  'tiny',
  'huge',
  'big',
  'little',
  'round',
  'flat',
  'striped',
  'shiny',
  'old',
  'new',
  'happy',
  'empty',
  'simple',
  // verbs
  'is',
  'are',
  'sits',
  'sitting',
  'lies',
  'lying',
  'stands',
  'standing',
  'floats',
  'floating',
  'shows',
  'showing',
  'holds',
  'drawn',
  'painted',
  'placed',
  // numerals and quantifiers
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'several',
  'many',
  'some',
  'few',
  'single',
  'pair',
  'couple',
  'group',
] as const;

/** Every word of the demo vocabulary: the words ShapesWorld captions use, then the extra words. */
export function shapesClipWords(): string[] {
  const words = new Set<string>();
  const rng = mulberry32(12345);
  // Enough scenes to meet every attribute value and caption frame.
  for (let i = 0; i < 3000; i++) {
    for (const caption of allCaptions(sampleScene(rng))) for (const word of caption.toLowerCase().match(/[a-z]+/g) ?? []) words.add(word);
  }
  for (const word of EXTRA_WORDS) words.add(word);
  return [...words].sort();
}

/** The architecture, for a tokenizer of `vocabSize` entries whose end token is `eosTokenId`. */
export function shapesClipConfig(vocabSize: number, eosTokenId: number): ClipConfig {
  return {
    vision: {
      imageSize: SHAPES_CLIP_IMAGE_SIZE,
      patchSize: 4,
      hiddenSize: 64,
      layers: 2,
      heads: 4,
      intermediateSize: 256,
      projectionDim: 64,
      layerNormEps: 1e-5,
    },
    text: {
      vocabSize,
      contextLength: SHAPES_CLIP_CONTEXT,
      hiddenSize: 64,
      layers: 2,
      heads: 4,
      intermediateSize: 256,
      projectionDim: 64,
      eosTokenId,
      layerNormEps: 1e-5,
    },
  };
}
