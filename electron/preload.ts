/**
 * The preload bridge: exposes exactly one typed object, `window.lafite` (PreloadBridge),
 * to the sandboxed renderer. Nothing else of Node or Electron crosses.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ApiEvent, CallResult, DesktopInfo, MenuCommand, Method, PreloadBridge } from '../main/contract/index.ts';
import { IPC_CALL, IPC_DESKTOP_INFO, IPC_EVENT, IPC_MENU_COMMAND, IPC_PICK_FOLDER, IPC_PICK_IMAGE } from '../main/api/ipc-channels.ts';

/** Forwards one channel's messages to a listener; returns the function that stops it. */
function listen<T>(channel: string, listener: (message: T) => void): () => void {
  const forward = (_: IpcRendererEvent, message: T): void => listener(message);
  ipcRenderer.on(channel, forward);
  return () => ipcRenderer.removeListener(channel, forward);
}

const bridge: PreloadBridge = {
  call: (method: Method, input: unknown) => ipcRenderer.invoke(IPC_CALL, method, input) as Promise<CallResult<unknown>>,
  onEvent: (listener: (event: ApiEvent) => void) => listen(IPC_EVENT, listener),
  pickFolder: () => ipcRenderer.invoke(IPC_PICK_FOLDER) as Promise<string | null>,
  pickImage: () => ipcRenderer.invoke(IPC_PICK_IMAGE) as Promise<string | null>,
  pathForFile: (file: File) => webUtils.getPathForFile(file),
  desktopInfo: () => ipcRenderer.invoke(IPC_DESKTOP_INFO) as Promise<DesktopInfo>,
  onMenuCommand: (listener: (command: MenuCommand) => void) => listen(IPC_MENU_COMMAND, listener),
};

contextBridge.exposeInMainWorld('lafite', bridge);
