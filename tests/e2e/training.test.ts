/**
 * The Training view and the Playground end to end, in web mode, as a new user would use them:
 * 24 ShapesWorld images imported with the CLI; then a real Chromium opens Training, sees the
 * form refuse a bad field, picks the dataset and the tiny preset, 16 steps of 4 with a
 * checkpoint and a sample grid every 4 and ConG off (for speed), two sample prompts, and
 * starts. On the run's page it sees the step advance and the L_D plot fill, pauses (status
 * paused, Resume offered), resumes until it succeeds, and finds the sample grids with the
 * prompts as their labels. Open in Playground: a prompt, 2 images, Generate: two images with
 * Save PNG links, and the generation in the run's history. Logs no console errors (a CSP
 * violation would be one). Leaves screenshots in test-results/: training-form.png,
 * training-run-paused.png, training-run.png, training-runs.png and playground.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/training.test.ts
 */
import { describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium } from '../helpers/browser.ts';
import { fillTinyRun, screenshotView, useWebFixture } from '../helpers/e2e.ts';
import { CAPTIONED_SHAPES } from '../helpers/fixtures.ts';

/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;
const DATASET = CAPTIONED_SHAPES.name;
const STEPS = 16;
const PROMPTS = ['a red circle', 'a blue square'];

if (!hasChromium) console.warn(`training.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('Training view and Playground (web mode)', () => {
  const fixture = useWebFixture('training', { shapes: { ...CAPTIONED_SHAPES, attachCaptions: false } });

  it(
    'trains from the form, pauses and resumes, shows losses and sample grids, then generates in the Playground',
    async () => {
      const { page, consoleErrors } = await fixture().openView({ nav: 'nav-training', heading: 'Training' }, { viewport: { width: 1280, height: 1000 } });
      // A fresh data folder lists only the built-in pre-trained generator.
      const builtin = page.locator('[data-testid=train-run-row][data-run-id="shapes-pretrained"]');
      await builtin.waitFor({ timeout: TIMEOUT_MS });
      expect(await page.getByTestId('train-run-row').count()).toBe(1);

      // The form: the dataset, then a bad field refused before anything is sent.
      const form = page.getByTestId('train-form');
      await expect.poll(() => form.getByTestId('train-dataset').inputValue(), { timeout: TIMEOUT_MS }).toBe(DATASET);
      expect(await form.locator('[data-preset=shapes] input').isChecked()).toBe(true);
      expect(await form.locator('select[name=pseudo]').inputValue()).toBe('gaussian');
      await form.locator('input[name=steps]').fill('0');
      await form.getByTestId('train-start').click();
      expect(await form.getByTestId('train-field-error').allTextContents()).toEqual(['At least 1.']);

      // Tiny preset, 16 steps of 4, a checkpoint and a grid every 4, no ConG, two sample prompts.
      await fillTinyRun(form, STEPS);
      await form.locator('input[name=con-g]').uncheck();
      await form.locator('textarea[name=sample-prompts]').fill(PROMPTS.join('\n'));
      expect(await form.getByTestId('train-field-error').count()).toBe(0);
      await screenshotView(page, 'training-form.png');
      await form.getByTestId('train-start').click();

      // The run's page: the step advances and the L_D plot fills as the steps arrive.
      const runPage = page.getByTestId('run-page');
      await runPage.waitFor({ timeout: TIMEOUT_MS });
      const runId = await runPage.getAttribute('data-run-id');
      expect(page.url()).toContain(`#/training/${runId}`);
      const step = async (): Promise<number> => Number(await page.getByTestId('run-step').getAttribute('data-step'));
      await expect.poll(step, { timeout: TIMEOUT_MS, interval: 50 }).toBeGreaterThanOrEqual(1);

      // Pause: it stops at a checkpoint short of the end, and offers Resume.
      await page.getByTestId('run-pause').click();
      await expect.poll(() => runPage.getAttribute('data-status'), { timeout: TIMEOUT_MS }).toBe('paused');
      const pausedAt = await step();
      expect(pausedAt).toBeLessThan(STEPS);
      expect(await page.getByTestId('run-pause').count()).toBe(0);
      expect(await page.locator('[data-testid=run-status]').textContent()).toBe('paused');
      const dLoss = page.locator('[data-testid=loss-chart][data-chart=d-loss]');
      expect(Number(await dLoss.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
      expect(await dLoss.locator('canvas').count()).toBeGreaterThan(0);
      await screenshotView(page, 'training-run-paused.png');

      // Resume: it runs to the end.
      await page.getByTestId('run-resume').click();
      await expect.poll(() => runPage.getAttribute('data-status'), { timeout: TIMEOUT_MS * 2 }).toBe('succeeded');
      await expect.poll(step, { timeout: TIMEOUT_MS }).toBe(STEPS);
      await expect.poll(async () => Number(await dLoss.getAttribute('data-points')), { timeout: TIMEOUT_MS }).toBe(STEPS);
      expect(await page.getByTestId('run-backend').textContent()).toMatch(/\w/);

      // The sample grids: one every 4 steps, the newest shown, its columns labelled with the prompts.
      const grids = page.getByTestId('sample-grids');
      await expect.poll(() => grids.getAttribute('data-steps'), { timeout: TIMEOUT_MS }).toBe(String(STEPS / 4));
      await expect.poll(() => page.getByTestId('sample-grid').getAttribute('data-step'), { timeout: TIMEOUT_MS }).toBe(String(STEPS));
      const image = page.getByTestId('sample-image');
      await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBeGreaterThan(0);
      expect(await page.getByTestId('sample-label').allTextContents()).toEqual(PROMPTS);
      expect(await page.getByTestId('sample-strip-item').count()).toBe(STEPS / 4);
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      await screenshotView(page, 'training-run.png');

      // The runs list has it, finished; its row leads back to its page.
      await page.getByTestId('training-back').click();
      const row = page.locator(`[data-testid=train-run-row][data-run-id="${runId}"]`);
      await expect.poll(() => row.locator('[data-testid=job-status]').textContent(), { timeout: TIMEOUT_MS }).toBe('succeeded');
      expect(await row.textContent()).toContain(`${STEPS} / ${STEPS}`);
      await screenshotView(page, 'training-runs.png');
      await row.locator('a').click();
      await page.getByTestId('run-open-playground').waitFor({ timeout: TIMEOUT_MS });

      // Open in Playground: the run is chosen; 2 images for a prompt.
      await page.getByTestId('run-open-playground').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Playground');
      const play = page.getByTestId('play-form');
      await expect.poll(() => play.getByTestId('play-run').inputValue(), { timeout: TIMEOUT_MS }).toBe(runId);
      await play.getByTestId('play-prompt').fill(PROMPTS[0]!);
      await play.getByTestId('play-n').fill('2');
      await play.getByTestId('play-generate').click();
      const images = page.getByTestId('generated-image');
      await expect.poll(() => images.count(), { timeout: TIMEOUT_MS * 2 }).toBe(2);
      for (const img of await images.locator('img').all()) {
        await expect.poll(() => img.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBeGreaterThan(0);
      }
      const save = page.getByTestId('generated-save').first();
      expect(await save.getAttribute('href')).toMatch(/^data:image\/png;base64,/);
      expect(await save.getAttribute('download')).toMatch(/\.png$/);
      const history = page.getByTestId('generation-row');
      await expect.poll(() => history.count(), { timeout: TIMEOUT_MS }).toBe(1);
      await expect.poll(() => history.first().getAttribute('data-status'), { timeout: TIMEOUT_MS }).toBe('succeeded');
      expect(await history.first().textContent()).toContain(PROMPTS[0]);
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      await screenshotView(page, 'playground.png');
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 4,
  );
});
