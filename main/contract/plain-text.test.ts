import { describe, expect, it } from 'vitest';
import { fromZodError } from './errors.ts';
import { inputSchemas, jobInputSchemas } from './index.ts';

describe('vocabulary text at the API edge', () => {
  const save = (entries: string[], templates = ['{Noun}']) => inputSchemas['vocabulary.save'].safeParse({ id: 'mine', vocabularies: [{ name: 'Noun', entries }], templates });

  it('refuses NUL, escape sequences and direction overrides in words and templates, naming the field', () => {
    for (const [entries, templates, field] of [
      [['cat\u0000'], ['{Noun}'], 'vocabularies.0.entries.0'],
      [['dog', '\u202Egnp.exe'], ['{Noun}'], 'vocabularies.0.entries.1'],
      [['dog'], ['a \u001b[31m{Noun}'], 'templates.0'],
    ] as const) {
      const parsed = save([...entries], [...templates]);
      expect(parsed.success).toBe(false);
      const error = fromZodError(parsed.error!, 'vocabulary.save');
      expect(error).toMatchObject({ field, message: expect.stringMatching(/no control characters .* or direction overrides/) });
    }
  });

  it('accepts words in any script, with accents and emoji', () => {
    expect(save(['café', 'oiseau', 'عصفور', '鳥', '👩‍🔬']).success).toBe(true);
  });
});

describe('prompts at the API edge', () => {
  const generate = (prompt: string) => jobInputSchemas['gan-generate'].safeParse({ run: 'shapes-pretrained', prompt });

  it('refuses control characters and direction overrides in a prompt, and keeps ordinary ones', () => {
    expect(generate('two red circles, très jolis 🟥').success).toBe(true);
    for (const bad of ['a red\u0000 circle', '\u202Eelcric der a', 'a \u001b[31mred circle']) {
      const parsed = generate(bad);
      expect(parsed.success).toBe(false);
      expect(fromZodError(parsed.error!, 'gan-generate')).toMatchObject({ field: 'prompt', message: expect.stringMatching(/no control characters/) });
    }
  });
});
