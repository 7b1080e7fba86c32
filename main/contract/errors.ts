/**
 * Domain errors. The engine, store and jobs throw `LafiteError`; adapters turn it into an
 * IPC result, an HTTP status or a CLI exit code. Anything else is a bug and reaches the
 * user only as `internal` with a one-line message (never a stack trace).
 */
import { ZodError } from 'zod';
import type { ErrorCode, ErrorPayload } from './index.ts';

export class LafiteError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, as a dotted path. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LafiteError';
  }
}

export const invalidInput = (message: string, field?: string): LafiteError => new LafiteError('invalid_input', message, field);
export const notFound = (message: string): LafiteError => new LafiteError('not_found', message);
export const conflict = (message: string): LafiteError => new LafiteError('conflict', message);
export const unavailable = (message: string): LafiteError => new LafiteError('unavailable', message);

/** Turns a zod failure into a message that names the field at fault. */
export function fromZodError(error: ZodError, context: string): LafiteError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const where = field ? ` field '${field}'` : '';
  return invalidInput(`${context}:${where} ${issue?.message ?? 'invalid input'}`, field);
}

/** Any thrown value as a payload fit to cross a process boundary. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof LafiteError) {
    return error.field ? { code: error.code, message: error.message, field: error.field } : { code: error.code, message: error.message };
  }
  if (error instanceof ZodError) return toErrorPayload(fromZodError(error, 'input'));
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `internal error: ${message.split('\n')[0]}` };
}

/** Rebuilds an error from a payload (the client side of IPC and HTTP). */
export function fromErrorPayload(payload: ErrorPayload): LafiteError {
  return new LafiteError(payload.code, payload.message, payload.field);
}

/** HTTP status for each error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  cancelled: 409,
  internal: 500,
};

/** CLI exit code for each error code (2 is also commander's usage error). */
export const EXIT_CODE: Record<ErrorCode, number> = {
  invalid_input: 2,
  unauthorized: 6,
  not_found: 3,
  conflict: 4,
  unavailable: 5,
  cancelled: 130,
  internal: 1,
};
