/**
 * Retrieval-augmented pseudo captions (Lafite2 §3.1, steps 2 to 4):
 *   2. per image, the top-k words of every vocabulary by cosine (one ONNX Runtime top-k search
 *      per vocabulary over all images: engine/top-k.ts);
 *   3. templates filled with those words: every filling (`full`), or, as the paper's remark
 *      suggests, first the core `{Noun} {Verb} {Noun}`, keeping its best r fillings, then the
 *      other slots (`iterative`);
 *   4. each distinct prompt of the whole dataset encoded once (the encoder callback caches by
 *      text), and per image the top-m prompts kept with their cosine, above an optional threshold.
 *
 * @example
 *   const result = await retrievePrompts({ images, dim, templates, vocabularies, encode, options });
 *   result.perImage[0]  // [{ prompt: 'two red squares', score: 0.31 }, …]
 */
import { rowDot } from '../rows.ts';
import { TopKSearch } from '../top-k.ts';
import { invalidInput } from '../../contract/errors.ts';
import { fillTemplate, type ParsedTemplate } from './templates.ts';
import type { Vocabulary } from './vocabulary.ts';

/** A vocabulary with the text features of its entries: [words, D] row-major, unit rows. */
export interface VocabularyFeatures {
  /** Its slot name in templates (`Noun`, `Verb`, `Numeral`, `Adjective`, or a phrase vocabulary's name). */
  slot: string;
  entries: readonly string[];
  features: Float32Array;
}

/**
 * Retrieval's vocabularies: those the templates use (in the set's order), each with its entries'
 * text features from `encodeEntries` (a job reports progress and honours cancel in it).
 */
export async function vocabularyFeatures(
  vocabularies: readonly Vocabulary[],
  templates: readonly ParsedTemplate[],
  encodeEntries: (vocabulary: Vocabulary) => Promise<Float32Array>,
): Promise<VocabularyFeatures[]> {
  const used = new Set(templates.flatMap((t) => t.slots));
  const out: VocabularyFeatures[] = [];
  for (const vocabulary of vocabularies.filter((v) => used.has(v.name)))
    out.push({ slot: vocabulary.name, entries: vocabulary.entries, features: await encodeEntries(vocabulary) });
  return out;
}

export type RetrievalMode = 'full' | 'iterative';

export interface RetrievalOptions {
  /** k: words kept per image and vocabulary. */
  k: number;
  /** m: prompts kept per image. */
  m: number;
  /** Prompts under this cosine are dropped (an image may keep none). */
  threshold?: number;
  mode: RetrievalMode;
  /** r: core fillings kept per image in the iterative mode. */
  keepCore: number;
  /** Refuse a template whose fillings per image would exceed this (k^slots grows fast). */
  maxCandidatesPerImage: number;
  /** Greedy refinement: phrases appended to each image's best prompt, at most this many (0: off). */
  refineSteps: number;
}

export const RETRIEVAL_DEFAULTS: RetrievalOptions = { k: 5, m: 5, mode: 'iterative', keepCore: 3, maxCandidatesPerImage: 2000, refineSteps: 0 };

/** Encodes prompts into unit text features, [P, D] row-major (cached by the caller). */
export type PromptEncoder = (prompts: readonly string[]) => Promise<Float32Array>;

export interface ScoredPrompt {
  prompt: string;
  score: number;
}

export interface RetrievalResult {
  /** Per image, its top-m prompts, best first. */
  perImage: ScoredPrompt[][];
  /** Per image and vocabulary slot, its top-k words (for the explorer), and their cosines. */
  topWords: Record<string, string[]>[];
  topWordScores: Record<string, number[]>[];
  /** Distinct prompts encoded, against what encoding each image's candidates would have taken. */
  distinctPrompts: number;
  naivePrompts: number;
}

/** The core of the iterative mode: the template's first two nouns and its first verb. */
const CORE = ['Noun', 'Verb', 'Noun'] as const;

/** Positions of the core slots in a template, or undefined when it has no such core. */
function corePositions(template: ParsedTemplate): number[] | undefined {
  const positions: number[] = [];
  const used = new Set<number>();
  for (const slot of CORE) {
    const at = template.slots.findIndex((name, i) => name === slot && !used.has(i));
    if (at < 0) return undefined;
    used.add(at);
    positions.push(at);
  }
  return positions;
}

/**
 * Every filling of a template's slot occurrences from per-slot word pools; occurrences of the
 * same slot take distinct words; `fixed` pins positions (the iterative mode's kept core).
 */
export function fillings(template: ParsedTemplate, pools: Readonly<Record<string, readonly string[]>>, fixed: ReadonlyMap<number, string> = new Map()): string[][] {
  const out: string[][] = [];
  const current: string[] = [];
  const walk = (position: number): void => {
    if (position === template.slots.length) {
      out.push([...current]);
      return;
    }
    const pinned = fixed.get(position);
    const slot = template.slots[position]!;
    for (const word of pinned !== undefined ? [pinned] : (pools[slot] ?? [])) {
      if (pinned === undefined && template.slots.some((other, i) => i < position && other === slot && current[i] === word)) continue;
      current[position] = word;
      walk(position + 1);
    }
  };
  walk(0);
  return out;
}

/** The words at each position as the `choice` fillTemplate takes (a slot's words in order of occurrence). */
function toChoice(template: ParsedTemplate, words: readonly string[]): Record<string, string[]> {
  const choice: Record<string, string[]> = {};
  template.slots.forEach((slot, i) => (choice[slot] ??= []).push(words[i]!));
  return choice;
}

const render = (template: ParsedTemplate, words: readonly string[]): string => fillTemplate(template, toChoice(template, words));

/** How many fillings a template has with `pinned` positions fixed, without enumerating them (for the guard). */
function fillingCount(template: ParsedTemplate, pools: Readonly<Record<string, readonly string[]>>, pinned: ReadonlySet<number>): number {
  const taken = new Map<string, number>();
  let count = 1;
  template.slots.forEach((slot, i) => {
    if (pinned.has(i)) return;
    const before = taken.get(slot) ?? 0;
    count *= Math.max(0, (pools[slot]?.length ?? 0) - before);
    taken.set(slot, before + 1);
  });
  return count;
}

/** Step 2: per image and vocabulary, its top-k entries and their cosines. */
async function topWordsPerImage(
  images: Float32Array,
  dim: number,
  vocabularies: readonly VocabularyFeatures[],
  k: number,
): Promise<{ words: Record<string, string[]>[]; scores: Record<string, number[]>[] }> {
  const n = images.length / dim;
  const words: Record<string, string[]>[] = Array.from({ length: n }, () => ({}));
  const scores: Record<string, number[]>[] = Array.from({ length: n }, () => ({}));
  for (const vocabulary of vocabularies) {
    const search = await TopKSearch.create(vocabulary.features, dim);
    try {
      const found = await search.query(images, k);
      for (let i = 0; i < n; i++) {
        words[i]![vocabulary.slot] = Array.from(found.indices.subarray(i * found.k, (i + 1) * found.k), (j) => vocabulary.entries[j]!);
        scores[i]![vocabulary.slot] = Array.from(found.scores.subarray(i * found.k, (i + 1) * found.k));
      }
    } finally {
      await search.dispose();
    }
  }
  return { words, scores };
}

/** Prompts of the whole dataset, each held once; images refer to them by index. */
class PromptTable {
  readonly prompts: string[] = [];
  private readonly index = new Map<string, number>();
  naive = 0;

  add(prompt: string): number {
    this.naive += 1;
    let at = this.index.get(prompt);
    if (at === undefined) {
      at = this.prompts.length;
      this.prompts.push(prompt);
      this.index.set(prompt, at);
    }
    return at;
  }
}

/** Encodes the table's prompts (those not encoded yet) and returns all features so far. */
async function encodeTable(table: PromptTable, encoded: { features: Float32Array; count: number }, encode: PromptEncoder, dim: number): Promise<Float32Array> {
  if (table.prompts.length === encoded.count) return encoded.features;
  const fresh = await encode(table.prompts.slice(encoded.count));
  const features = new Float32Array(table.prompts.length * dim);
  features.set(encoded.features.subarray(0, encoded.count * dim));
  features.set(fresh, encoded.count * dim);
  encoded.features = features;
  encoded.count = table.prompts.length;
  return features;
}

interface RefineContext {
  images: Float32Array;
  dim: number;
  table: PromptTable;
  encoded: { features: Float32Array; count: number };
  encode: PromptEncoder;
  steps: number;
}

/**
 * Greedy refinement (as CLIP Interrogator's): each image's best prompt grows one phrase at a
 * time, ", phrase" from the image's own top words of every vocabulary, while its cosine to the
 * image rises. All images advance together, so each step is one batch of distinct encodings.
 * A refined prompt that beats the list's best is put first.
 */
async function refineGreedily(perImage: ScoredPrompt[][], topWords: readonly Record<string, string[]>[], ctx: RefineContext): Promise<void> {
  let current = perImage.map((prompts) => prompts[0]);
  const used = perImage.map(() => new Set<string>());
  for (let step = 0; step < ctx.steps; step++) {
    const tries = current.map((best, i) =>
      best
        ? Object.values(topWords[i]!)
            .flat()
            .filter((phrase) => !used[i]!.has(phrase) && !best.prompt.includes(phrase))
            .map((phrase) => ({ phrase, id: ctx.table.add(`${best.prompt}, ${phrase}`) }))
        : [],
    );
    const features = await encodeTable(ctx.table, ctx.encoded, ctx.encode, ctx.dim);
    let improved = false;
    current = current.map((best, i) => {
      if (!best) return best;
      const winner = tries[i]!.map((t) => ({ ...t, score: rowDot(ctx.images, i, features, t.id, ctx.dim) })).sort((a, b) => b.score - a.score)[0];
      if (!winner || winner.score <= best.score) return undefined; // no phrase helps: this image is done
      used[i]!.add(winner.phrase);
      improved = true;
      return { prompt: ctx.table.prompts[winner.id]!, score: winner.score };
    });
    current.forEach((refined, i) => {
      if (refined) perImage[i] = [refined, ...perImage[i]!.filter((p) => p.prompt !== refined.prompt)].slice(0, Math.max(1, perImage[i]!.length));
    });
    if (!improved) break;
  }
}

export interface RetrievalInput {
  /** Image features, [N, D] row-major, unit rows. */
  images: Float32Array;
  dim: number;
  templates: readonly ParsedTemplate[];
  vocabularies: readonly VocabularyFeatures[];
  encode: PromptEncoder;
  options?: Partial<RetrievalOptions>;
}

/** A template with only the filled positions kept (the rest of its text stays): what a partial filling reads as. */
function partialTemplate(template: ParsedTemplate, words: readonly (string | undefined)[]): { template: ParsedTemplate; words: string[] } {
  let occurrence = 0;
  const text = template.text
    .replace(/\{[A-Za-z][A-Za-z0-9]*\}/g, (slot) => (words[occurrence++] === undefined ? '' : slot))
    .replace(/\s+/g, ' ')
    .trim();
  const kept = template.slots.map((slot, i) => ({ slot, word: words[i] })).filter((entry) => entry.word !== undefined);
  return { template: { text, slots: kept.map((entry) => entry.slot) }, words: kept.map((entry) => entry.word!) };
}

/** The filling so far, extended at `position` by every word of its slot's pool not already used by that slot. */
function extend(template: ParsedTemplate, words: readonly (string | undefined)[], position: number, pools: Readonly<Record<string, readonly string[]>>): (string | undefined)[][] {
  const slot = template.slots[position]!;
  const taken = new Set(template.slots.flatMap((other, i) => (other === slot && words[i] !== undefined ? [words[i]!] : [])));
  return (pools[slot] ?? []).filter((word) => !taken.has(word)).map((word) => words.map((w, i) => (i === position ? word : w)));
}

/** Stage order of the iterative mode: the core (or else the nouns) at once, then one slot at a time. */
function stageOrder(template: ParsedTemplate): { first: number[]; rest: number[] } {
  const nouns = template.slots.flatMap((slot, i) => (slot === 'Noun' ? [i] : []));
  const first = corePositions(template) ?? (nouns.length > 0 ? nouns : [0]);
  return { first, rest: template.slots.map((_, i) => i).filter((i) => !first.includes(i)) };
}

interface Scorer {
  /** Adds every image's candidate fillings to the prompt table, encodes what is new, and scores them. */
  score(perImage: readonly (string | undefined)[][][]): Promise<{ words: (string | undefined)[]; id: number; score: number }[][]>;
}

/**
 * The iterative mode (Lafite2's remark): fill the core, keep each image's best r fillings, then
 * add one slot at a time, keeping the best r again, so the candidates grow as r·k per slot
 * instead of k to the number of slots. Returns each image's candidates of the last stage.
 */
async function iterativeCandidates(template: ParsedTemplate, topWords: readonly Record<string, string[]>[], scorer: Scorer, keep: number): Promise<number[][]> {
  const { first, rest } = stageOrder(template);
  const empty: (string | undefined)[] = template.slots.map(() => undefined);
  let partials = topWords.map((pools) => first.reduce<(string | undefined)[][]>((acc, position) => acc.flatMap((words) => extend(template, words, position, pools)), [empty]));
  for (let stage = 0; ; stage++) {
    const scored = await scorer.score(partials);
    if (stage === rest.length) return scored.map((list) => list.map((c) => c.id));
    const best = scored.map((list) => [...list].sort((a, b) => b.score - a.score).slice(0, keep));
    partials = best.map((list, i) => list.flatMap((c) => extend(template, c.words, rest[stage]!, topWords[i]!)));
  }
}

/** Why no template could be filled: per template, the slot that lacks words (each image's pool is its top k of a vocabulary). */
function unfillable(templates: readonly ParsedTemplate[], vocabularies: readonly VocabularyFeatures[], k: number): Error {
  const reasons = templates.map((template) => {
    const needed = new Map<string, number>();
    template.slots.forEach((slot) => needed.set(slot, (needed.get(slot) ?? 0) + 1));
    for (const [slot, count] of needed) {
      const words = Math.min(k, vocabularies.find((v) => v.slot === slot)?.entries.length ?? 0);
      if (words === 0) return `'${template.text}' (no words for ${slot})`;
      if (words < count) return `'${template.text}' (needs ${count} distinct ${slot} words, has ${words})`;
    }
    return `'${template.text}'`;
  });
  const list = reasons.length > 0 ? reasons.join(', ') : 'there are no templates';
  return invalidInput(`no template can be filled from the vocabularies with k = ${k}: ${list}. Add words to those vocabularies or change the templates`, 'templates');
}

export async function retrievePrompts(input: RetrievalInput): Promise<RetrievalResult> {
  const options = { ...RETRIEVAL_DEFAULTS, ...input.options };
  const { images, dim, templates } = input;
  const n = images.length / dim;
  const { words: topWords, scores: topWordScores } = await topWordsPerImage(images, dim, input.vocabularies, options.k);
  const table = new PromptTable();
  const encoded = { features: new Float32Array(0), count: 0 };
  const candidates: number[][] = Array.from({ length: n }, () => []);

  for (const template of templates) {
    const scorer: Scorer = {
      async score(perImage) {
        const ids = perImage.map((list) =>
          list.map((words) => {
            const partial = partialTemplate(template, words);
            return table.add(render(partial.template, partial.words));
          }),
        );
        const features = await encodeTable(table, encoded, input.encode, dim);
        return perImage.map((list, i) => list.map((words, j) => ({ words, id: ids[i]![j]!, score: rowDot(images, i, features, ids[i]![j]!, dim) })));
      },
    };
    if (options.mode === 'iterative') {
      const found = await iterativeCandidates(template, topWords, scorer, options.keepCore);
      found.forEach((ids, i) => candidates[i]!.push(...ids));
      continue;
    }
    topWords.forEach((pools, i) => {
      const count = fillingCount(template, pools, new Set());
      if (count > options.maxCandidatesPerImage) {
        throw invalidInput(`template '${template.text}' has ${count} fillings per image with k = ${options.k}: use the iterative mode or a smaller k`, 'k');
      }
      for (const words of fillings(template, pools)) candidates[i]!.push(table.add(render(template, words)));
    });
  }

  // Without a single prompt every image would fall back to its own image feature (cosine 1):
  // a run that looks fine and trains on nothing textual. Refused instead, saying why.
  if (n > 0 && candidates.every((ids) => ids.length === 0)) throw unfillable(templates, input.vocabularies, options.k);
  const features = await encodeTable(table, encoded, input.encode, dim);
  const perImage = candidates.map((ids, i) => {
    const scored = [...new Set(ids)].map((id) => ({ prompt: table.prompts[id]!, score: rowDot(images, i, features, id, dim) }));
    return scored
      .filter((s) => options.threshold === undefined || s.score >= options.threshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, options.m);
  });
  if (options.refineSteps > 0) await refineGreedily(perImage, topWords, { images, dim, table, encoded, encode: input.encode, steps: options.refineSteps });
  return { perImage, topWords, topWordScores, distinctPrompts: table.prompts.length, naivePrompts: table.naive };
}
