/**
 * Where Lafite Studio keeps its data: the per-user app data folder, the same one the
 * desktop app uses (Electron's `userData` for the product name), unless `--data-dir` or
 * `LAFITE_DATA_DIR` says otherwise.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const PRODUCT_NAME = 'Lafite Studio';

/** The per-user application data folder of this platform (as Electron's `appData`). */
function appDataDir(): string {
  switch (process.platform) {
    case 'win32':
      return process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support');
    default:
      return process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  }
}

/** The data folder: the flag, else `LAFITE_DATA_DIR`, else the per-user default. */
export function resolveDataDir(flag?: string): string {
  const chosen = flag ?? process.env.LAFITE_DATA_DIR;
  return chosen ? resolve(chosen) : join(appDataDir(), PRODUCT_NAME);
}

export const databasePath = (dataDir: string): string => join(dataDir, 'lafite.db');
