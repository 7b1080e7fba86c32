/**
 * The desktop shell: one window, a menu, and the API bound to IPC. No logic lives here;
 * everything is in main/ (the same service the CLI and the HTTP server use), and each
 * desktop concern in a module of its own beside this file:
 *   window.ts       the window's settings, crash and hang dialogs
 *   security.ts     navigation, links, permissions, CSP (app-url.ts: which URLs are ours)
 *   menu-template.ts the menu; desktop-ipc.ts the pickers and the status bar's desktop info
 *   job-watch.ts    keeping awake, taskbar progress, notifications (job-tracker.ts decides)
 *   quit-guard.ts   the question before quitting while jobs run, and the clean stop
 *   data-folder.ts  File › Choose Data Folder…;  log.ts the log file
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, shell } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindIpc, IPC_EVENT } from '../main/api/ipc.ts';
import { openService, type Service } from '../main/api/service.ts';
import { PRODUCT_NAME, resolveDataDir, resourcesDir } from '../main/store/paths.ts';
import { isAppUrl } from './app-url.ts';
import { chooseDataFolder } from './data-folder.ts';
import { bindDesktopIpc, sendMenuCommand } from './desktop-ipc.ts';
import { watchJobs } from './job-watch.ts';
import { log, startLog } from './log.ts';
import { menuTemplate } from './menu-template.ts';
import { guardQuit } from './quit-guard.ts';
import { hardenSession } from './security.ts';
import { createMainWindow } from './window.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const rendererRoot = pathToFileURL(join(here, '../renderer')).href;
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const isOurs = (url: string): boolean => isAppUrl(url, rendererRoot, devServerUrl);

app.setName(PRODUCT_NAME);
// The app and the CLI share one data folder (LAFITE_DATA_DIR, the folder chosen in the app,
// or the per-user default). Chromium's own profile (caches, local storage) stays apart from
// it, in a folder of its own under Electron's userData.
const dataDir = resolveDataDir();
// With LAFITE_DATA_DIR (tests, a second set-up) the app's own files, the single-instance lock
// included, live beside that data, so that such a set-up runs apart from the usual one.
if (process.env.LAFITE_DATA_DIR) app.setPath('userData', join(dataDir, 'desktop'));
app.setPath('sessionData', join(app.getPath('userData'), 'Chromium'));
const logFile = startLog();

let service: Service | undefined;
let window: BrowserWindow | undefined;
const currentWindow = (): BrowserWindow | undefined => (window && !window.isDestroyed() ? window : undefined);

function openWindow(): BrowserWindow {
  const icon = join(resourcesDir(), 'icons', 'lafite.png');
  window = createMainWindow({
    preload: join(here, '../preload/index.cjs'),
    rendererIndex,
    devServerUrl,
    icon: existsSync(icon) ? icon : undefined,
    isAppUrl: isOurs,
    logFile,
  });
  return window;
}

function showAbout(): void {
  const versions = `Version ${app.getVersion()} · Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`;
  const options: Electron.MessageBoxOptions = {
    type: 'info',
    title: `About ${PRODUCT_NAME}`,
    message: PRODUCT_NAME,
    detail: `Train a text-to-image generator for your own image domain from images alone (Lafite, Lafite2).\n\n${versions}\n\nData folder: ${dataDir}\nLog file: ${logFile}`,
    buttons: ['OK'],
    noLink: true,
  };
  const win = currentWindow();
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

async function importFolder(): Promise<void> {
  const win = currentWindow() ?? openWindow();
  const picked = await dialog.showOpenDialog(win, { title: 'Import a folder of images', properties: ['openDirectory'] });
  const folder = picked.canceled ? undefined : picked.filePaths[0];
  if (folder) sendMenuCommand(win, { type: 'import-folder', folder });
}

function buildMenu(): void {
  const template = menuTemplate(
    { platform: process.platform, productName: PRODUCT_NAME, dataFolderFixedBy: process.env.LAFITE_DATA_DIR ? 'LAFITE_DATA_DIR' : undefined },
    {
      importFolder: () => void importFolder(),
      openDataFolder: () => void shell.openPath(dataDir),
      chooseDataFolder: () => void chooseDataFolder(currentWindow(), dataDir).catch((error: unknown) => log.error('choose data folder:', error)),
      showLogFile: () => shell.showItemInFolder(logFile),
      about: showAbout,
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function start(): Promise<void> {
  await app.whenReady();
  log.info(`${PRODUCT_NAME} ${app.getVersion()} starting; data folder ${dataDir}`);
  hardenSession();
  buildMenu();
  service = openService({ dataDir });
  const opened = service;
  bindIpc(ipcMain, opened, { isTrustedSender: isOurs, send: (event) => currentWindow()?.webContents.send(IPC_EVENT, event) });
  bindDesktopIpc({ window: currentWindow, isTrustedSender: isOurs, logFile, dataDir });
  const tracker = watchJobs(opened, currentWindow);
  guardQuit(tracker, currentWindow, () => opened.close());
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
}

// One app per user: a second start brings the running window to the front and ends.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = currentWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('child-process-gone', (_event, details) => log.warn(`${details.type} process gone: ${details.reason} (exit code ${details.exitCode})`));
  start().catch((error: unknown) => {
    log.error('start failed:', error);
    dialog.showErrorBox(`${PRODUCT_NAME} could not start`, `${error instanceof Error ? error.message : String(error)}\n\nThe log file: ${logFile}`);
    app.exit(1);
  });
}
