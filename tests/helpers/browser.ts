/**
 * A real Chromium against `lafite serve`, for the web-mode end-to-end tests: where Chromium
 * is, how it is launched, the console errors a page logs, and a served data folder with a
 * browser open on it.
 *
 *   const app = await startWebApp({ dataDir });
 *   const page = await app.browser.newPage();
 *   const consoleErrors = collectConsoleErrors(page);
 *   await page.goto(app.url);
 *   …
 *   await app.stop();
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServe } from './cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The system Chromium the tests drive; they are skipped where it is not installed. */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless, and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ConsoleErrorOptions {
  /** HTTP statuses the test provokes on purpose: Chromium's "Failed to load resource" lines for them are left out. None by default. */
  expectedStatuses?: number[];
}

/**
 * Collects the page's console errors, each with the URL it came from (a failed request's),
 * and its uncaught exceptions as `uncaught: …`.
 */
export function collectConsoleErrors(page: Page, options: ConsoleErrorOptions = {}): string[] {
  const errors: string[] = [];
  const expected = (options.expectedStatuses ?? []).map((status) => `Failed to load resource: the server responded with a status of ${status}`);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (expected.some((prefix) => message.text().startsWith(prefix))) return;
    errors.push(`${message.text()} ${message.location().url}`.trim());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/** Saves a full-page screenshot as test-results/`fileName` and returns its path. */
export async function saveScreenshot(page: Page, fileName: string): Promise<string> {
  const path = join(ROOT, 'test-results', fileName);
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface WebApp {
  /** The URL `lafite serve` printed, with its token. */
  url: string;
  browser: Browser;
  /** Closes the browser, then ends the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** `lafite serve` for `dataDir` on a free port, and a Chromium to open it; needs out/renderer built. */
export async function startWebApp({ dataDir }: { dataDir: string }): Promise<WebApp> {
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) throw new Error('out/renderer is not built: run `npx electron-vite build` first');
  const { child: server, url } = await startServe(['--data-dir', dataDir]);
  const stopServer = async (): Promise<void> => {
    if (server.exitCode !== null) return;
    const exited = new Promise((done) => server.once('exit', done));
    server.kill('SIGTERM');
    await exited;
  };
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await stopServer();
    throw error;
  }
  return {
    url,
    browser,
    stop: async () => {
      try {
        await browser.close();
      } finally {
        await stopServer();
      }
    },
  };
}
