/**
 * The main window: sandboxed, isolated, no Node; and what happens when its page crashes
 * (`render-process-gone`: a dialog offers Reload) or hangs (`unresponsive`: Wait or Reload).
 * Running jobs are in the main process and go on either way.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { PRODUCT_NAME } from '../main/store/paths.ts';
import { log } from './log.ts';
import { hardenWebContents } from './security.ts';

export interface WindowOptions {
  preload: string;
  /** The built renderer's index.html, or electron-vite's dev server URL. */
  rendererIndex: string;
  devServerUrl?: string;
  /** The window icon (Linux and Windows; macOS takes the app bundle's). */
  icon?: string;
  isAppUrl(url: string): boolean;
  logFile: string;
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: PRODUCT_NAME,
    show: false,
    ...(options.icon && process.platform !== 'darwin' ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  hardenWebContents(win.webContents, () => (win.isDestroyed() ? null : win), options.isAppUrl);
  watchCrashes(win, options.logFile);
  win.once('ready-to-show', () => win.show());
  if (options.devServerUrl) void win.loadURL(options.devServerUrl);
  else void win.loadFile(options.rendererIndex);
  return win;
}

function watchCrashes(win: BrowserWindow, logFile: string): void {
  let asking = false;
  const ask = async (options: Electron.MessageBoxOptions): Promise<number | null> => {
    if (asking || win.isDestroyed()) return null;
    asking = true;
    try {
      return (await dialog.showMessageBox(win, options)).response;
    } finally {
      asking = false;
    }
  };

  win.webContents.on('render-process-gone', (_event, details) => {
    log.error(`window: the page's process is gone (${details.reason}, exit code ${details.exitCode})`);
    if (details.reason === 'clean-exit') return;
    void ask({
      type: 'error',
      message: 'The window stopped unexpectedly.',
      detail: `Reason: ${details.reason} (exit code ${details.exitCode}). Running jobs go on in the background. Details are in the log file:\n${logFile}`,
      buttons: ['Reload', 'Quit'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    }).then((response) => {
      if (response === 0 && !win.isDestroyed()) win.webContents.reload();
      else if (response === 1) app.quit();
    });
  });

  win.on('unresponsive', () => {
    log.warn('window: the page is not responding');
    void ask({
      type: 'warning',
      message: `${PRODUCT_NAME} is not responding.`,
      detail: 'The page has been busy for a while. Wait for it, or reload it (running jobs go on in the background).',
      buttons: ['Wait', 'Reload'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    }).then((response) => {
      if (response !== 1 || win.isDestroyed()) return;
      // A hung page does not reload itself: end its process first (Electron's advice).
      win.webContents.forcefullyCrashRenderer();
      win.webContents.reload();
    });
  });
  win.on('responsive', () => log.info('window: responding again'));
}
