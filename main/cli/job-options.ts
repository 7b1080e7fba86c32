/**
 * A job's CLI options from its option table (main/contract/options.ts): the flags, help,
 * defaults and parsers the table names, and the job's input, typed as its schema's input,
 * read back from what commander parsed. A flag need not match its field (`--lr` sets
 * learningRate): the table says which field each flag fills.
 *
 * @example
 *   addJobOptions(program.command('generate'), 'gan-generate').action(
 *     withService(async (service, options: ParsedOptions) => runJob(service, 'gan-generate', jobInput('gan-generate', options), format)),
 *   );
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { JOB_OPTIONS, type JobInput, type OptionJobKind, type OptionSpec } from '../contract/index.ts';
import { integer, number } from './context.ts';

/** What commander parsed, by attribute name (`--batch-size` is `batchSize`, `--no-con-g` is `conG`). */
export type ParsedOptions = Readonly<Record<string, unknown>>;

type Table<K extends OptionJobKind> = (typeof JOB_OPTIONS)[K];
/** A field of a job's option table. */
export type OptionField<K extends OptionJobKind> = keyof Table<K> & string;
/** The fields whose table entry says `custom`: the command hands their parsers. */
type CustomField<K extends OptionJobKind> = { [F in OptionField<K>]: Table<K>[F] extends { parse: 'custom' } ? F : never }[OptionField<K>];

export interface JobOptionsOf<K extends OptionJobKind> {
  /** Only these fields, in this order (default: the whole table, in its order). */
  fields?: readonly OptionField<K>[];
  /** A parser per `custom` field registered. */
  parsers?: { readonly [F in CustomField<K>]?: (value: string, previous: unknown) => unknown };
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
/** Jobs run elsewhere: relative paths would mean another folder. */
const absolute = (value: string): string => (value === '' ? value : resolve(value));

/** The commander option of one table entry. */
function toOption(field: string, spec: OptionSpec, custom: ((value: string, previous: unknown) => unknown) | undefined): Option {
  const option = new Option(spec.flag, spec.help);
  if (spec.parse === 'integer') option.argParser(integer);
  else if (spec.parse === 'number') option.argParser(number);
  else if (spec.parse === 'path') option.argParser(absolute);
  else if (spec.parse === 'repeat') option.argParser(collect);
  else if (spec.parse === 'choice') option.choices(spec.choices ?? []);
  else if (spec.parse === 'custom') {
    if (!custom) throw new Error(`the option table's ${field} (${spec.flag}) needs a parser from its command`);
    option.argParser(custom);
  }
  if (spec.required) option.makeOptionMandatory();
  // A --no-… switch defaults to true by itself; a default the schema alone fills in is neither shown nor sent.
  if (spec.default !== undefined && spec.parse !== 'negate' && spec.cliDefault !== false) option.default(spec.default);
  return option;
}

/** Adds a job's options (all of its table, or `fields`) to a command. */
export function addJobOptions<K extends OptionJobKind>(command: Command, kind: K, options: JobOptionsOf<K> = {}): Command {
  const table: Readonly<Record<string, OptionSpec>> = JOB_OPTIONS[kind];
  const parsers: Readonly<Record<string, ((value: string, previous: unknown) => unknown) | undefined>> = options.parsers ?? {};
  for (const field of options.fields ?? Object.keys(table)) command.addOption(toOption(field, table[field]!, parsers[field]));
  return command;
}

/** The option's name in commander's parsed options. */
const attributeOf = (spec: OptionSpec): string => new Option(spec.flag).attributeName();

/**
 * The job's input from what commander parsed: each table field that has a value, under the
 * field's own name. `file` fields are left to the command (it reads the file).
 */
export function jobInput<K extends OptionJobKind>(kind: K, parsed: ParsedOptions): JobInput<K> {
  const table: Readonly<Record<string, OptionSpec>> = JOB_OPTIONS[kind];
  const input: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(table)) {
    if (spec.parse === 'file') continue;
    const value = parsed[attributeOf(spec)];
    if (value !== undefined) input[field] = value;
  }
  // Each value came through its table entry's parser (or choices), so it has its field's type; the API validates it all again.
  return input as JobInput<K>;
}

/** The text commander parsed for a `file` field (the command reads the file). */
export function fileOption<K extends OptionJobKind>(kind: K, field: OptionField<K>, parsed: ParsedOptions): string | undefined {
  const spec: OptionSpec = (JOB_OPTIONS[kind] as Readonly<Record<string, OptionSpec>>)[field]!;
  const value = parsed[attributeOf(spec)];
  return typeof value === 'string' ? value : undefined;
}
