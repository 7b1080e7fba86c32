/**
 * The renderer's one API client. main.ts installs it at start-up; only stores use it.
 */
import type { ApiClient } from '../../../main/contract/index.ts';

export { ApiError, toDisplayError } from './api-error.ts';
export type { ApiErrorCode, DisplayError } from './api-error.ts';
export { createApiClient } from './client.ts';

let installed: ApiClient | null = null;

/** Sets the client the stores use (main.ts; a test may install a fake). */
export function installApiClient(client: ApiClient): void {
  installed = client;
}

/** The installed client; calling it before `installApiClient` is a bug. */
export function useApiClient(): ApiClient {
  if (!installed) throw new Error('no API client installed: call installApiClient() in main.ts first');
  return installed;
}
