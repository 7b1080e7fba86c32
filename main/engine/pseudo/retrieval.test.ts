import { describe, expect, it } from 'vitest';
import { fillings, retrievePrompts, type VocabularyFeatures } from './retrieval.ts';
import type { ParsedTemplate } from './templates.ts';

const template = (text: string): ParsedTemplate => ({ text, slots: [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!) });

/** A toy text encoder: each word has a fixed direction; a prompt is the normalised sum of its words. */
const WORDS = ['one', 'two', 'three', 'red', 'blue', 'green', 'square', 'circle', 'star', 'beside', 'above', 'a', 'photo', 'of'];
const DIM = WORDS.length;
const wordVector = (word: string): Float32Array => {
  const v = new Float32Array(DIM);
  const at = WORDS.indexOf(word);
  if (at >= 0) v[at] = 1;
  return v;
};
const normalise = (v: Float32Array): Float32Array => {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
};
const embed = (text: string): Float32Array => {
  const sum = new Float32Array(DIM);
  for (const word of text.split(/[\s,]+/)) wordVector(word).forEach((x, d) => (sum[d]! += x));
  return normalise(sum);
};

function vocab(slot: string, entries: string[]): VocabularyFeatures {
  const features = new Float32Array(entries.length * DIM);
  entries.forEach((e, i) => features.set(embed(e), i * DIM));
  return { slot, entries, features };
}

const VOCABULARIES = [
  vocab('Numeral', ['one', 'two', 'three']),
  vocab('Adjective', ['red', 'blue', 'green']),
  vocab('Noun', ['square', 'circle', 'star']),
  vocab('Verb', ['beside', 'above']),
];

function countingEncoder() {
  const seen: string[] = [];
  const encode = async (prompts: readonly string[]) => {
    seen.push(...prompts);
    const out = new Float32Array(prompts.length * DIM);
    prompts.forEach((p, i) => out.set(embed(p), i * DIM));
    return out;
  };
  return { seen, encode };
}

/** Image features: the normalised sum of the words of a scene. */
const images = (...scenes: string[]): Float32Array => {
  const out = new Float32Array(scenes.length * DIM);
  scenes.forEach((s, i) => out.set(embed(s), i * DIM));
  return out;
};

describe('fillings', () => {
  it('fills every slot occurrence, with distinct words for a repeated slot, and honours pinned positions', () => {
    const t = template('{Numeral} {Noun} {Verb} {Noun}');
    const pools = { Numeral: ['two'], Noun: ['square', 'star', 'circle'], Verb: ['above'] };
    const all = fillings(t, pools);
    expect(all).toHaveLength(6); // 1 × 3 × 1 × 2
    for (const words of all) expect(words[1]).not.toBe(words[3]);
    expect(fillings(t, pools, new Map([[1, 'star']])).map((w) => w[3])).toEqual(['square', 'circle']);
  });
});

describe('retrievePrompts (Lafite2 steps 2 to 4)', () => {
  const features = images('two red square beside blue circle', 'three green star above red square', 'two red square beside blue circle');

  it('finds the prompt that describes each image, best first, encoding each distinct prompt once', async () => {
    const { seen, encode } = countingEncoder();
    const result = await retrievePrompts({
      images: features,
      dim: DIM,
      templates: [template('{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}')],
      vocabularies: VOCABULARIES,
      encode,
      options: { k: 2, m: 3, mode: 'full' },
    });
    // The toy encoder ignores word order: the best prompt has exactly the scene's words.
    const bag = (text: string): string[] => text.split(' ').sort();
    expect(bag(result.perImage[0]![0]!.prompt)).toEqual(bag('two red square beside blue circle'));
    expect(bag(result.perImage[1]![0]!.prompt)).toEqual(bag('three green star above red square'));
    expect(result.perImage[1]![0]!.score).toBeCloseTo(1, 5);
    expect(result.perImage[0]!.map((p) => p.score)).toEqual([...result.perImage[0]!.map((p) => p.score)].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length); // nothing encoded twice
    expect(result.distinctPrompts).toBe(seen.length);
    expect(result.naivePrompts).toBeGreaterThan(result.distinctPrompts); // images 0 and 2 share every prompt
    expect(result.topWords[0]!.Noun).toEqual(expect.arrayContaining(['square', 'circle']));
  });

  it('reaches the same best prompt in the iterative mode with fewer encodings', async () => {
    const full = countingEncoder();
    const iterative = countingEncoder();
    const run = (encode: (p: readonly string[]) => Promise<Float32Array>, mode: 'full' | 'iterative') =>
      retrievePrompts({
        images: features,
        dim: DIM,
        templates: [template('{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}')],
        vocabularies: VOCABULARIES,
        encode,
        options: { k: 3, m: 1, mode, keepCore: 1 },
      });
    const a = await run(full.encode, 'full');
    const b = await run(iterative.encode, 'iterative');
    expect(b.perImage.map((p) => p[0]!.score)).toEqual(a.perImage.map((p) => p[0]!.score));
    expect(iterative.seen.length).toBeLessThan(full.seen.length);
  });

  it('drops prompts under the threshold, and refuses a template with too many fillings', async () => {
    const { encode } = countingEncoder();
    const result = await retrievePrompts({
      images: features,
      dim: DIM,
      templates: [template('a photo of {Noun}')],
      vocabularies: VOCABULARIES,
      encode,
      options: { k: 3, m: 3, threshold: 0.3, mode: 'full' },
    });
    for (const prompts of result.perImage) for (const p of prompts) expect(p.score).toBeGreaterThanOrEqual(0.3);
    await expect(
      retrievePrompts({
        images: features,
        dim: DIM,
        templates: [template('{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}')],
        vocabularies: VOCABULARIES,
        encode,
        options: { k: 3, mode: 'full', maxCandidatesPerImage: 100 },
      }),
    ).rejects.toThrow(/iterative mode or a smaller k/);
  });

  it('refines the best prompt greedily, phrase by phrase, while its cosine rises', async () => {
    const { encode } = countingEncoder();
    const run = (refineSteps: number) =>
      retrievePrompts({
        images: images('two red square'),
        dim: DIM,
        templates: [template('{Numeral} {Noun}')],
        vocabularies: VOCABULARIES,
        encode,
        options: { k: 2, m: 2, mode: 'full', refineSteps },
      });
    const plain = await run(0);
    const refined = await run(3);
    expect(plain.perImage[0]![0]!.prompt).toBe('two square');
    expect(refined.perImage[0]![0]!.prompt).toBe('two square, red');
    expect(refined.perImage[0]![0]!.score).toBeGreaterThan(plain.perImage[0]![0]!.score);
    expect(refined.perImage[0]![0]!.score).toBeCloseTo(1, 5); // then nothing helps any more: it stops
  });
});

describe('retrievePrompts without a fillable template', () => {
  it('fails naming the templates and the slots without words, instead of giving every image its own feature', async () => {
    const onlyNouns = [vocab('Noun', ['square'])];
    for (const mode of ['full', 'iterative'] as const) {
      const attempt = retrievePrompts({
        images: images('red square', 'blue star'),
        dim: DIM,
        templates: [template('a {Adjective} {Noun}'), template('{Noun} beside {Noun}')],
        vocabularies: onlyNouns,
        encode: countingEncoder().encode,
        options: { k: 2, m: 2, mode },
      });
      await expect(attempt).rejects.toMatchObject({
        code: 'invalid_input',
        field: 'templates',
        message: expect.stringMatching(
          /no template can be filled.*'a \{Adjective\} \{Noun\}' \(no words for Adjective\).*'\{Noun\} beside \{Noun\}' \(needs 2 distinct Noun words, has 1\)/,
        ),
      });
    }
  });
});
