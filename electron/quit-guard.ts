/**
 * Quitting while jobs run asks first (the question from job-tracker.ts), then stops them
 * cleanly: `service.close()` lets each job reach a point it can resume from before the
 * process ends. On Windows and Linux closing the window quits, so it asks there too.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import type { JobTracker } from './job-tracker.ts';
import { log } from './log.ts';

export function guardQuit(tracker: JobTracker, window: () => BrowserWindow | undefined, close: () => Promise<void>): void {
  let confirmed = false;
  let asking = false;

  /** Whether quitting may go on now; when it must ask, it asks and quits itself on "Quit". */
  const mayQuit = (): boolean => {
    if (confirmed) return true;
    const question = tracker.quitQuestion();
    if (!question) return true;
    if (!asking) {
      asking = true;
      const win = window();
      const options = { type: 'warning' as const, ...question, buttons: ['Quit', 'Keep Running'], defaultId: 1, cancelId: 1, noLink: true };
      void (win && !win.isDestroyed() ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options))
        .then(({ response }) => {
          if (response !== 0) return;
          confirmed = true;
          app.quit();
        })
        .finally(() => (asking = false));
    }
    return false;
  };

  app.on('before-quit', (event) => {
    if (!mayQuit()) event.preventDefault();
  });
  app.on('browser-window-created', (_event, win) => {
    win.on('close', (event) => {
      if (process.platform !== 'darwin' && !mayQuit()) event.preventDefault();
    });
  });

  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    // Let running jobs stop cleanly (they can be resumed) before the process ends.
    event.preventDefault();
    closed = true;
    log.info('quitting: stopping jobs');
    void close()
      .catch((error: unknown) => log.error('quitting:', error))
      .finally(() => app.quit());
  });
}
