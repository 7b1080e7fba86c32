/**
 * File › Choose Data Folder…: where datasets, checkpoints and models live (gigabytes; by
 * default the per-user app data folder). The choice is written to data-folder-setting.ts's
 * file, which the CLI reads too, and takes effect at the next start: the app offers to
 * restart. Nothing is moved: the dialog says where the old data stays.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import { writeDataFolderSetting } from '../main/store/data-folder-setting.ts';
import { readDataFolderSetting } from '../main/store/data-folder-setting.ts';
import { PRODUCT_NAME, settingsDir } from '../main/store/paths.ts';
import type { DesktopInfo } from '../main/contract/index.ts';
import { log } from './log.ts';

/** What chose the data folder in use. */
export function dataDirSource(): DesktopInfo['dataDirSource'] {
  if (process.env.LAFITE_DATA_DIR) return 'env';
  return readDataFolderSetting(settingsDir()) ? 'setting' : 'default';
}

export async function chooseDataFolder(win: BrowserWindow | undefined, current: string): Promise<void> {
  const options: Electron.OpenDialogOptions = {
    title: 'Choose the data folder',
    message: 'Datasets, checkpoints and models will be kept in this folder.',
    defaultPath: current,
    properties: ['openDirectory', 'createDirectory'],
  };
  const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  const folder = picked.canceled ? undefined : picked.filePaths[0];
  if (!folder || folder === current) return;
  writeDataFolderSetting(settingsDir(), folder);
  log.info(`data folder: ${folder} from the next start (was ${current})`);
  const question: Electron.MessageBoxOptions = {
    type: 'info',
    message: `${PRODUCT_NAME} will use ${folder} from its next start.`,
    detail: `The data now in ${current} stays there; to bring it along, quit and move that folder's contents into the new one. The command line (lafite) uses the new folder too.`,
    buttons: ['Restart Now', 'Later'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  };
  const { response } = win ? await dialog.showMessageBox(win, question) : await dialog.showMessageBox(question);
  if (response === 0) {
    app.relaunch();
    app.quit();
  }
}
