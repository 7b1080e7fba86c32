/**
 * Lafite2's diffusion model everywhere a run appears (issue 16), end to end in web mode: 24
 * captioned ShapesWorld images imported with the CLI; a real Chromium opens Training, chooses
 * the diffusion family (its own options show, ConG and Freeze-D hide, the learning rate takes
 * the diffusion default), the tiny preset, 8 steps of 4 with a checkpoint and a grid every 4,
 * T = 100, grids of 5 DDIM steps at guidance 2, and starts a `diffusion-train` job. The run's
 * page labels it diffusion, plots L_simple and shows its grids. The Runs view lists it with
 * its family and evaluates it (20 images). The Playground, for the diffusion run, offers
 * sampler, steps, η and guidance in place of truncation (and truncation again for the
 * built-in GAN); 2 images at 4 DDIM steps, guidance 2, appear with the generation in the
 * history. Its PNGs carry the sampling: one dropped on the Playground restores sampler, steps,
 * η and guidance into the sampling box, and so does the Gallery's "Use settings" (the Gallery
 * shows each diffusion picture's sampling). Logs no console errors. Leaves
 * test-results/diffusion-training-form.png, diffusion-run.png, diffusion-runs.png,
 * diffusion-playground.png, diffusion-playground-restored.png and diffusion-gallery.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/diffusion.test.ts
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIFFUSION_OWN_OPTIONS, type GenerateResult } from '../../main/contract/index.ts';
import { readPngSettings } from '../../main/jobs/png-settings.ts';
import { CHROMIUM, hasChromium } from '../helpers/browser.ts';
import { dropPng, fillTinyRun, screenshotView, useWebFixture } from '../helpers/e2e.ts';
import { CAPTIONED_SHAPES } from '../helpers/fixtures.ts';

/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;
const DATASET = CAPTIONED_SHAPES.name;
const STEPS = 8;
const PROMPTS = ['a red circle', 'a blue square'];

if (!hasChromium) console.warn(`diffusion.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('the diffusion family in Training, Runs and the Playground (web mode)', () => {
  const fixture = useWebFixture('diffusion', { shapes: CAPTIONED_SHAPES });

  it(
    'trains a tiny diffusion run from the form, lists and evaluates it with its family, and generates from it with steps and guidance',
    async () => {
      const { page, consoleErrors } = await fixture().openView({ nav: 'nav-training', heading: 'Training' }, { viewport: { width: 1280, height: 1000 } });
      const form = page.getByTestId('train-form');
      await expect.poll(() => form.getByTestId('train-dataset').inputValue(), { timeout: TIMEOUT_MS }).toBe(DATASET);

      // The family: GAN first; diffusion shows its own options and hides the GAN's.
      expect(await form.locator('[data-family=gan] input').isChecked()).toBe(true);
      expect(await form.getByTestId('train-diffusion').count()).toBe(0);
      await form.locator('[data-family=diffusion]').click();
      await form.getByTestId('train-diffusion').waitFor({ timeout: TIMEOUT_MS });
      expect(await form.locator('input[name=con-g]').count()).toBe(0);
      expect(await form.locator('input[name=freeze-d]').count()).toBe(0);
      expect(Number(await form.locator('input[name=learning-rate]').inputValue())).toBe(DIFFUSION_OWN_OPTIONS.learningRate.default);
      expect(Number(await form.locator('input[name=cond-drop]').inputValue())).toBe(DIFFUSION_OWN_OPTIONS.condDrop.default);
      expect(await form.locator('select[name=noise-schedule]').inputValue()).toBe(DIFFUSION_OWN_OPTIONS.noiseSchedule.default);

      // A bad diffusion field is refused by the diffusion schema before anything is sent.
      await form.locator('input[name=cond-drop]').fill('2');
      await form.locator('input[name=cond-drop]').blur();
      expect(await form.locator('[data-testid=train-field-error][data-field=condDrop]').textContent()).toBe('At most 1.');
      await form.locator('input[name=cond-drop]').fill('0.2');

      // Tiny preset, 8 steps of 4, a checkpoint and a grid every 4, T = 100, grids of 5 DDIM steps at guidance 2.
      await fillTinyRun(form, STEPS);
      await form.locator('input[name=timesteps]').fill('100');
      await form.locator('input[name=sample-steps]').fill('5');
      await form.locator('input[name=sample-guidance]').fill('2');
      await form.locator('textarea[name=sample-prompts]').fill(PROMPTS.join('\n'));
      expect(await form.getByTestId('train-field-error').count()).toBe(0);
      await expect.poll(() => form.getByTestId('train-start').isEnabled(), { timeout: TIMEOUT_MS }).toBe(true);
      await screenshotView(page, 'diffusion-training-form.png');
      await form.getByTestId('train-start').click();

      // The run's page: a diffusion run, its loss L_simple plotted, its grids labelled with the prompts.
      const runPage = page.getByTestId('run-page');
      await runPage.waitFor({ timeout: TIMEOUT_MS });
      const runId = (await runPage.getAttribute('data-run-id'))!;
      expect(await runPage.getByTestId('run-family').getAttribute('data-family')).toBe('diffusion');
      await expect.poll(() => runPage.getAttribute('data-status'), { timeout: TIMEOUT_MS * 4 }).toBe('succeeded');
      const loss = page.locator('[data-testid=loss-chart][data-chart=loss]');
      await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: TIMEOUT_MS }).toBe(STEPS);
      expect(await page.locator('[data-testid=loss-chart][data-chart=d-loss]').count()).toBe(0);
      const grids = page.getByTestId('sample-grids');
      await expect.poll(() => grids.getAttribute('data-steps'), { timeout: TIMEOUT_MS }).toBe(String(STEPS / 4));
      const grid = page.getByTestId('sample-image');
      await expect.poll(() => grid.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBeGreaterThan(0);
      expect(await page.getByTestId('sample-label').allTextContents()).toEqual(PROMPTS);
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      await screenshotView(page, 'diffusion-run.png');

      // The Training list labels it; the Runs view lists it with its family and evaluates it.
      await page.getByTestId('training-back').click();
      const trainRow = page.locator(`[data-testid=train-run-row][data-run-id="${runId}"]`);
      await expect.poll(() => trainRow.getByTestId('run-family').textContent(), { timeout: TIMEOUT_MS }).toBe('diffusion');
      expect(await page.locator('[data-testid=train-run-row][data-run-id="shapes-pretrained"] [data-testid=run-family]').textContent()).toBe('GAN');
      await page.getByTestId('nav-runs').click();
      const row = page.locator(`[data-testid=runs-row][data-run-id="${runId}"]`);
      await row.waitFor({ timeout: TIMEOUT_MS });
      expect(await row.getByTestId('run-family').getAttribute('data-family')).toBe('diffusion');
      await row.getByTestId('runs-eval-n').fill('20');
      await row.getByTestId('runs-evaluate').click();
      await expect.poll(() => row.getAttribute('data-evaluations'), { timeout: TIMEOUT_MS * 4 }).toBe('1');
      expect(await row.getByTestId('runs-evaluated').textContent()).toContain(`step ${STEPS}`);
      expect(await row.getByTestId('runs-eval-error').count()).toBe(0);
      await row.evaluate((element) => element.closest('.table-panel')?.scrollTo({ left: 0 })); // Evaluate scrolled the wide table to its right edge
      await screenshotView(page, 'diffusion-runs.png');

      // The Playground: the diffusion run samples with steps and guidance, the built-in GAN with truncation.
      await page.goto(`${fixture().app.url}#/playground/${runId}`);
      const play = page.getByTestId('play-form');
      await expect.poll(() => play.getByTestId('play-run').inputValue(), { timeout: TIMEOUT_MS }).toBe(runId);
      await play.getByTestId('play-run').selectOption('shapes-pretrained');
      await play.locator('input[name=truncation]').waitFor({ timeout: TIMEOUT_MS });
      expect(await play.getByTestId('play-sampling').count()).toBe(0);
      await play.getByTestId('play-run').selectOption(runId);
      const sampling = play.getByTestId('play-sampling');
      await sampling.waitFor({ timeout: TIMEOUT_MS });
      expect(await play.locator('input[name=truncation]').count()).toBe(0);
      expect(await play.getByTestId('play-sampler').inputValue()).toBe('ddim');
      await play.getByTestId('play-sampler').selectOption('ddpm');
      expect(await play.getByTestId('play-eta').count()).toBe(0); // η is DDIM's
      await play.getByTestId('play-sampler').selectOption('ddim');
      await play.getByTestId('play-steps').fill('0');
      expect(await play.locator('[data-testid=play-field-error][data-field=steps]').textContent()).toBe('At least 1.');
      await play.getByTestId('play-steps').fill('4');
      await play.getByTestId('play-guidance').fill('2');
      expect(await play.getByTestId('play-guidance-value').textContent()).toBe('2.0');
      await play.getByTestId('play-prompt').fill(PROMPTS[0]!);
      await play.getByTestId('play-n').fill('2');
      await play.getByTestId('play-generate').click();

      const images = page.getByTestId('generated-image');
      await expect.poll(() => images.count(), { timeout: TIMEOUT_MS * 2 }).toBe(2);
      for (const img of await images.locator('img').all()) {
        await expect.poll(() => img.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBe(16);
      }
      const history = page.getByTestId('generation-row');
      await expect.poll(() => history.count(), { timeout: TIMEOUT_MS }).toBe(1);
      await expect.poll(() => history.first().getAttribute('data-status'), { timeout: TIMEOUT_MS }).toBe('succeeded');
      expect(await history.first().textContent()).toContain(PROMPTS[0]);
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      await screenshotView(page, 'diffusion-playground.png');

      // The job asked for what the form said: DDIM, 4 steps, η 0, guidance 2.
      const generation = (await history.first().getAttribute('data-generation-id'))!;
      const job = JSON.parse((await fixture().lafite(['--json', 'jobs', 'show', generation])).trim()) as { kind: string; input: Record<string, unknown> };
      expect(job.kind).toBe('gan-generate');
      expect(job.input).toMatchObject({ run: runId, prompt: PROMPTS[0], n: 2, sampler: 'ddim', steps: 4, eta: 0, guidance: 2 });

      // Its PNGs carry the sampling; dropped on the Playground, one brings it back into the sampling box.
      const files = (JSON.parse((await fixture().lafite(['--json', 'jobs', 'show', generation])).trim()) as { result: GenerateResult }).result.files;
      const png = readPngSettings(readFileSync(files[1]!));
      expect(png.settings).toMatchObject({ family: 'diffusion', run: runId, sampling: { sampler: 'ddim', steps: 4, eta: 0, guidance: 2 } });
      expect(png.text.parameters).toMatch(/Sampler: ddim, Steps: 4, Eta: 0, CFG scale: 2/);
      const changeSampling = async () => {
        await play.getByTestId('play-sampler').selectOption('ddpm');
        await play.getByTestId('play-steps').fill('9');
        await play.getByTestId('play-guidance').fill('5');
        await play.getByTestId('play-prompt').fill('something else');
      };
      const expectRestored = async () => {
        await expect.poll(() => play.getByTestId('play-steps').inputValue(), { timeout: TIMEOUT_MS }).toBe('4');
        expect(await play.getByTestId('play-sampler').inputValue()).toBe('ddim');
        expect(await play.getByTestId('play-guidance-value').textContent()).toBe('2.0');
        expect(await play.getByTestId('play-eta').inputValue()).toBe('0');
        expect(await play.getByTestId('play-prompt').inputValue()).toBe(PROMPTS[0]);
        expect(await play.getByTestId('play-run').inputValue()).toBe(runId);
      };
      await changeSampling();
      await dropPng(page, 'play-page', 'seed0-1.png', readFileSync(files[1]!));
      await expect.poll(() => page.getByTestId('play-restored').getAttribute('data-ok'), { timeout: TIMEOUT_MS }).toBe('true');
      expect(await page.getByTestId('play-restored').textContent()).toContain('DDIM 4 steps · η 0 · guidance 2');
      await expectRestored();
      await screenshotView(page, 'diffusion-playground-restored.png');

      // The Gallery shows the diffusion pictures' sampling; Use settings restores it too.
      await changeSampling();
      await page.getByTestId('nav-gallery').click();
      const item = page.locator(`[data-testid=gallery-item][data-run="${runId}"]`).first();
      await item.waitFor({ timeout: TIMEOUT_MS });
      expect(await item.getByTestId('gallery-settings').textContent()).toContain('DDIM 4 steps · η 0 · guidance 2');
      await screenshotView(page, 'diffusion-gallery.png');
      await item.getByTestId('gallery-use').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Playground');
      await expectRestored();
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 12,
  );
});
