/**
 * Option tables: per job kind, each field's CLI flag, one-line help, default and how the CLI
 * reads it. One table is the one source of a job's defaults: its schema takes `.default()`
 * from it, the CLI registers its options from it (main/cli/job-options.ts), and the renderer's
 * forms start from it. The tables sit beside their schemas (training.ts, pseudo.ts, …).
 *
 * @example
 *   const GAN_GENERATE_OPTIONS = {
 *     n: { flag: '--n <n>', help: 'how many images', parse: 'integer', default: 4 },
 *   } as const satisfies OptionTable;
 *   z.object({ n: z.number().int().min(1).default(GAN_GENERATE_OPTIONS.n.default) });
 */

/**
 * How the CLI reads an option's text:
 * - `text`, `integer`, `number`: the value as it is, a whole number, a finite number;
 * - `choice`: one of `choices`; `path`: a path, made absolute (jobs run elsewhere);
 * - `negate`: a `--no-…` switch of a field that defaults to true;
 * - `switch`: a `--…` switch (no value) of a field that defaults to false;
 * - `repeat`: text, repeatable, collected into a list;
 * - `file`: a file the command reads itself (its contents fill the field);
 * - `custom`: the command hands the CLI a parser for it (a schedule, a list of radii).
 */
export type OptionParse = 'text' | 'integer' | 'number' | 'choice' | 'path' | 'negate' | 'switch' | 'repeat' | 'file' | 'custom';

/** A default an option table may hold: what the schema fills in when the field is left out. */
export type OptionDefault = string | number | boolean | readonly number[];

/** One field of a job's input as the CLI and the forms offer it. */
export interface OptionSpec {
  /** The CLI's flag with its value's name (`--batch-size <n>`); it need not match the field (`--lr` sets learningRate). */
  readonly flag: string;
  /** One line: the CLI's help. */
  readonly help: string;
  readonly parse: OptionParse;
  /** The schema's default; absent: the field is optional (or required). */
  readonly default?: OptionDefault;
  /** With `choice`: the values it takes (the schema's enum). */
  readonly choices?: readonly string[];
  /** The CLI refuses to run without it (the schema may still take it as optional, e.g. one of two). */
  readonly required?: boolean;
  /** false: the CLI neither shows nor sends the default (the schema fills it in, e.g. no blur radii). */
  readonly cliDefault?: false;
}

/** A job's option table, by input field. */
export type OptionTable<F extends string = string> = { readonly [P in F]?: OptionSpec };

/** The defaults of a table, by field (fields without one left out). */
export function optionDefaults(table: OptionTable): Record<string, OptionDefault> {
  return Object.fromEntries(Object.entries(table).flatMap(([field, spec]) => (spec?.default !== undefined ? [[field, spec.default]] : [])));
}
