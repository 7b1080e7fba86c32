import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp.ts';
import { loadClipTokenizer, writeClipTokenizerFiles } from './clip-tokenizer.ts';

describe('CLIP tokenizer files', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('makes each listed word one token, between start and end tokens; the end token has the highest id', async () => {
    const info = await writeClipTokenizerFiles(dir.path, ['a', 'red', 'circle', 'circles', 'two'], { contextLength: 16 });
    expect(info.eosTokenId).toBe(info.vocabSize - 1);
    expect(info.bosTokenId).toBe(info.vocabSize - 2);
    const tokenizer = await loadClipTokenizer(dir.path);
    expect(tokenizer.contextLength).toBe(16);
    const batch = await tokenizer.encodeBatch(['A  RED circle', 'two red circles']);
    const first = Array.from(batch.data.subarray(0, batch.length));
    expect(first.slice(0, 5)).toEqual([info.bosTokenId, expect.any(Number), expect.any(Number), expect.any(Number), info.eosTokenId]);
    // Lower-casing and whitespace normalisation, as CLIP's tokenizer does.
    const again = await tokenizer.encodeBatch(['a red circle']);
    expect(Array.from(again.data.subarray(0, 5))).toEqual(first.slice(0, 5));
    // Padded with the end token to the longest of the batch.
    expect(batch.length).toBe(5);
  });

  it('splits unknown words into pieces, pads to the context length on request, and truncates long prompts', async () => {
    const info = await writeClipTokenizerFiles(dir.path, ['red'], { contextLength: 8 });
    const tokenizer = await loadClipTokenizer(dir.path);
    const unknown = await tokenizer.encodeBatch(['zebra']);
    expect(unknown.length).toBe(2 + 5); // z e b r a</w>
    const padded = await tokenizer.encodeBatch(['red'], { padToContext: true });
    expect(Array.from(padded.data)).toEqual([info.bosTokenId, expect.any(Number), ...Array(6).fill(info.eosTokenId)]);
    const long = await tokenizer.encodeBatch(['red '.repeat(2500)]);
    expect(long.length).toBe(8);
    expect(long.data[7]).toBe(info.eosTokenId);
  });

  it('refuses words it cannot write as plain BPE entries', async () => {
    await expect(writeClipTokenizerFiles(dir.path, ['Red'], { contextLength: 8 })).rejects.toThrow(/'Red' must be lowercase/);
  });
});
