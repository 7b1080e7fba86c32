/** What only the desktop app offers the renderer through its preload bridge (not API methods: they need the window or the OS shell). */

/** Where the desktop app keeps things, for the status bar: the log file and the data folder with its disk use. */
export interface DesktopInfo {
  /** The main process's log file (electron-log). */
  logFile: string;
  /** The data folder in use (datasets, checkpoints, models). */
  dataDir: string;
  /** What chose it: `LAFITE_DATA_DIR`, the folder chosen in the app, or the per-user default. */
  dataDirSource: 'env' | 'setting' | 'default';
  /** Bytes the data folder holds; null while unknown (it is counted in the background). */
  dataBytes: number | null;
  /** Bytes free on the data folder's disk; null where the OS does not say. */
  freeBytes: number | null;
}

/** A menu command the renderer carries out: File › Import Folder… hands it the chosen folder. */
export type MenuCommand = { type: 'import-folder'; folder: string };
