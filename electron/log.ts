/**
 * The desktop app's log file (electron-log): the main process's console and its uncaught
 * errors, in the OS's usual place (Linux ~/.config/Lafite Studio/logs/main.log, macOS
 * ~/Library/Logs/Lafite Studio/main.log, Windows %APPDATA%\Lafite Studio\logs\main.log).
 * The status bar shows the path; File › Show Log File opens its folder.
 */
import log from 'electron-log/main';

export { log };

/** Starts logging to the file; returns its path. */
export function startLog(): string {
  log.transports.file.level = 'info';
  log.transports.file.maxSize = 5 * 1024 * 1024; // bytes; the old file is kept as main.old.log
  log.errorHandler.startCatching({ showDialog: false });
  // Whatever main/ prints (job messages, warnings) lands in the file too.
  Object.assign(console, log.functions);
  return log.transports.file.getFile().path;
}
