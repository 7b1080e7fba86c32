/**
 * The Runs view end to end, in web mode: with the CLI, 24 captioned ShapesWorld images, a
 * tiny run of 8 steps of 4 with a checkpoint every 4 and ConG off, and two evaluations of 20
 * images (the latest step, then step 4); a second run like it (another seed) evaluated once.
 * Then a real Chromium opens Runs: the first run's row shows its latest figures, the better
 * of the two runs' figures marked per column; ticking the first plots each figure at 2 steps,
 * ticking the second too adds its line; Evaluate with n 20 disables the button and shows the
 * job's progress while it runs, and a third evaluation lands in the row. Logs no console
 * errors (a CSP violation would be one). Leaves test-results/runs.png, runs-evaluating.png and runs-evaluated.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/runs.test.ts
 */
import { describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium } from '../helpers/browser.ts';
import { screenshotView, useWebFixture } from '../helpers/e2e.ts';
import { CAPTIONED_SHAPES, trainTinyRun } from '../helpers/fixtures.ts';

/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;
const DATASET = CAPTIONED_SHAPES.name;
const STEPS = 8;
const IMAGES = 20;

if (!hasChromium) console.warn(`runs.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('Runs view (web mode)', () => {
  let runId = '';
  let otherId = '';
  const fixture = useWebFixture(
    'runs',
    {
      shapes: CAPTIONED_SHAPES, // captions: evaluation prompts
      prepare: async (cli) => {
        runId = await trainTinyRun(cli, DATASET, { steps: STEPS, seed: 0 });
        await cli.lafite(['eval', '--run', runId, '--n', String(IMAGES)]);
        await cli.lafite(['eval', '--run', runId, '--step', '4', '--n', String(IMAGES)]);
        otherId = await trainTinyRun(cli, DATASET, { steps: STEPS, seed: 1 });
        await cli.lafite(['eval', '--run', otherId, '--n', String(IMAGES)]);
      },
    },
    TIMEOUT_MS * 4,
  );

  it(
    'compares the run’s latest figures, plots them over the steps, and evaluates it again',
    async () => {
      const { page, consoleErrors } = await fixture().openView({ nav: 'nav-runs', heading: 'Runs' }, { viewport: { width: 1280, height: 900 } });

      // The row: what it trains, how far, and the figures of its latest evaluation (step 8).
      const row = page.locator(`[data-testid=runs-row][data-run-id="${runId}"]`);
      await row.waitFor({ timeout: TIMEOUT_MS });
      expect(await row.getAttribute('data-evaluations')).toBe('2');
      expect(await row.textContent()).toContain(`${STEPS} / ${STEPS}`);
      expect(await row.getByTestId('runs-evaluated').textContent()).toContain(`step ${STEPS}`);
      const figure = (metric: string) => row.locator(`[data-testid=runs-figure][data-metric=${metric}]`).textContent();
      expect(await figure('fdClip')).toMatch(/\d/);
      expect(await figure('clipScore')).toMatch(/\d/);
      expect((await figure('rPrecision'))?.trim()).toBe('—'); // 20 prompts: too few for R-precision
      expect(await page.locator('main thead').textContent()).toContain('FD (CLIP features)');
      expect(await page.getByTestId('runs-no-evaluations').count()).toBe(0);

      // With two runs evaluated, each column marks its best figure (the runs differ by their seed).
      const other = page.locator(`[data-testid=runs-row][data-run-id="${otherId}"]`);
      expect(await other.getAttribute('data-evaluations')).toBe('1');
      for (const metric of ['fdClip', 'clipScore']) {
        expect(await page.locator(`[data-testid=runs-figure][data-metric=${metric}].best`).count()).toBe(1);
      }
      expect(await page.locator('[data-testid=runs-figure][data-metric=rPrecision].best').count()).toBe(0);

      // Ticked: each figure over the steps, one line, 2 points (steps 4 and 8).
      await page.getByTestId('runs-plots-empty').waitFor({ timeout: TIMEOUT_MS });
      await row.getByTestId('runs-select').check();
      const fd = page.locator('[data-testid=metric-chart][data-metric=fdClip]');
      await fd.waitFor({ timeout: TIMEOUT_MS });
      expect(await fd.getAttribute('data-points')).toBe('2');
      expect(await fd.getAttribute('data-lines')).toBe('1');
      expect(await fd.locator('canvas').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid=metric-chart][data-metric=clipScore]').getAttribute('data-points')).toBe('2');
      expect(await page.locator('[data-testid=metric-chart][data-metric=rPrecision] [data-testid=metric-chart-empty]').textContent()).toContain('100 images');

      // The second run ticked too: a second line, evaluated at step 8 only.
      await other.getByTestId('runs-select').check();
      await expect.poll(() => fd.getAttribute('data-lines'), { timeout: TIMEOUT_MS }).toBe('2');
      expect(await fd.getAttribute('data-points')).toBe('2');
      await screenshotView(page, 'runs.png');

      // Evaluate again with n 20: busy while the job runs, then a third evaluation in the row.
      await row.getByTestId('runs-eval-n').fill(String(IMAGES));
      await row.getByTestId('runs-evaluate').click();
      await expect.poll(() => row.getByTestId('runs-evaluate').isDisabled(), { timeout: TIMEOUT_MS }).toBe(true);
      // A 20-image job may end between two polls: its progress bar, or already its third evaluation.
      const progress = row.getByTestId('runs-eval-progress');
      await expect.poll(async () => (await progress.isVisible()) || (await row.getAttribute('data-evaluations')) === '3', { timeout: TIMEOUT_MS }).toBe(true);
      if (await progress.isVisible()) await screenshotView(page, 'runs-evaluating.png');
      await expect.poll(() => row.getAttribute('data-evaluations'), { timeout: TIMEOUT_MS * 2 }).toBe('3');
      await expect.poll(() => row.getByTestId('runs-evaluate').isDisabled(), { timeout: TIMEOUT_MS }).toBe(false);
      expect(await fd.getAttribute('data-points')).toBe('2'); // the same step again: still two steps
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      expect(await row.getByTestId('runs-eval-error').count()).toBe(0);
      await screenshotView(page, 'runs-evaluated.png');
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 4,
  );
});
