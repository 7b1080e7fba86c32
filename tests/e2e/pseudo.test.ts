/**
 * The Pseudo-captions view end to end, in web mode: 40 ShapesWorld images imported with the
 * CLI with their captions, and a small perturbation network trained on them (`pseudo
 * train-nn`, which also encodes the captions). Then a real Chromium picks the dataset, sees
 * the real captions' series before any synthesis, the vocabulary sets of `vocabulary.list`
 * and the network of `pseudo.networks` in the form, checks that the form refuses a bad k,
 * synthesises all methods (Gaussian, NN with the network, Retrieval, CLO) as a job, sees the
 * four runs with their cosine to the nearest real caption, the two cosine histograms with the
 * real captions and a series per method, and the Retrieval run's first image with its 5
 * prompts and scores, best first; a Gaussian run's images show "(feature)". Logs no console
 * errors (a CSP violation would be one). Leaves a screenshot in test-results/pseudo-view.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/pseudo.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, saveScreenshot } from '../helpers/browser.ts';
import { startWebFixture, type WebFixture } from '../helpers/e2e.ts';

const SCREENSHOT = 'pseudo-view.png';
/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;
const DATASET = 'shapes';
const IMAGES = 40;
/** Trained in a blink (20 steps, 16 hidden units): enough to be listed and used. */
const NETWORK = 'shapes-nn';

if (!hasChromium) console.warn(`pseudo.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('Pseudo-captions view (web mode)', () => {
  let fixture: WebFixture | null = null;

  beforeAll(async () => {
    fixture = await startWebFixture('pseudo', {
      shapes: { name: DATASET, images: IMAGES, size: 64, captions: true, attachCaptions: true },
      prepare: ({ lafite }) => lafite(['pseudo', 'train-nn', '--dataset', DATASET, '--name', NETWORK, '--steps', '20', '--hidden', '16']),
    });
  }, TIMEOUT_MS * 2);

  afterAll(() => fixture?.stop(), TIMEOUT_MS);

  it(
    'synthesises every method, draws their cosine histograms beside the real captions, and shows an image with its 5 prompts',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-pseudo-captions', heading: 'Pseudo-captions' }, { viewport: { width: 1280, height: 2600 } });

      await page.getByTestId('pseudo-dataset').selectOption(DATASET);
      await page.getByTestId('pseudo-runs-empty').waitFor({ timeout: TIMEOUT_MS });
      // Training the network encoded the captions: their series shows before any synthesis.
      await expect
        .poll(() => page.getByTestId('diagnostics-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method'))), { timeout: TIMEOUT_MS })
        .toEqual(['captions']);

      // The form says what is wrong before anything is sent; the four groups of options show for "all".
      const form = page.getByTestId('pseudo-synth-form');
      expect(await form.locator('select[name=method]').inputValue()).toBe('all');
      for (const group of ['synth-retrieval', 'synth-gaussian', 'synth-clo', 'synth-nn']) expect(await form.getByTestId(group).count()).toBe(1);
      // The sets of vocabulary.list and the network of pseudo.networks are offered.
      await expect
        .poll(() => form.locator('select[name=vocabulary] option').evaluateAll((options) => options.map((o) => o.getAttribute('value'))), { timeout: TIMEOUT_MS })
        .toEqual(expect.arrayContaining(['photos', 'faces', 'birds', 'shapes']));
      await expect
        .poll(() => form.locator('select[name=nn] option').evaluateAll((options) => options.map((o) => o.getAttribute('value'))), { timeout: TIMEOUT_MS })
        .toEqual(['', NETWORK]);
      await form.locator('select[name=nn]').selectOption(NETWORK);
      await form.locator('input[name=k]').fill('0');
      await form.getByTestId('synth-start').click();
      expect(await form.getByTestId('synth-field-error').allTextContents()).toEqual(['k: A whole number from 1 to 50.']);
      await form.locator('input[name=k]').fill('5');
      expect(await form.getByTestId('synth-field-error').count()).toBe(0);

      await form.getByTestId('synth-start').click();
      const summary = form.getByTestId('synth-summary');
      await summary.waitFor({ timeout: TIMEOUT_MS });
      expect(await summary.textContent()).toContain(`4 runs (Gaussian, NN, Retrieval, CLO) for the ${IMAGES} images of ${DATASET}`);

      // Four runs, newest first, all complete, each with its mean cosine to the nearest real caption.
      const rows = page.getByTestId('pseudo-run-row');
      await expect.poll(() => rows.count(), { timeout: TIMEOUT_MS }).toBe(4);
      expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')))).sort()).toEqual(['clo', 'gaussian', 'nn', 'retrieval']);
      expect(await page.getByTestId('pseudo-run-state').allTextContents()).toEqual(['Complete', 'Complete', 'Complete', 'Complete']);
      expect(await page.locator('[data-testid=pseudo-run-row][data-method=retrieval] [data-testid=pseudo-run-figures]').textContent()).toMatch(/prompts encoded of \d+/);
      const nearest = (await page.getByTestId('pseudo-run-nearest').allTextContents()).map(Number);
      expect(nearest.length === 4 && nearest.every((cosine) => cosine > -1 && cosine <= 1), nearest.join(' ')).toBe(true);

      // Lafite2 Figure 1: two histograms, the real captions and a series per method, and their means in the legend.
      const charts = page.getByTestId('cosine-histogram');
      await expect.poll(() => charts.count(), { timeout: TIMEOUT_MS }).toBe(2);
      for (const chart of await charts.all()) {
        expect(await chart.getAttribute('data-series')).toBe('5');
        const series = chart.locator('[data-testid=histogram-series]');
        expect(await series.evaluateAll((groups) => groups.map((g) => g.getAttribute('data-method')))).toEqual(['captions', 'gaussian', 'nn', 'retrieval', 'clo']);
        expect(await series.locator('path').evaluateAll((paths) => paths.every((path) => (path.getAttribute('d') ?? '').length > 100))).toBe(true);
      }
      const legend = page.getByTestId('diagnostics-row');
      expect(await legend.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')))).toEqual(['captions', 'gaussian', 'nn', 'retrieval', 'clo']);
      expect(await legend.first().textContent()).toContain('Real captions');
      expect(await page.getByTestId('diagnostics-image-text').first().textContent()).toMatch(/^0\.\d{3} ± 0\.\d{3}$/);
      expect(await page.getByTestId('diagnostics-no-captions').count()).toBe(0);

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
      expect(
        prompts.every((prompt) => prompt.trim().length > 0 && prompt !== '(feature)'),
        prompts.join(' | '),
      ).toBe(true);
      const scores = (await firstImage.getByTestId('pseudo-caption-score').allTextContents()).map(Number);
      expect(scores.every((score) => score >= -1 && score <= 1)).toBe(true);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(await firstImage.getByTestId('pseudo-image-path').textContent()).toMatch(/\.png$/);
      await expect.poll(() => firstImage.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBeGreaterThan(0);
      expect(await explorer.getByTestId('pseudo-explorer-range').textContent()).toBe(`1–12 of ${IMAGES}`);

      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      await saveScreenshot(page, SCREENSHOT);
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 2,
  );
});
