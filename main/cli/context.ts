/** What the command groups of the CLI share: the service per command, following jobs, output options. */
import { InvalidArgumentError } from 'commander';
import type { JobInput, JobKind } from '../contract/index.ts';
import type { Service } from '../api/service.ts';
import type { OutputOptions } from './output.ts';

export interface CliContext {
  /** Wraps an action: opens the service for it and closes it after. */
  withService<A extends unknown[]>(action: (service: Service, ...args: A) => Promise<void>): (...args: A) => Promise<void>;
  /** Starts a job, follows it to the end (progress, Ctrl+C cancels), and prints its result. */
  runJob<K extends JobKind, R>(service: Service, kind: K, input: JobInput<K>, human: (result: R) => string): Promise<void>;
  output(): OutputOptions;
}

/** Commander argument parsers. */
export const integer = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('not an integer');
  return parsed;
};

export const number = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError('not a number');
  return parsed;
};
