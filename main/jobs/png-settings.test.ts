import { encode } from 'fast-png';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PNG_PARAMETERS_KEY, PNG_SETTINGS_KEY } from '../contract/index.ts';
import { encodeSettingsPng, generationSettings, parametersText, readPngSettings } from './png-settings.ts';

const facts = {
  generation: '0123abcd-0000-4000-8000-000000000001',
  run: 'shapes-pretrained',
  step: 3560,
  family: 'gan',
  train: { model: 'shapes-clip', dataset: 'shapes', preset: 'tiny' },
  input: { prompt: 'three yellow hearts', mix: 0.5, seed: 42, n: 4, truncation: 0.7 },
};

/** A 4×4 RGB picture whose bytes are all different. */
const pixels = (): Uint8Array => Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 7) % 256);

describe('PNG settings chunks', () => {
  it('round-trips the settings through a real PNG that sharp decodes to the same pixels and text chunks', async () => {
    const settings = generationSettings(facts, 2, 4, '2026-01-02T03:04:05.000Z');
    const png = encodeSettingsPng(pixels(), 4, settings);

    // Decoded by libvips (another decoder than the writer's): the same pixels, both chunks.
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([4, 4, 3]);
    expect(Uint8Array.from(data)).toEqual(pixels());
    const comments = (await sharp(png).metadata()).comments ?? [];
    expect(comments.map((comment) => comment.keyword).sort()).toEqual([PNG_SETTINGS_KEY, PNG_PARAMETERS_KEY].sort());
    expect(JSON.parse(comments.find((comment) => comment.keyword === PNG_SETTINGS_KEY)!.text)).toEqual(settings);

    const read = readPngSettings(png);
    expect(read.reason).toBeNull();
    expect(read.settings).toEqual(settings);
    expect(read.settings).toMatchObject({ run: 'shapes-pretrained', step: 3560, seed: 42, index: 2, n: 4, truncation: 0.7, prompt: 'three yellow hearts', size: 4 });
    expect(read.text[PNG_PARAMETERS_KEY]).toBe(parametersText(settings));
    expect(read.text[PNG_PARAMETERS_KEY]).toMatch(/^three yellow hearts\nSeed: 42, Image: 3 of 4, Truncation: 0\.7, .*Run: shapes-pretrained, Step: 3560/);
  });

  it('keeps a prompt outside Latin-1 whole in the JSON (escaped: the chunk is ASCII) and escapes it in the human line', () => {
    const prompt = 'une pomme rouge 🍎 — 赤いりんご';
    const settings = generationSettings({ ...facts, input: { ...facts.input, prompt } }, 0, 4);
    const png = encodeSettingsPng(pixels(), 4, settings);
    const read = readPngSettings(png);
    expect(read.settings?.prompt).toBe(prompt);
    expect(read.text[PNG_SETTINGS_KEY]).toMatch(/^[\x20-\x7e]+$/);
    expect(read.text[PNG_PARAMETERS_KEY]!.split('\n')[0]).toBe('une pomme rouge \\ud83c\\udf4e \\u2014 \\u8d64\\u3044\\u308a\\u3093\\u3054');
  });

  it('says why a PNG has no settings: no chunk, a chunk that is no JSON, another format, a wrong field', () => {
    const plain = encode({ width: 4, height: 4, data: pixels(), channels: 3 });
    expect(readPngSettings(plain)).toMatchObject({ settings: null, text: {}, reason: expect.stringMatching(/no 'lafite' text chunk/) });
    const withText = (text: string) => encode({ width: 4, height: 4, data: pixels(), channels: 3, text: { lafite: text, Comment: 'hello' } });
    expect(readPngSettings(withText('{oops')).reason).toMatch(/not JSON/);
    expect(readPngSettings(withText('{"format":2}')).reason).toMatch(/format 2; this version reads format 1/);
    const settings = generationSettings(facts, 0, 4);
    expect(readPngSettings(withText(JSON.stringify({ ...settings, seed: -1 }))).reason).toMatch(/seed is wrong/);
    expect(readPngSettings(withText('{oops')).text.Comment).toBe('hello');
  });

  it("records a diffusion run's sampler, steps, η and guidance instead of ψ", () => {
    const input = { ...facts.input, steps: 25, sampler: 'ddim', eta: 0, guidance: 4.5 };
    const settings = generationSettings({ ...facts, family: 'diffusion', input }, 0, 4);
    const read = readPngSettings(encodeSettingsPng(pixels(), 4, settings));
    expect(read.settings).toMatchObject({ family: 'diffusion', sampling: { sampler: 'ddim', steps: 25, eta: 0, guidance: 4.5 } });
    expect(read.text[PNG_PARAMETERS_KEY]).toMatch(/Sampler: ddim, Steps: 25, Eta: 0, CFG scale: 4\.5/);
    expect(readPngSettings(encodeSettingsPng(pixels(), 4, generationSettings({ ...facts, input }, 0, 4))).settings?.sampling).toBeNull(); // a GAN ignores them
  });

  it('refuses bytes that are no PNG', () => {
    expect(() => readPngSettings(new TextEncoder().encode('not a png at all'))).toThrow();
  });
});
