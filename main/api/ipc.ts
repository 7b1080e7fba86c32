/**
 * The Electron IPC adapter: binds the service to `ipcMain` without importing Electron
 * (main/ never does), so it is tested here with the same calls as HTTP and the CLI.
 * Every call checks the sender: only our own renderer may use the API.
 */
import type { ApiEvent, CallResult } from '../contract/index.ts';
import { toErrorPayload } from '../contract/errors.ts';
import { IPC_CALL } from './ipc-channels.ts';
import type { Service } from './service.ts';

export { IPC_CALL, IPC_EVENT } from './ipc-channels.ts';

/** The part of Electron's `IpcMainInvokeEvent` we use. */
export interface IpcInvokeEvent {
  senderFrame: { url: string } | null;
}

/** The part of Electron's `ipcMain` we use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export function bindIpc(ipc: IpcMainLike, service: Service, options: { isTrustedSender(url: string): boolean; send(event: ApiEvent): void }): () => void {
  ipc.handle(IPC_CALL, async (event, method, input): Promise<CallResult<unknown>> => {
    const url = event.senderFrame?.url ?? '';
    if (!options.isTrustedSender(url)) {
      return { ok: false, error: { code: 'unauthorized', message: `IPC call from an untrusted frame (${url || 'unknown'})` } };
    }
    if (typeof method !== 'string') return { ok: false, error: { code: 'invalid_input', message: 'method must be a string' } };
    try {
      return { ok: true, result: await service.callUntyped(method, input) };
    } catch (error) {
      return { ok: false, error: toErrorPayload(error) };
    }
  });
  const unsubscribe = service.subscribe(options.send);
  return () => {
    unsubscribe();
    ipc.removeHandler(IPC_CALL);
  };
}
