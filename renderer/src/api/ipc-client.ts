/** The API over Electron IPC, through the preload bridge `window.lafite`. */
import type { ApiClient, Input, Method, Output, PreloadBridge } from '../../../main/contract/index.ts';
import { unwrapCallResult } from './call-result.ts';

export function createIpcClient(bridge: PreloadBridge): ApiClient {
  return {
    async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
      const answer = await bridge.call(method, input);
      return unwrapCallResult(answer, method) as Output<M>;
    },
    subscribe(listener) {
      return bridge.onEvent(listener);
    },
  };
}
