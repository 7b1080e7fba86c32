/**
 * The renderer's desktop features in a real Chromium, with a stand-in for the Electron
 * preload bridge (its API calls go to `lafite serve` over HTTP): the status bar shows the data
 * folder's disk use and the log file, a folder dropped on the Datasets view and one chosen
 * with File › Import Folder… fill the import form. The Electron test (electron.test.ts) runs
 * the real bridge where Electron's binary is installed. Leaves test-results/desktop-status.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/desktop-renderer.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, saveScreenshot } from '../helpers/browser.ts';
import { startWebFixture, type WebFixture } from '../helpers/e2e.ts';

const TIMEOUT_MS = 30_000;
const LOG_FILE = '/home/me/.config/Lafite Studio/logs/main.log';

/**
 * window.lafite as electron/preload.ts makes it, over HTTP: `call` posts to the server (the
 * session cookie from the first visit authorises it), desktopInfo answers fixed figures,
 * pathForFile names the dropped file's folder, and the menu listener is kept for the test.
 */
const BRIDGE = `
  window.lafite = {
    call: async (method, input) => (await fetch('/api/call/' + method, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) })).json(),
    onEvent: () => () => undefined,
    pickFolder: async () => null,
    pickImage: async () => null,
    pathForFile: (file) => '/home/me/pictures/' + file.name,
    desktopInfo: async () => ({ logFile: ${JSON.stringify(LOG_FILE)}, dataDir: '/data', dataDirSource: 'setting', dataBytes: 1234567890, freeBytes: 80000000000 }),
    onMenuCommand: (listener) => { window.__menuCommand = listener; return () => undefined; },
  };
`;

/** Drops a (folder-named) file on the page, as the file manager does: dragover then drop, with a DataTransfer. */
const DROP = (name: string): string => `(() => {
  const data = new DataTransfer();
  data.items.add(new File([''], ${JSON.stringify(name)}));
  document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
  document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
})()`;

if (!hasChromium) console.warn(`desktop-renderer.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('desktop features of the renderer (Chromium, stand-in bridge)', () => {
  let fixture: WebFixture | null = null;
  beforeAll(async () => {
    fixture = await startWebFixture('desktop');
  }, 60_000);
  afterAll(() => fixture?.stop());

  it('shows disk use and the log file, and fills the import form from a drop and from the menu', async () => {
    const app = fixture!.app;
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The first visit takes the token into a session cookie; the bridge then stands in from the next load on.
    await page.goto(app.url, { timeout: TIMEOUT_MS });
    await page.getByTestId('status-backend').waitFor({ timeout: TIMEOUT_MS });
    await page.addInitScript(BRIDGE);
    await page.reload({ timeout: TIMEOUT_MS });
    expect(await page.evaluate('typeof window.lafite.desktopInfo')).toBe('function');
    await page.getByTestId('nav-datasets').click();

    await expect.poll(() => page.getByTestId('status-backend').textContent(), { timeout: TIMEOUT_MS }).toMatch(/\w/);
    expect(await page.getByTestId('status-disk-use').textContent()).toBe('1.23 GB used · 80.0 GB free · ');
    expect((await page.getByTestId('status-log-file').textContent())?.trim()).toBe(`Log ${LOG_FILE}`);
    expect(await page.getByTestId('status-data-dir').getAttribute('title')).toContain('chosen in File › Choose Data Folder…');

    const form = page.getByTestId('dataset-import-form');
    await expect.poll(() => form.textContent()).toContain('drop a folder on this page');
    await page.evaluate(DROP('holiday-photos'));
    expect(await form.locator('input[name=folder]').inputValue()).toBe('/home/me/pictures/holiday-photos');
    expect(await form.locator('input[name=dataset]').inputValue()).toBe('holiday-photos');
    await saveScreenshot(page, 'desktop-status.png');

    // File › Import Folder… from another view: the Datasets view opens with the folder filled in.
    await page.getByTestId('nav-jobs').click();
    await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Jobs');
    await page.evaluate(`window.__menuCommand({ type: 'import-folder', folder: '/mnt/big/birds' })`);
    await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Datasets');
    await expect.poll(() => page.getByTestId('dataset-import-form').locator('input[name=folder]').inputValue(), { timeout: TIMEOUT_MS }).toBe('/mnt/big/birds');
    await page.close();
  }, 120_000);
});
