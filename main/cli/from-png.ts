/**
 * `lafite generate --from-png FILE`: the settings a generated PNG carries (its `lafite` text
 * chunk, read by the API's gallery.pngSettings) as the generation's input; options given on the
 * command line win over them, so `--from-png a.png --seed 8` draws the same prompt with the
 * next seed. `--run` is then optional: the PNG names its run.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { pngGenerateInput } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';
import type { Service } from '../api/service.ts';
import type { ParsedOptions } from './job-options.ts';

/** Adds --from-png to `generate` and lets it stand in for --run. */
export function withFromPng(command: Command): Command {
  const run = command.options.find((option) => option.long === '--run');
  if (run) run.mandatory = false; // checked in fromPngInput: --run or --from-png
  return command.addOption(new Option('--from-png <file>', 'draw again with the settings a generated PNG carries (run, step, prompt, seed, n, ψ…); options given here win'));
}

/** The generation's input: the PNG's settings under the options given on the command line. */
export async function fromPngInput<T extends object>(service: Service, input: T, options: ParsedOptions, command: Command): Promise<T> {
  const file = options.fromPng;
  if (typeof file !== 'string') {
    if (!('run' in input)) throw invalidInput("required option '--run <id>' not specified (or give --from-png FILE)", 'run');
    return input;
  }
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw invalidInput(`--from-png: cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, 'fromPng');
  });
  const { settings, reason } = await service.call('gallery.pngSettings', { png: bytes.toString('base64') });
  if (!settings) throw invalidInput(`--from-png: ${file}: ${reason ?? 'no settings'}`, 'fromPng');
  const given = Object.fromEntries(Object.entries(input).filter(([field]) => command.getOptionValueSource(field) === 'cli'));
  const run = await service.call('runs.get', { id: settings.run, maxPoints: 10 }).catch(() => undefined); // a run not here: the job says so
  return { ...pngGenerateInput(settings, run), ...given } as T;
}
