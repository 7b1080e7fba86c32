/**
 * The preload bridge: exposes exactly one typed object, `window.lafite` (PreloadBridge),
 * to the sandboxed renderer. Nothing else of Node or Electron crosses.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, CallResult, Method, PreloadBridge } from '../main/contract/index.ts';
import { IPC_CALL, IPC_EVENT, IPC_PICK_FOLDER, IPC_PICK_IMAGE } from '../main/api/ipc-channels.ts';

const bridge: PreloadBridge = {
  call: (method: Method, input: unknown) => ipcRenderer.invoke(IPC_CALL, method, input) as Promise<CallResult<unknown>>,
  onEvent(listener: (event: ApiEvent) => void) {
    const forward = (_: IpcRendererEvent, event: ApiEvent): void => listener(event);
    ipcRenderer.on(IPC_EVENT, forward);
    return () => ipcRenderer.removeListener(IPC_EVENT, forward);
  },
  pickFolder: () => ipcRenderer.invoke(IPC_PICK_FOLDER) as Promise<string | null>,
  pickImage: () => ipcRenderer.invoke(IPC_PICK_IMAGE) as Promise<string | null>,
};

contextBridge.exposeInMainWorld('lafite', bridge);
