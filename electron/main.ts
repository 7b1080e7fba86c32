/**
 * The desktop shell: one window, a menu, and the API bound to IPC. No logic lives here;
 * everything is in main/ (the same service the CLI and the HTTP server use).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindIpc, IPC_EVENT } from '../main/api/ipc.ts';
import { IPC_PICK_FOLDER, IPC_PICK_IMAGE } from '../main/api/ipc-channels.ts';
import { openService, type Service } from '../main/api/service.ts';
import { PRODUCT_NAME, resolveDataDir } from '../main/store/paths.ts';
import { hardenSession, hardenWebContents, isAppUrl } from './security.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const rendererRoot = pathToFileURL(join(here, '../renderer')).href;
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

// The app and the CLI share one data folder: the per-user one, or LAFITE_DATA_DIR.
app.setName(PRODUCT_NAME);
app.setPath('userData', resolveDataDir());

let service: Service | undefined;
let window: BrowserWindow | undefined;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: PRODUCT_NAME,
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  hardenWebContents(win.webContents, (url) => isAppUrl(url, rendererRoot, devServerUrl));
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

function buildMenu(): void {
  const isMac = process.platform === 'darwin';
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([...(isMac ? [{ role: 'appMenu' as const }] : []), { role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]),
  );
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession();
  buildMenu();
  service = openService({ dataDir: app.getPath('userData') });
  bindIpc(ipcMain, service, {
    isTrustedSender: (url) => isAppUrl(url, rendererRoot, devServerUrl),
    send: (event) => window?.webContents.send(IPC_EVENT, event),
  });
  const picker =
    (options: Electron.OpenDialogOptions) =>
    async (event: Electron.IpcMainInvokeEvent): Promise<string | null> => {
      if (!isAppUrl(event.senderFrame?.url ?? '', rendererRoot, devServerUrl) || !window) return null;
      const picked = await dialog.showOpenDialog(window, options);
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    };
  ipcMain.handle(IPC_PICK_FOLDER, picker({ properties: ['openDirectory'] }));
  ipcMain.handle(IPC_PICK_IMAGE, picker({ properties: ['openFile'], filters: [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'bmp'] }] }));
  window = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', (event) => {
  if (!service) return;
  // Let running jobs stop cleanly (they can be resumed) before the process ends.
  event.preventDefault();
  const closing = service;
  service = undefined;
  void closing.close().finally(() => app.quit());
});

void start();
