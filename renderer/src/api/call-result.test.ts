import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { isApiEvent, unwrapCallResult } from './call-result.ts';
import { takeTokenFromLocation } from './http-client.ts';

describe('unwrapCallResult', () => {
  it('returns the result of a successful call', () => {
    expect(unwrapCallResult({ ok: true, result: { backend: 'wasm' } }, 'info')).toEqual({ backend: 'wasm' });
  });

  it('throws the server error with its code, message and field', () => {
    const answer = { ok: false, error: { code: 'invalid_input', message: 'size too small', field: 'input.size' } };
    expect(() => unwrapCallResult(answer, 'jobs.start')).toThrowError(ApiError);
    try {
      unwrapCallResult(answer, 'jobs.start');
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_input', message: 'size too small', field: 'input.size' });
    }
  });

  it('rejects an answer that is not a call result', () => {
    expect(() => unwrapCallResult('<html>', 'info')).toThrowError(/not a call result/);
  });
});

describe('isApiEvent', () => {
  it('accepts job updates and ignores anything else', () => {
    expect(isApiEvent({ type: 'job.updated', job: { id: 'abc' } })).toBe(true);
    expect(isApiEvent({ type: 'other' })).toBe(false);
    expect(isApiEvent(null)).toBe(false);
  });
});

describe('takeTokenFromLocation', () => {
  it('reads the token once and removes it from the address, keeping the rest', () => {
    const replaced: string[] = [];
    const history = { state: null, replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) } as unknown as History;
    const location = { href: 'http://127.0.0.1:5000/?token=secret&x=1#/jobs' } as Location;
    expect(takeTokenFromLocation(location, history)).toBe('secret');
    expect(replaced).toEqual(['/?x=1#/jobs']);
  });

  it('leaves an address without a token alone', () => {
    const history = { state: null, replaceState: () => expect.unreachable() } as unknown as History;
    expect(takeTokenFromLocation({ href: 'http://127.0.0.1:5000/#/jobs' } as Location, history)).toBeNull();
  });
});
