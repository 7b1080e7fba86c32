/**
 * The API over HTTP, for web mode (`lafite serve`): `POST /api/call/<method>` with the input
 * as JSON, answered by a `CallResult`; events as server-sent events from `GET /api/events`.
 *
 * Auth: the server sets a cookie when the page is opened with `?token=…`; same-origin
 * requests (fetch and EventSource) send it. The token is also sent as a bearer header when
 * the page was opened with it; it is read once and removed from the address bar.
 */
import type { ApiClient, ApiEvent, Input, Method, Output } from '../../../main/contract/index.ts';
import { ApiError } from './api-error.ts';
import { isApiEvent, unwrapCallResult } from './call-result.ts';

/** Reads `?token=` from the page address once, and removes it from the address bar and history. */
export function takeTokenFromLocation(location: Location, history: History): string | null {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  return token;
}

export interface HttpClientOptions {
  /** The bearer token, when the page was opened with one. */
  token: string | null;
  /** Where the API lives; default: the page's own origin. */
  baseUrl?: string;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function httpFailure(method: string, response: Response): ApiError {
  if (response.status === 401) {
    return new ApiError('unauthorized', 'Not signed in: open the address that `lafite serve` printed (it carries the access token).');
  }
  return new ApiError('bad_response', `${method}: the server answered HTTP ${response.status} ${response.statusText}`.trim());
}

export function createHttpClient(options: HttpClientOptions): ApiClient {
  const base = options.baseUrl ?? '';
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;

  const listeners = new Set<(event: ApiEvent) => void>();
  let source: EventSource | null = null;

  function openEvents(): void {
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (message: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return; // not ours (a comment or keep-alive): ignore
      }
      if (!isApiEvent(data)) return;
      for (const listener of listeners) listener(data);
    };
    // Reconnecting after an error is EventSource's own behaviour.
  }

  return {
    async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
      let response: Response;
      try {
        response = await fetch(`${base}/api/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers,
          body: JSON.stringify(input ?? {}),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ApiError('network', `Cannot reach the Lafite server (${reason}).`);
      }
      const body = await readJson(response);
      if (body === undefined) throw httpFailure(method, response);
      try {
        return unwrapCallResult(body, method) as Output<M>;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'bad_response') throw httpFailure(method, response);
        throw error;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) openEvents();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
