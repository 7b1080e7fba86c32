/**
 * The application menu as data (a pure function, unit-tested): the platform's standard
 * menus plus File › Import Folder…, Open Data Folder, Choose Data Folder…, Show Log File,
 * and About (in the app menu on macOS, under Help elsewhere).
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu's own items do; main.ts binds them to dialogs and the window. */
export interface MenuActions {
  importFolder(): void;
  openDataFolder(): void;
  chooseDataFolder(): void;
  showLogFile(): void;
  about(): void;
}

export interface MenuContext {
  platform: NodeJS.Platform;
  productName: string;
  /** Set when LAFITE_DATA_DIR fixes the data folder: choosing another one is then disabled. */
  dataFolderFixedBy?: string;
}

export function menuTemplate(context: MenuContext, actions: MenuActions): MenuItemConstructorOptions[] {
  const isMac = context.platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: `About ${context.productName}`, click: () => actions.about() };
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Import Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.importFolder() },
      { type: 'separator' },
      { label: 'Open Data Folder', click: () => actions.openDataFolder() },
      {
        label: 'Choose Data Folder…',
        enabled: context.dataFolderFixedBy === undefined,
        toolTip: context.dataFolderFixedBy ? `Fixed by ${context.dataFolderFixedBy}` : undefined,
        click: () => actions.chooseDataFolder(),
      },
      { label: 'Show Log File', click: () => actions.showLogFile() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const appMenu: MenuItemConstructorOptions = {
    label: context.productName,
    submenu: [
      about,
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const help: MenuItemConstructorOptions = { role: 'help', submenu: [about] };
  return [...(isMac ? [appMenu] : []), file, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }, ...(isMac ? [] : [help])];
}
