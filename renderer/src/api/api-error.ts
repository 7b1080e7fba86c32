/**
 * The error every API call in the renderer rejects with: the server's `ErrorPayload`
 * (code, one-line message, field at fault), or a client-side failure to reach it.
 * Never carries a server stack trace.
 */
import type { ErrorCode, ErrorPayload } from '../../../main/contract/index.ts';

/** Failures that happen before the server could answer with an `ErrorPayload`. */
export type ClientErrorCode = 'unauthorized' | 'network' | 'bad_response';

export type ApiErrorCode = ErrorCode | ClientErrorCode;

/** What the UI shows of an error: no stack, just what went wrong and where. */
export interface DisplayError {
  code: ApiErrorCode;
  message: string;
  /** The input field at fault, as a dotted path, where there is one. */
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** The input field at fault, as a dotted path. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromPayload(payload: ErrorPayload): ApiError {
    return new ApiError(payload.code, payload.message, payload.field);
  }
}

/** Any thrown value as something fit for the error banner (message only, first line). */
export function toDisplayError(error: unknown): DisplayError {
  if (error instanceof ApiError) {
    return error.field ? { code: error.code, message: error.message, field: error.field } : { code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: message.split('\n')[0] ?? 'unknown error' };
}
