/**
 * The user's choice of data folder (checkpoints, models, datasets: gigabytes), kept in a
 * small file in the per-user settings folder so that the desktop app and the CLI agree:
 *   <appData>/Lafite Studio/data-folder.json   {"dataDir": "/big/disk/lafite"}
 * `--data-dir` and LAFITE_DATA_DIR still come first (paths.ts). The desktop app writes it
 * (File › Choose Data Folder…); removing the file goes back to the default.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

export const DATA_FOLDER_SETTING_FILE = 'data-folder.json';

/** Where the setting lives, in the per-user settings folder of `settingsDir`. */
export const dataFolderSettingPath = (settingsDir: string): string => join(settingsDir, DATA_FOLDER_SETTING_FILE);

/** The chosen data folder, or undefined when none is chosen (or the file is unreadable: the default then applies). */
export function readDataFolderSetting(settingsDir: string): string | undefined {
  const path = dataFolderSettingPath(settingsDir);
  if (!existsSync(path)) return undefined;
  try {
    const value = (JSON.parse(readFileSync(path, 'utf8')) as { dataDir?: unknown }).dataDir;
    return typeof value === 'string' && isAbsolute(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Chooses `dataDir` (absolute) from the next start on; written whole or not at all. */
export function writeDataFolderSetting(settingsDir: string, dataDir: string): void {
  if (!isAbsolute(dataDir)) throw new Error(`data folder must be an absolute path: ${dataDir}`);
  const path = dataFolderSettingPath(settingsDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify({ dataDir }, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
