import { describe, expect, it } from 'vitest';
import { LafiteError } from '../../contract/errors.ts';
import { fillTemplate, indefiniteArticle, MAX_TEMPLATE_CHARS, parseTemplate, parseTemplateSet, serialiseTemplateSet, slotCounts } from './templates.ts';

const KNOWN = new Set(['Noun', 'Verb', 'Numeral', 'Adjective', 'Accessory']);
const COCO = '{Numeral} {Adjective} {Noun} {Verb} {Adjective} {Noun}';

function errorOf(fn: () => unknown): LafiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LafiteError) return error;
    throw error;
  }
  throw new Error('expected a LafiteError');
}

describe('parseTemplate', () => {
  it('lists the slots in order, one per occurrence, and normalises spaces', () => {
    expect(parseTemplate(`  ${COCO}  `, KNOWN)).toEqual({ text: COCO, slots: ['Numeral', 'Adjective', 'Noun', 'Verb', 'Adjective', 'Noun'] });
    expect(parseTemplate('a face of a   {Adjective} {Noun} {Accessory}', KNOWN).text).toBe('a face of a {Adjective} {Noun} {Accessory}');
    expect(slotCounts(parseTemplate(COCO, KNOWN))).toEqual(
      new Map([
        ['Numeral', 1],
        ['Adjective', 2],
        ['Noun', 2],
        ['Verb', 1],
      ]),
    );
  });

  const cases: Array<[string, string, RegExp]> = [
    ['an unknown slot, listing the known ones', 'a {Colour} dog', /unknown slot \{Colour\}; known slots: \{Accessory\}, \{Adjective\}, \{Noun\}, \{Numeral\}, \{Verb\}$/],
    ['a slot in the wrong case, with a hint', 'a {noun}', /unknown slot \{noun\} \(did you mean \{Noun\}\?\)/],
    ['a brace never closed', 'a {Noun', /'\{' at column 3 is never closed/],
    ['a closing brace without an opening one', 'a Noun} {Noun}', /'\}' at column 7 has no matching '\{'/],
    ['a slot inside a slot', 'a {No{Noun}}', /'\{' at column 6 opens inside the slot at column 3/],
    ['a slot that is not a name', 'a {hair colour}', /slot '\{hair colour\}' at column 3 is not a name/],
    ['an empty slot', 'a {} dog', /slot '\{\}' at column 3 is not a name/],
    ['no slot', 'a photo of a dog', /has no slot; write one as \{Noun\}/],
    ['an empty text', '   ', /^template is empty$/],
    ['a text too long', `{Noun} ${'x'.repeat(MAX_TEMPLATE_CHARS)}`, /is 307 characters; at most 300$/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}`, () => {
      const error = errorOf(() => parseTemplate(text, KNOWN));
      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe('template');
      expect(error.message).toMatch(message);
    });
  }
});

describe('fillTemplate', () => {
  it('fills a repeated slot with successive entries', () => {
    const t = parseTemplate(COCO, KNOWN);
    expect(fillTemplate(t, { Numeral: ['two'], Adjective: ['brown', 'red'], Noun: ['dogs', 'ball'], Verb: ['chasing'] })).toBe('two brown dogs chasing red ball');
  });

  it('keeps the literal text around slots, punctuation included', () => {
    const t = parseTemplate('{Noun}, {Noun}; and {Verb}!', KNOWN);
    expect(fillTemplate(t, { Noun: ['cats', 'dogs', 'unused'], Verb: ['sleeping'], Other: ['x'] })).toBe('cats, dogs; and sleeping!');
  });

  it('makes an article agree with a filled slot next to it, and leaves the template’s own words alone', () => {
    const t = parseTemplate('a face of a {Adjective} {Noun} {Accessory}', KNOWN);
    expect(fillTemplate(t, { Adjective: ['old'], Noun: ['man'], Accessory: ['wearing an hat'] })).toBe('a face of an old man wearing a hat');
    const shapes = parseTemplate('{Numeral} {Adjective} {Noun} on a {Adjective} background', KNOWN);
    expect(fillTemplate(shapes, { Numeral: ['a'], Adjective: ['orange', 'beige'], Noun: ['circle'] })).toBe('an orange circle on a beige background');
    expect(fillTemplate(parseTemplate('An {Adjective} {Noun}', KNOWN), { Adjective: ['big'], Noun: ['dog'] })).toBe('A big dog');
    expect(fillTemplate(parseTemplate('an apple and {Numeral} {Noun}', KNOWN), { Numeral: ['two'], Noun: ['pears'] })).toBe('an apple and two pears');
  });

  it('says which slot has too few entries', () => {
    const t = parseTemplate(COCO, KNOWN);
    const error = errorOf(() => fillTemplate(t, { Numeral: ['two'], Adjective: ['brown', 'red'], Noun: ['dogs'], Verb: ['chasing'] }));
    expect(error.message).toMatch(/uses \{Noun\} 2 time\(s\) but 1 entry was chosen/);
  });
});

describe('indefiniteArticle', () => {
  it('goes by the sound where the spelling misleads', () => {
    expect(['apple', 'orange', 'hour', 'dog', 'unicorn', 'european', 'umbrella'].map(indefiniteArticle)).toEqual(['an', 'an', 'an', 'a', 'a', 'a', 'an']);
  });
});

describe('parseTemplateSet', () => {
  it('parses every template, drops repeats, and round-trips', () => {
    const set = parseTemplateSet({ id: 'photos', templates: [COCO, `${COCO} `, 'a photo of {Noun}'] }, 'photos.json', KNOWN);
    expect(set).toEqual({ id: 'photos', templates: [COCO, 'a photo of {Noun}'] });
    expect(parseTemplateSet(JSON.parse(serialiseTemplateSet(set)), 'x', KNOWN)).toEqual(set);
  });

  it('names the file and the template at fault', () => {
    const error = errorOf(() => parseTemplateSet({ id: 'photos', templates: ['{Noun}', 'a {Colour}'] }, 'photos.json', KNOWN));
    expect(error.message).toMatch(/^photos\.json: templates\[1\]: template 'a \{Colour\}': unknown slot \{Colour\}/);
    expect(error.field).toBe('templates.1');
    expect(errorOf(() => parseTemplateSet({ id: 'photos', templates: [] }, 'photos.json')).message).toMatch(/^photos\.json: field 'templates': must hold at least one template/);
  });

  it('checks only the syntax without vocabulary names', () => {
    expect(parseTemplateSet({ id: 'x', templates: ['a {Colour}'] }, 'x.json').templates).toEqual(['a {Colour}']);
    expect(errorOf(() => parseTemplateSet({ id: 'x', templates: ['a {Colour'] }, 'x.json')).message).toMatch(/never closed/);
  });
});
