/** Unwrapping a `CallResult` as it arrives over IPC or HTTP. */
import type { ApiEvent, CallResult, ErrorPayload } from '../../../main/contract/index.ts';
import { ApiError } from './api-error.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** Whether a decoded value has the shape of a `CallResult`. */
export function isCallResult(value: unknown): value is CallResult<unknown> {
  if (!isObject(value)) return false;
  if (value.ok === true) return 'result' in value;
  return value.ok === false && isErrorPayload(value.error);
}

/** The result of a successful call; throws `ApiError` for `ok: false` or a malformed answer. */
export function unwrapCallResult(value: unknown, method: string): unknown {
  if (!isCallResult(value)) throw new ApiError('bad_response', `${method}: the answer was not a call result`);
  if (value.ok) return value.result;
  throw ApiError.fromPayload(value.error);
}

/** Whether a decoded value is an event this client understands (others are ignored). */
export function isApiEvent(value: unknown): value is ApiEvent {
  return isObject(value) && value.type === 'job.updated' && isObject(value.job) && typeof value.job.id === 'string';
}
