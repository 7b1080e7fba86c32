import { describe, expect, it } from 'vitest';
import { jobInputSchemas } from '../../../main/contract/index.ts';
import {
  checkPlayForm,
  DEFAULT_PLAY_FORM,
  downloadName,
  generateInput,
  generationLine,
  generationSettings,
  playFieldOf,
  pngDataUrl,
  randomSeed,
  type PlayForm,
} from './playground-form.ts';

const RUN = 'abcdef12-3456-7890';
const form = (overrides: Partial<PlayForm> = {}): PlayForm => ({ ...DEFAULT_PLAY_FORM, prompt: 'a red circle', ...overrides });

describe('playground form', () => {
  it('starts from the gan-generate schema defaults', () => {
    const parsed = jobInputSchemas['gan-generate'].parse({ run: RUN, prompt: 'a red circle' });
    expect(jobInputSchemas['gan-generate'].parse(generateInput(RUN, form()))).toEqual(parsed);
    expect(checkPlayForm(RUN, form())).toEqual({});
  });

  it('sends the prompt, the image with its share only when there is an image, and never an output folder', () => {
    expect(generateInput(RUN, form({ prompt: '  a red circle ', n: 2, seed: 7 }))).toEqual({ run: RUN, prompt: 'a red circle', n: 2, seed: 7, truncation: 1 });
    const mixed = generateInput(RUN, form({ prompt: '', image: '/pictures/cat.png', mix: 0.25 }));
    expect(mixed).toEqual({ run: RUN, image: '/pictures/cat.png', mix: 0.25, n: 4, seed: 0, truncation: 1 });
    expect(jobInputSchemas['gan-generate'].safeParse(mixed).success).toBe(true);
  });

  it('refuses what the schema refuses, field by field', () => {
    expect(checkPlayForm(RUN, form({ prompt: ' ' }))).toEqual({ prompt: 'Type a prompt, give an image, or both.' });
    expect(checkPlayForm(RUN, form({ n: 65, seed: -1, truncation: '' }))).toEqual({ n: 'At most 64.', seed: 'At least 0.', truncation: 'Required.' });
    expect(checkPlayForm(RUN, form({ image: 'cat.png' }))).toEqual({ image: 'An absolute path.' });
    expect(playFieldOf('input.prompt')).toBe('prompt');
    expect(playFieldOf('input.run')).toBeNull();
    expect(playFieldOf(undefined)).toBeNull();
  });

  it('names, shows and describes generated images', () => {
    expect(pngDataUrl('iVBOR')).toBe('data:image/png;base64,iVBOR');
    expect(downloadName(RUN, '0123456789ab', 'seed7-0.png')).toBe('lafite-abcdef12-01234567-seed7-0.png');
    expect(generationLine({ prompt: 'a red circle', image: null, mix: 0.5 })).toBe('“a red circle”');
    expect(generationLine({ prompt: 'a red circle', image: '/pictures/cat.png', mix: 0.3 })).toBe('“a red circle” + cat.png × 0.3');
    expect(generationSettings({ n: 1, seed: 3, truncation: 0.7 })).toBe('1 image · seed 3 · ψ 0.7');
    expect(randomSeed(() => 0.5)).toBe(0x8000_0000);
    expect(randomSeed(() => 0.9999999999)).toBeLessThanOrEqual(0xffffffff);
  });
});
