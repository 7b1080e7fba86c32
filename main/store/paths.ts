/**
 * Where Lafite Studio keeps its data: `--data-dir`, else `LAFITE_DATA_DIR`, else the folder
 * chosen in the desktop app (data-folder-setting.ts), else the per-user app data folder
 * (the settings folder itself, as Electron's `userData` for the product name).
 */
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDataFolderSetting } from './data-folder-setting.ts';

export const PRODUCT_NAME = 'Lafite Studio';

/** The per-user application data folder of this platform (as Electron's `appData`). */
export function appDataDir(): string {
  switch (process.platform) {
    case 'win32':
      return process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support');
    default:
      return process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  }
}

/** The per-user settings folder (the default data folder too): `<appData>/Lafite Studio`. */
export const settingsDir = (): string => join(appDataDir(), PRODUCT_NAME);

/** The data folder: the flag, else `LAFITE_DATA_DIR`, else the folder chosen in the app, else the per-user default. */
export function resolveDataDir(flag?: string): string {
  const chosen = flag ?? process.env.LAFITE_DATA_DIR;
  if (chosen) return resolve(chosen);
  return readDataFolderSetting(settingsDir()) ?? settingsDir();
}

export const databasePath = (dataDir: string): string => join(dataDir, 'lafite.db');

/**
 * Pictures Lafite Studio draws itself (the ShapesWorld demo's): inside the data folder, so
 * nothing is left beside it, and the one place inside it a dataset may be imported from.
 */
export const picturesDir = (dataDir: string): string => join(dataDir, 'pictures');

/**
 * The folder of what ships besides code (default vocabularies, the demo model): in a packaged
 * app Electron's resources folder, else the `resources/` of this checkout, found by walking up
 * from this file (its depth differs between the sources and the bundles).
 */
export function resourcesDir(): string {
  if (process.env.LAFITE_RESOURCES_DIR) return resolve(process.env.LAFITE_RESOURCES_DIR);
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'resources'))) return join(packaged, 'resources');
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'resources'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), 'resources');
    dir = parent;
  }
  return join(dir, 'resources');
}

/** The folder of a model that ships with the app (resources/models/<id>). */
export const builtinModelDir = (id: string): string => join(resourcesDir(), 'models', id);
