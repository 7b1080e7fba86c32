/**
 * The desktop's IPC calls besides the API (main/api/ipc.ts): the native pickers, the
 * status bar's desktop info (log file, data folder, disk use) and the menu commands sent to
 * the renderer. Every call checks that it comes from our own renderer.
 */
import { dialog, ipcMain, type BrowserWindow } from 'electron';
import { IPC_DESKTOP_INFO, IPC_MENU_COMMAND, IPC_PICK_FOLDER, IPC_PICK_IMAGE } from '../main/api/ipc-channels.ts';
import type { DesktopInfo, MenuCommand } from '../main/contract/index.ts';
import { dataDirSource } from './data-folder.ts';
import { folderBytes, freeBytes } from './disk-use.ts';

export interface DesktopIpcOptions {
  window(): BrowserWindow | undefined;
  isTrustedSender(url: string): boolean;
  logFile: string;
  dataDir: string;
}

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'bmp'];
/** The data folder is counted again at most this often (a walk over many files). */
const DISK_USE_TTL_MS = 60_000;

export function bindDesktopIpc(options: DesktopIpcOptions): void {
  const trusted = (event: Electron.IpcMainInvokeEvent): boolean => options.isTrustedSender(event.senderFrame?.url ?? '');

  const picker =
    (dialogOptions: Electron.OpenDialogOptions) =>
    async (event: Electron.IpcMainInvokeEvent): Promise<string | null> => {
      const win = options.window();
      if (!trusted(event) || !win) return null;
      const picked = await dialog.showOpenDialog(win, dialogOptions);
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    };
  ipcMain.handle(IPC_PICK_FOLDER, picker({ properties: ['openDirectory'] }));
  ipcMain.handle(IPC_PICK_IMAGE, picker({ properties: ['openFile'], filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }] }));

  let counted: { bytes: number; at: number } | undefined;
  let counting: Promise<number> | undefined;
  const dataBytes = (): Promise<number> => {
    if (counted && Date.now() - counted.at < DISK_USE_TTL_MS) return Promise.resolve(counted.bytes);
    counting ??= folderBytes(options.dataDir)
      .then((bytes) => {
        counted = { bytes, at: Date.now() };
        return bytes;
      })
      .finally(() => (counting = undefined));
    return counting;
  };
  ipcMain.handle(IPC_DESKTOP_INFO, async (event): Promise<DesktopInfo | null> => {
    if (!trusted(event)) return null;
    const [bytes, free] = await Promise.all([dataBytes(), freeBytes(options.dataDir)]);
    return { logFile: options.logFile, dataDir: options.dataDir, dataDirSource: dataDirSource(), dataBytes: bytes, freeBytes: free };
  });
}

/** Hands a menu command to the renderer (File › Import Folder…). */
export function sendMenuCommand(win: BrowserWindow | undefined, command: MenuCommand): void {
  if (win && !win.isDestroyed()) win.webContents.send(IPC_MENU_COMMAND, command);
}
