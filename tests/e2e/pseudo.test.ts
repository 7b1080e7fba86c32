/**
 * The Pseudo-captions view end to end, in web mode: 40 ShapesWorld images imported with the
 * CLI, then a real Chromium picks the dataset, checks that the form refuses a bad k,
 * synthesises all three methods (Gaussian, Retrieval, CLO) as a job, sees the three runs, the
 * two cosine histograms with a series per method, and the Retrieval run's first image with
 * its 5 prompts and scores, best first; a Gaussian run's images show "(feature)". Logs no
 * console errors (a CSP violation would be one). Leaves a screenshot in
 * test-results/pseudo-view.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/pseudo.test.ts
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = join(ROOT, 'test-results', 'pseudo-view.png');
/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;
const DATASET = 'shapes';
const IMAGES = 40;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`pseudo.test.ts: skipping: ${CHROMIUM} is not installed`);

/** Runs the CLI and fails with its stderr when it does not succeed. */
async function lafite(args: string[]): Promise<void> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`lafite ${args.join(' ')} exited with ${result.code}: ${result.stderr}`);
}

/** Console errors, with uncaught exceptions. */
function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

describe.skipIf(!hasChromium)('Pseudo-captions view (web mode)', () => {
  let dataDir: ReturnType<typeof tempDir> | null = null;
  let work: ReturnType<typeof tempDir> | null = null;
  let server: ChildProcess | null = null;
  let url = '';
  let browser: Browser | null = null;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'out/renderer/index.html'))) throw new Error('out/renderer is not built: run `npx electron-vite build` first');
    dataDir = tempDir('lafite-pseudo-e2e-data-');
    work = tempDir('lafite-pseudo-e2e-files-');
    const folder = join(work.path, 'shapes');
    await lafite(['--data-dir', dataDir.path, 'shapes', 'generate', '--n', String(IMAGES), '--out', folder]);
    await lafite(['--data-dir', dataDir.path, 'dataset', 'import', folder, '--name', DATASET, '--size', '64']);
    const serve = await startServe(['--data-dir', dataDir.path]);
    server = serve.child;
    url = serve.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, TIMEOUT_MS * 2);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    dataDir?.remove();
    work?.remove();
  }, TIMEOUT_MS);

  it(
    'synthesises all three methods, draws their cosine histograms, and shows an image with its 5 prompts',
    async () => {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 2600 } });
      const consoleErrors = collectConsoleErrors(page);
      await page.goto(url, { timeout: TIMEOUT_MS });
      await page.getByTestId('nav-pseudo-captions').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Pseudo-captions');

      await page.getByTestId('pseudo-dataset').selectOption(DATASET);
      await page.getByTestId('pseudo-runs-empty').waitFor({ timeout: TIMEOUT_MS });

      // The form says what is wrong before anything is sent; the three groups of options show for "all".
      const form = page.getByTestId('pseudo-synth-form');
      expect(await form.locator('select[name=method]').inputValue()).toBe('all');
      for (const group of ['synth-retrieval', 'synth-gaussian', 'synth-clo']) expect(await form.getByTestId(group).count()).toBe(1);
      await form.locator('input[name=k]').fill('0');
      await form.getByTestId('synth-start').click();
      expect(await form.getByTestId('synth-field-error').allTextContents()).toEqual(['k: A whole number from 1 to 50.']);
      await form.locator('input[name=k]').fill('5');
      expect(await form.getByTestId('synth-field-error').count()).toBe(0);

      await form.getByTestId('synth-start').click();
      const summary = form.getByTestId('synth-summary');
      await summary.waitFor({ timeout: TIMEOUT_MS });
      expect(await summary.textContent()).toContain(`3 runs (Gaussian, Retrieval, CLO) for the ${IMAGES} images of ${DATASET}`);

      // Three runs, newest first, all complete.
      const rows = page.getByTestId('pseudo-run-row');
      await expect.poll(() => rows.count(), { timeout: TIMEOUT_MS }).toBe(3);
      expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')))).sort()).toEqual(['clo', 'gaussian', 'retrieval']);
      expect(await page.getByTestId('pseudo-run-state').allTextContents()).toEqual(['Complete', 'Complete', 'Complete']);
      expect(await page.locator('[data-testid=pseudo-run-row][data-method=retrieval] [data-testid=pseudo-run-figures]').textContent()).toMatch(/prompts encoded of \d+/);

      // Lafite2 Figure 1: two histograms, a series per method, and their means in the legend.
      const charts = page.getByTestId('cosine-histogram');
      await expect.poll(() => charts.count(), { timeout: TIMEOUT_MS }).toBe(2);
      for (const chart of await charts.all()) {
        expect(await chart.getAttribute('data-series')).toBe('3');
        expect(await chart.locator('[data-testid=histogram-series] path').evaluateAll((paths) => paths.map((path) => (path.getAttribute('d') ?? '').length > 100))).toEqual([
          true,
          true,
          true,
        ]);
      }
      expect(await page.getByTestId('diagnostics-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')))).toEqual(['gaussian', 'retrieval', 'clo']);
      expect(await page.getByTestId('diagnostics-image-text').first().textContent()).toMatch(/^0\.\d{3} ± 0\.\d{3}$/);

      // A Gaussian run: one feature per image, no words.
      await page.locator('[data-testid=pseudo-run-row][data-method=gaussian]').click();
      const explorer = page.getByTestId('pseudo-explorer');
      await page.locator('[data-testid=pseudo-explorer][data-method=gaussian]').waitFor({ timeout: TIMEOUT_MS });
      const firstImage = explorer.getByTestId('pseudo-image').first();
      await expect.poll(() => firstImage.getByTestId('pseudo-caption-prompt').allTextContents(), { timeout: TIMEOUT_MS }).toEqual(['(feature)']);

      // The Retrieval run: each image with its 5 prompts and scores, best first, and its thumbnail.
      await page.locator('[data-testid=pseudo-run-row][data-method=retrieval]').click();
      await page.locator('[data-testid=pseudo-explorer][data-method=retrieval]').waitFor({ timeout: TIMEOUT_MS });
      await expect.poll(() => firstImage.getByTestId('pseudo-caption').count(), { timeout: TIMEOUT_MS }).toBe(5);
      const prompts = await firstImage.getByTestId('pseudo-caption-prompt').allTextContents();
      expect(prompts.every((prompt) => prompt.trim().length > 0 && prompt !== '(feature)'), prompts.join(' | ')).toBe(true);
      const scores = (await firstImage.getByTestId('pseudo-caption-score').allTextContents()).map(Number);
      expect(scores.every((score) => score >= -1 && score <= 1)).toBe(true);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(await firstImage.getByTestId('pseudo-image-path').textContent()).toMatch(/\.png$/);
      await expect.poll(() => firstImage.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBeGreaterThan(0);
      expect(await explorer.getByTestId('pseudo-explorer-range').textContent()).toBe(`1–12 of ${IMAGES}`);

      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 2,
  );
});
