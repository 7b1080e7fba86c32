/**
 * The desktop app through Playwright's Electron driver, under Xvfb on Linux when no display is
 * set: the window opens with the secure settings (sandboxed, isolated, no Node, the bridge's
 * members and nothing else, new windows and foreign navigation refused, permissions denied),
 * the status bar shows the backend, the data folder's disk use and the log file, and a small
 * benchmark job runs to the end from the Jobs view. Skipped, with the reason printed, where
 * Electron's binary is not installed (it downloads on first use: `npx install-electron`) or,
 * on Linux without a display, Xvfb is missing (`apt-get install xvfb`). better-sqlite3 must be
 * built for Electron (`node scripts/electron-native.mjs`, which `npm start` runs): the test
 * builds it when missing and skips where it cannot.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/electron.test.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const TIMEOUT_MS = 60_000;
/** What window.lafite exposes (electron/preload.ts): these members and nothing else. */
const BRIDGE_MEMBERS = ['call', 'desktopInfo', 'onEvent', 'onMenuCommand', 'pathForFile', 'pickFolder', 'pickImage'];

function electronBinary(): string | undefined {
  const root = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(root, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(root, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const needsXvfb = process.platform === 'linux' && !process.env.DISPLAY;
const hasXvfb = !needsXvfb || spawnSync('which', ['Xvfb']).status === 0;

/** better-sqlite3 for Electron's ABI (scripts/electron-native.mjs), built once; undefined where it cannot be. */
function sqliteBinding(): string | undefined {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/electron-native.mjs')], { encoding: 'utf8' });
  const path = built.stdout.trim().split('\n').pop();
  return built.status === 0 && path && existsSync(path) ? path : undefined;
}

const binary = electronBinary();
const binding = binary && hasXvfb ? sqliteBinding() : undefined;
const skipReason = !binary
  ? 'the Electron binary is not installed (node_modules/electron/dist); run `npx install-electron` where the network allows'
  : !hasXvfb
    ? 'no display and no Xvfb (apt-get install xvfb)'
    : !binding
      ? 'better-sqlite3 is not built for Electron and could not be (node scripts/electron-native.mjs needs the network once)'
      : undefined;
if (skipReason) console.warn(`electron e2e skipped: ${skipReason}`);

/** Starts Xvfb on a free display; resolves its DISPLAY once the server's socket exists. */
async function startXvfb(): Promise<{ display: string; stop(): void }> {
  let number = 90 + (process.pid % 100);
  while (existsSync(`/tmp/.X11-unix/X${number}`) || existsSync(`/tmp/.X${number}-lock`)) number += 1;
  const server: ChildProcess = spawn('Xvfb', [`:${number}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!existsSync(`/tmp/.X11-unix/X${number}`)) {
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`Xvfb :${number} did not start`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return { display: `:${number}`, stop: () => void server.kill('SIGTERM') };
}

describe.skipIf(skipReason !== undefined)('desktop app (Electron)', () => {
  const dir = tempDir();
  let xvfb: { display: string; stop(): void } | undefined;
  let app: ElectronApplication | undefined;
  let page: Page;

  beforeAll(async () => {
    if (needsXvfb) xvfb = await startXvfb();
    app = await electron.launch({
      executablePath: binary!,
      args: [join(ROOT, 'out/main/index.js'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, LAFITE_DATA_DIR: dir.path, LAFITE_SQLITE_BINDING: binding!, ...(xvfb ? { DISPLAY: xvfb.display } : {}) } as Record<string, string>,
      timeout: TIMEOUT_MS,
    });
    page = await app.firstWindow({ timeout: TIMEOUT_MS });
  }, TIMEOUT_MS * 2);

  afterAll(async () => {
    // No job runs by now, so quitting asks nothing; a stuck app is ended all the same.
    if (app) {
      const closed = app.close();
      const timedOut = new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 15_000));
      if ((await Promise.race([closed, timedOut])) === 'timeout') app.process().kill('SIGKILL');
    }
    xvfb?.stop();
    dir.remove();
  }, 30_000);

  it('opens a sandboxed, isolated window that exposes only the bridge and refuses what it does not need', async () => {
    // getLastWebPreferences is Electron's own (not in its typings): the options the window was made with.
    const preferences = await app!.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null };
      const prefs = contents.getLastWebPreferences?.();
      return prefs ? { contextIsolation: prefs.contextIsolation, sandbox: prefs.sandbox, nodeIntegration: prefs.nodeIntegration, webSecurity: prefs.webSecurity } : null;
    });
    if (preferences) expect(preferences).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    // The page sees neither require nor process, only the bridge and its members.
    expect(await page.evaluate('typeof process')).toBe('undefined');
    expect(await page.evaluate('typeof require')).toBe('undefined');
    expect(await page.evaluate('Object.keys(window.lafite).sort()')).toEqual(BRIDGE_MEMBERS);
    // New windows are refused (a non-https one opens no prompt either), and so is navigation out of the app.
    expect(await page.evaluate(`window.open('file:///etc/hostname') === null`)).toBe(true);
    const before = page.url();
    await page.evaluate(`location.href = 'file:///etc/hostname'`);
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(app!.windows()).toHaveLength(1);
    // Permissions: every check answers no.
    expect(await page.evaluate(`navigator.permissions.query({ name: 'notifications' }).then((p) => p.state)`)).toBe('denied');
  });

  it(
    'shows the backend, the disk use and the log file, and runs a benchmark job from the Jobs view',
    async () => {
      const backend = page.getByTestId('status-backend');
      await expect.poll(async () => (await backend.textContent())?.trim(), { timeout: TIMEOUT_MS }).toMatch(/^(wasm|cpu|node|webgpu|node-gpu)$/);
      await expect.poll(() => page.getByTestId('status-disk-use').textContent(), { timeout: TIMEOUT_MS }).toMatch(/used/);
      expect(await page.getByTestId('status-log-file').textContent()).toMatch(/main\.log/);

      await page.getByTestId('nav-jobs').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Jobs');
      const form = page.getByTestId('benchmark-form');
      await form.locator('input[name=size]').fill('64');
      await form.locator('input[name=repeats]').fill('3');
      await form.locator('button[type=submit]').click();
      const started = page.getByTestId('benchmark-started');
      await started.waitFor({ timeout: TIMEOUT_MS });
      const jobId = await started.getAttribute('data-job-id');
      const status = page.locator(`[data-testid=job-row][data-job-id="${jobId}"] [data-testid=job-status]`);
      await expect.poll(async () => (await status.textContent())?.trim(), { timeout: TIMEOUT_MS }).toBe('succeeded');
      // The taskbar progress is cleared once no job runs (the main process tracks job events).
      await page.screenshot({ path: join(ROOT, 'test-results', 'electron-jobs.png') });
    },
    TIMEOUT_MS * 3,
  );
});
