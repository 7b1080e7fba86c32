/**
 * CLIP's byte-pair tokenizer (Radford et al. 2021, §2.5; Sennrich et al. 2016) in the
 * Hugging Face `tokenizer.json` format: written for the demo model's own word list, and
 * loaded (for any CLIP folder) through @huggingface/transformers, local files only.
 *
 * The vocabulary is laid out as CLIP's: the 256 byte-level characters, the same with the
 * end-of-word mark `</w>`, then one token per merge, then `<|startoftext|>` and
 * `<|endoftext|>` last (so the end token has the highest id, as CLIP's does). A word of the
 * list becomes one token; any other text falls back to smaller pieces, down to bytes.
 *
 * @example
 *   const { vocabSize, eosTokenId } = await writeClipTokenizerFiles(dir, ['red', 'circle'], { contextLength: 32 });
 *   const tokenizer = await loadClipTokenizer(dir);
 *   const { data, length } = await tokenizer.encodeBatch(['a red circle']);
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BOS = '<|startoftext|>';
export const EOS = '<|endoftext|>';
const END_OF_WORD = '</w>';

/** GPT-2's byte → printable character map, which CLIP's ByteLevel step uses. */
function byteLevelAlphabet(): string[] {
  const printable = [...range(33, 126), ...range(161, 172), ...range(174, 255)];
  const chars: string[] = [];
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) chars[byte] = String.fromCharCode(printable.includes(byte) ? byte : 256 + extra++);
  return chars;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export interface ClipTokenizerInfo {
  vocabSize: number;
  bosTokenId: number;
  eosTokenId: number;
  contextLength: number;
}

/** Left-to-right merges that build each word as one token: c·i → ci, ci·r → cir, …, circl·e</w>. */
function mergesFor(words: readonly string[]): Array<[string, string]> {
  const merges: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const word of words) {
    const chars = [...word];
    let left = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      const right = i === chars.length - 1 ? chars[i]! + END_OF_WORD : chars[i]!;
      const key = `${left} ${right}`;
      if (!seen.has(key)) {
        seen.add(key);
        merges.push([left, right]);
      }
      left += right;
    }
  }
  return merges;
}

/** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json for `words` (lowercase a–z). */
export async function writeClipTokenizerFiles(dir: string, words: readonly string[], options: { contextLength: number }): Promise<ClipTokenizerInfo> {
  for (const word of words) if (!/^[a-z]+$/.test(word)) throw new Error(`tokenizer word '${word}' must be lowercase letters a–z`);
  const alphabet = byteLevelAlphabet();
  const vocab: Record<string, number> = {};
  const add = (token: string): void => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  };
  alphabet.forEach(add);
  alphabet.forEach((char) => add(char + END_OF_WORD));
  const merges = mergesFor(words.filter((w) => w.length > 1));
  for (const [left, right] of merges) add(left + right);
  add(BOS);
  add(EOS);
  const bosTokenId = vocab[BOS]!;
  const eosTokenId = vocab[EOS]!;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(bosTokenId, BOS), special(eosTokenId, EOS)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: [EOS, eosTokenId], cls: [BOS, bosTokenId], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: EOS,
      continuing_subword_prefix: '',
      end_of_word_suffix: END_OF_WORD,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const config = {
    tokenizer_class: 'CLIPTokenizer',
    model_max_length: options.contextLength,
    bos_token: BOS,
    eos_token: EOS,
    pad_token: EOS,
    unk_token: EOS,
    do_lower_case: true,
    clean_up_tokenization_spaces: true,
  };
  const specials = { bos_token: BOS, eos_token: EOS, pad_token: EOS, unk_token: EOS };
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(dir, 'special_tokens_map.json'), `${JSON.stringify(specials, null, 2)}\n`);
  return { vocabSize: Object.keys(vocab).length, bosTokenId, eosTokenId, contextLength: options.contextLength };
}

/** Token ids of a batch, padded with the end token to the longest (at most the context length). */
export interface TokenBatch {
  data: Int32Array; // [count, length]
  count: number;
  length: number;
}

export interface ClipTokenizer {
  contextLength: number;
  /** Pads to the longest text of the batch (`padToContext`: to the context length), truncating past it. */
  encodeBatch(texts: readonly string[], options?: { padToContext?: boolean }): Promise<TokenBatch>;
}

/**
 * Loads a CLIP tokenizer from a folder's tokenizer files, never from the network.
 * `contextLength` overrides tokenizer_config.json's `model_max_length` (some exports write 1e30 there).
 */
export async function loadClipTokenizer(dir: string, options: { contextLength?: number } = {}): Promise<ClipTokenizer> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = '';
  const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  const contextLength = options.contextLength ?? Number(tokenizer.model_max_length);
  const eosTokenId = tokenizer.convert_tokens_to_ids(EOS);
  return {
    contextLength,
    async encodeBatch(texts, options = {}) {
      const encoded = tokenizer(texts as string[], {
        padding: options.padToContext ? 'max_length' : true,
        truncation: true,
        max_length: contextLength,
        return_tensor: false,
      }) as { input_ids: number[][] };
      // A truncated text keeps its end token, as CLIP's own tokenizer does: the text tower pools there.
      const rows = encoded.input_ids.map((ids) => (ids.length === contextLength && !ids.includes(eosTokenId) ? [...ids.slice(0, -1), eosTokenId] : ids));
      const length = rows[0]?.length ?? 0;
      const data = new Int32Array(rows.length * length);
      rows.forEach((ids, i) => data.set(ids, i * length));
      return { data, count: rows.length, length };
    },
  };
}
