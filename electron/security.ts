/**
 * Electron's security checklist in one place: no new windows, navigation only within the
 * app, links to the web opened in the user's browser after they agree, no webviews, every
 * permission request and check denied, the CSP also as a response header.
 */
import { app, dialog, session, shell, type BrowserWindow, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../main/api/http/server.ts';
import { isExternalLink } from './app-url.ts';

export { isAppUrl } from './app-url.ts';

/** Asks before a link leaves the app for the browser; https only (isExternalLink). */
async function openExternalAfterPrompt(window: BrowserWindow | null, url: string): Promise<void> {
  if (!isExternalLink(url)) return;
  const options = {
    type: 'question' as const,
    message: 'Open this link in your browser?',
    detail: url,
    buttons: ['Open in Browser', 'Cancel'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  };
  const { response } = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  if (response === 0) await shell.openExternal(url);
}

export function hardenWebContents(contents: WebContents, window: () => BrowserWindow | null, isAllowed: (url: string) => boolean): void {
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalAfterPrompt(window(), url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAllowed(url)) return;
    event.preventDefault();
    void openExternalAfterPrompt(window(), url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenSession(): void {
  // The app needs no permission (camera, notifications from the page, clipboard reads,
  // geolocation…): requests and checks are all denied. Desktop notifications come from the
  // main process, which needs none.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  app.on('web-contents-created', (_event, contents) => contents.on('will-attach-webview', (e) => e.preventDefault()));
}
