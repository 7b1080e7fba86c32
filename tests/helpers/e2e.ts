/**
 * The set-up the web-mode end-to-end tests share: a temporary data folder (and one for files),
 * optionally a small ShapesWorld dataset drawn and imported with the CLI, whatever else the
 * test prepares with the CLI, then `lafite serve` on it with a Chromium open; `stop` ends the
 * server and the browser and removes both folders.
 *
 *   describe('…', () => {
 *     const fixture = useWebFixture('training', { shapes: CAPTIONED_SHAPES });
 *     it('…', async () => {
 *       const page = await fixture().app.browser.newPage();
 *     });
 *   });
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { collectConsoleErrors, saveScreenshot, startWebApp, type WebApp } from './browser.ts';
import { lafite } from './cli.ts';
import { importShapes, type CliFixture, type ShapesDatasetOptions } from './fixtures.ts';
import { tempDir } from './temp.ts';

/** The longest any step of opening a view waits: the machine may have two cores and a cold start. */
const TIMEOUT_MS = 30_000;

/** A view of the app: the test id of its nav item and its heading. */
export interface ViewOptions {
  /** The nav item's test id, e.g. `nav-training`. */
  nav: string;
  /** The view's `h1` once it is open, e.g. `Training`. */
  heading: string;
}

/** A page open on a view, with the console errors it has logged so far and will log. */
export interface OpenView {
  page: Page;
  consoleErrors: string[];
}

export interface WebFixture extends CliFixture {
  app: WebApp;
  /** A new page on the app (`pageOptions` as Playwright's), its console errors collected, open on `view`. */
  openView(view: ViewOptions, pageOptions?: Parameters<Browser['newPage']>[0]): Promise<OpenView>;
  /** Ends the browser and the server, then removes the folders. */
  stop(): Promise<void>;
}

export interface WebFixtureOptions {
  /** A ShapesWorld dataset to import first. None by default. */
  shapes?: ShapesDatasetOptions;
  /** What else the test prepares before the server starts (files, CLI commands). */
  prepare?(fixture: CliFixture): Promise<unknown>;
}

/** Temporary folders named after `name`, the dataset and preparations of `options`, then the served app. */
export async function startWebFixture(name: string, options: WebFixtureOptions = {}): Promise<WebFixture> {
  const dataDir = tempDir(`lafite-${name}-e2e-data-`);
  const work = tempDir(`lafite-${name}-e2e-files-`);
  const remove = (): void => {
    dataDir.remove();
    work.remove();
  };
  const cli: CliFixture = { dataDir: dataDir.path, work: work.path, lafite: (args) => lafite(['--data-dir', dataDir.path, ...args]) };
  let app: WebApp;
  try {
    if (options.shapes) await importShapes(cli, options.shapes);
    await options.prepare?.(cli);
    app = await startWebApp({ dataDir: dataDir.path });
  } catch (error) {
    remove();
    throw error;
  }
  return {
    ...cli,
    app,
    openView: (view, pageOptions) => openView(app, view, pageOptions),
    stop: async () => {
      try {
        await app.stop();
      } finally {
        remove();
      }
    },
  };
}

/**
 * Starts a fixture (as `startWebFixture`) before the tests of the `describe` this is called in,
 * allowing it `startTimeoutMs`, and stops it after them; the function returned gives the
 * fixture inside a test.
 */
export function useWebFixture(name: string, options: WebFixtureOptions = {}, startTimeoutMs = TIMEOUT_MS * 2): () => WebFixture {
  let fixture: WebFixture | null = null;
  beforeAll(async () => {
    fixture = await startWebFixture(name, options);
  }, startTimeoutMs);
  afterAll(() => fixture?.stop(), TIMEOUT_MS);
  return () => {
    if (!fixture) throw new Error(`the ${name} fixture did not start`);
    return fixture;
  };
}

/** A new page on `app`, its console errors collected, after a click on the nav item of `view` and once its heading shows. */
export async function openView(app: WebApp, view: ViewOptions, pageOptions?: Parameters<Browser['newPage']>[0]): Promise<OpenView> {
  const page = await app.browser.newPage(pageOptions);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(app.url, { timeout: TIMEOUT_MS });
  await page.getByTestId(view.nav).click();
  await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe(view.heading);
  return { page, consoleErrors };
}

/** Fills the Training form for a tiny run: the tiny preset, `steps` steps of 4, a checkpoint and a sample grid every 4. */
export async function fillTinyRun(form: Locator, steps: number): Promise<void> {
  await form.locator('[data-preset=tiny]').click();
  await form.locator('input[name=steps]').fill(String(steps));
  await form.locator('input[name=batch-size]').fill('4');
  await form.locator('input[name=checkpoint-every]').fill('4');
  await form.locator('input[name=sample-every]').fill('4');
}

/** A screenshot of the whole view: the shell scrolls inside its window, so the window is first made as tall as the view. */
export async function screenshotView(page: Page, fileName: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const height = await page.locator('main').evaluate((main) => (main as unknown as { scrollHeight: number }).scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height + 40) });
  await saveScreenshot(page, fileName);
  await page.setViewportSize(viewport);
}

/** The page's DOM classes a drop needs (the tests compile without the DOM library). */
interface DropDom {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
  DragEvent: new (type: string, init: object) => unknown;
}

/** Drops a PNG on the element with `testId` as a user's drag from the desktop would (a DataTransfer with a File). */
export async function dropPng(page: Page, testId: string, name: string, bytes: Buffer): Promise<void> {
  await page.getByTestId(testId).evaluate(
    (target, { name, base64 }) => {
      const dom = globalThis as unknown as DropDom;
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new dom.DataTransfer();
      transfer.items.add(new dom.File([data], name, { type: 'image/png' }));
      const element = target as unknown as { dispatchEvent(event: unknown): void };
      element.dispatchEvent(new dom.DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      element.dispatchEvent(new dom.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name, base64: bytes.toString('base64') },
  );
}
