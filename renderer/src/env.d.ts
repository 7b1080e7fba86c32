/** Globals the renderer can see: the Electron preload bridge, when it runs inside the desktop app. */
import type { PreloadBridge } from '../../main/contract/index.ts';

declare global {
  interface Window {
    /** Exposed by electron/preload.ts through contextBridge; absent in web mode (`lafite serve`). */
    lafite?: PreloadBridge;
  }
}

export {};
