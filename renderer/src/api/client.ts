/**
 * Picks the transport for this renderer: the Electron preload bridge when present,
 * otherwise HTTP to the server that served the page (web mode).
 *
 * @example
 *   const api = createApiClient();
 *   const info = await api.call('info', {});
 */
import type { ApiClient } from '../../../main/contract/index.ts';
import { createHttpClient, takeTokenFromLocation } from './http-client.ts';
import { createIpcClient } from './ipc-client.ts';

export function createApiClient(): ApiClient {
  if (window.lafite) return createIpcClient(window.lafite);
  return createHttpClient({ token: takeTokenFromLocation(window.location, window.history) });
}
