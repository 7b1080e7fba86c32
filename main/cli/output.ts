/** How the CLI prints: JSON for machines (`--json`), short lines for people. */
import type { ErrorPayload } from '../contract/index.ts';
import { EXIT_CODE, toErrorPayload } from '../contract/errors.ts';

export interface OutputOptions {
  json: boolean;
}

export function printResult<T>(value: T, options: OutputOptions, human: (value: T) => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${human(value)}\n`);
}

/** Prints an error as one line (and as JSON with `--json`); returns the exit code. */
export function printError(error: unknown, options: OutputOptions): number {
  const payload: ErrorPayload = toErrorPayload(error);
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, error: payload })}\n`);
  process.stderr.write(`lafite: ${payload.message}\n`);
  return EXIT_CODE[payload.code];
}

/** A fixed-width table of rows for people. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const formatMs = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};
