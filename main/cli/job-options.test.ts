import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { JOB_OPTIONS, jobInputSchemas, type OptionJobKind, type OptionSpec } from '../contract/index.ts';
import { addJobOptions, jobInput } from './job-options.ts';
import { buildProgram } from './main.ts';
import { parseSchedule } from './train.ts';

const KINDS = Object.keys(JOB_OPTIONS) as OptionJobKind[];
const entries = (kind: OptionJobKind): [string, OptionSpec][] => Object.entries(JOB_OPTIONS[kind]);
const shapeOf = (kind: OptionJobKind): Record<string, z.ZodType> => (jobInputSchemas[kind] as unknown as z.ZodObject).shape;

/** The command of each job kind, by its words after `lafite`. */
const COMMANDS: Record<OptionJobKind, string[]> = {
  embed: ['embed'],
  'dataset-import': ['dataset', 'import'],
  'pseudo-synth': ['pseudo', 'synth'],
  'pseudo-train-nn': ['pseudo', 'train-nn'],
  'gan-train': ['train'],
  'gan-eval': ['eval'],
  'gan-generate': ['generate'],
  'diffusion-train': ['train'],
};

function commandOf(program: Command, words: string[]): Command {
  return words.reduce((command, word) => command.commands.find((c) => c.name() === word)!, program);
}

describe('job option tables', () => {
  it.each(KINDS)('%s: the schema fills in the table’s defaults, and has no default the table lacks', (kind) => {
    const shape = shapeOf(kind);
    for (const [field, spec] of entries(kind)) {
      expect(shape[field], `${kind}.${field}`).toBeDefined();
      const left = shape[field]!.safeParse(undefined);
      expect(left.success ? left.data : undefined, `${kind}.${field}`).toEqual(spec.default);
    }
    for (const [field, schema] of Object.entries(shape)) {
      const left = schema.safeParse(undefined);
      if (left.success && left.data !== undefined) expect(JOB_OPTIONS[kind], `${kind}.${field}: a default outside the table`).toHaveProperty(field);
    }
  });

  it.each(KINDS)('%s: the CLI’s --help lists every field of the table, with its words', (kind) => {
    const help = commandOf(buildProgram(), COMMANDS[kind]).helpInformation().replace(/\s+/g, ' ');
    for (const [field, spec] of entries(kind)) {
      expect(help, `${kind}.${field}`).toContain(spec.flag);
      expect(help, `${kind}.${field}`).toContain(spec.help.replace(/\s+/g, ' '));
    }
  });

  it('choices are the schema’s enums', () => {
    for (const kind of KINDS) {
      for (const [field, spec] of entries(kind)) {
        if (spec.parse !== 'choice') continue;
        for (const choice of spec.choices ?? []) expect(shapeOf(kind)[field]!.safeParse(choice).success, `${kind}.${field} ${choice}`).toBe(true);
        expect(shapeOf(kind)[field]!.safeParse('no-such-choice').success).toBe(false);
      }
    }
  });
});

describe('jobInput', () => {
  const parse = <K extends OptionJobKind>(kind: K, argv: string[], parsers = {}) => {
    const command = addJobOptions(new Command().exitOverride(), kind, { parsers });
    command.parse(argv, { from: 'user' });
    return jobInput(kind, command.opts());
  };

  it('fills each field under its own name, with the table’s defaults (--lr is learningRate, --no-con-g is conG)', () => {
    const input = parse(
      'gan-train',
      [
        '--dataset',
        'shapes',
        '--pseudo',
        'retrieval',
        '--lr',
        '0.01',
        '--no-con-g',
        '--sample-prompt',
        'a red circle',
        '--sample-prompt',
        'two squares',
        '--schedule',
        'linear:0:100',
      ],
      { schedule: parseSchedule },
    );
    expect(input).toMatchObject({
      dataset: 'shapes',
      learningRate: 0.01,
      conG: false,
      samplePrompts: ['a red circle', 'two squares'],
      schedule: { kind: 'linear', startStep: 0, endStep: 100 },
      steps: 2000,
      cloSteps: 10,
    });
    expect(input).not.toHaveProperty('lr');
    expect(jobInputSchemas['gan-train'].parse(input)).toMatchObject({ learningRate: 0.01, conG: false, recompute: false });
  });

  it('reads a switch (--recompute) as true, and false when left out', () => {
    expect(parse('gan-train', ['--dataset', 'shapes', '--recompute'], { schedule: parseSchedule })).toMatchObject({ recompute: true });
    expect(parse('gan-train', ['--dataset', 'shapes'], { schedule: parseSchedule })).toMatchObject({ recompute: false });
  });

  it('makes paths absolute and leaves out a default only the schema fills in', () => {
    const input = parse('gan-eval', ['--run', 'abcdef12', '--inception', 'models/inception.onnx'], { blur: (text: string) => text.split(',').map(Number) });
    expect(input.inception).toMatch(/^\/.*models\/inception\.onnx$/);
    expect(input).not.toHaveProperty('blur');
    expect(input).not.toHaveProperty('prompts'); // a file the command reads
    expect(parse('pseudo-synth', ['--dataset', 'shapes', '--refine', '2'])).toMatchObject({ refineSteps: 2, method: 'all', cloInit: 'retrieval' });
  });
});
