/**
 * The desktop's side of running jobs: the machine kept awake while any job runs
 * (powerSaveBlocker, 'prevent-app-suspension': the screen may still sleep), the taskbar
 * or dock progress from the jobs' progress, and a notification when a job ends while the
 * window is not in front. The decisions are in job-tracker.ts.
 */
import { Notification, powerSaveBlocker, type BrowserWindow } from 'electron';
import type { Service } from '../main/api/service.ts';
import { JobTracker, endNotice, jobLabel } from './job-tracker.ts';
import { log } from './log.ts';

export function watchJobs(service: Service, window: () => BrowserWindow | undefined): JobTracker {
  const tracker = new JobTracker();
  let blocker: number | undefined;

  service.subscribe((event) => {
    const wasBusy = tracker.busy();
    const ended = tracker.update(event.job);
    if (!wasBusy && tracker.busy()) {
      blocker = powerSaveBlocker.start('prevent-app-suspension');
      log.info('jobs: running, the machine is kept awake');
    } else if (wasBusy && !tracker.busy() && blocker !== undefined) {
      powerSaveBlocker.stop(blocker);
      blocker = undefined;
      log.info('jobs: none running, the machine may sleep again');
    }
    const win = window();
    if (win && !win.isDestroyed()) win.setProgressBar(tracker.taskbarProgress());
    if (ended) {
      log.info(`job ${ended.id} (${jobLabel(ended)}): ${ended.status}${ended.error ? `: ${ended.error.message}` : ''}`);
      const notice = endNotice(ended);
      if (notice && Notification.isSupported() && !(win && !win.isDestroyed() && win.isFocused())) new Notification(notice).show();
    }
  });
  return tracker;
}
