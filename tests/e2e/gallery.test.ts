/**
 * What people expect of a generator UI, end to end in web mode (issue 19): with the CLI, 24
 * captioned ShapesWorld pictures, a tiny run of 8 steps keeping its generator at steps 4 and 8,
 * and two pictures drawn by the built-in `shapes-pretrained` from the CLI. Then a real Chromium:
 *
 * - Playground: a generation's PNG files carry their settings in tEXt chunks (read from disk);
 *   Ctrl+Enter generates, N takes the next seed, ? lists the shortcuts; the step picker draws
 *   with the tiny run's step-4 generator, and its PNGs say step 4.
 * - A generated PNG dropped on the Playground restores its run, prompt, seed, count and ψ.
 * - Gallery: every picture across runs, filtered by run; "Use settings" fills the Playground;
 *   ticked pictures export as a zip (downloaded: the PNGs with their chunks and metadata.jsonl)
 *   and into a folder.
 * - Compare: the built-in run against the tiny run's step 4 on one prompt and two seeds: a grid
 *   of four pictures.
 * - Dark mode: the system's dark preference gives the dark palette; the toggle's choice (Light)
 *   survives a reload; every view is screenshotted in both palettes.
 *
 * No console errors. Leaves test-results/gallery*.png, compare*.png and theme-*.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/gallery.test.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SHAPES_PRETRAINED_ID } from '../../main/api/builtin-runs.ts';
import { readPngSettings } from '../../main/jobs/png-settings.ts';
import type { GenerateResult, JobRecord } from '../../main/contract/index.ts';
import { CHROMIUM, hasChromium, saveScreenshot } from '../helpers/browser.ts';
import { dropPng, screenshotView, useWebFixture, type WebFixture } from '../helpers/e2e.ts';
import { CAPTIONED_SHAPES, trainTinyRun } from '../helpers/fixtures.ts';

const TIMEOUT_MS = 30_000;
const DATASET = CAPTIONED_SHAPES.name;
const VIEWPORT = { width: 1280, height: 900 };
const PLAYGROUND = { nav: 'nav-playground', heading: 'Playground' };
const GALLERY = { nav: 'nav-gallery', heading: 'Gallery' };

if (!hasChromium) console.warn(`gallery.test.ts: skipping: ${CHROMIUM} is not installed`);

/** The files a finished generation wrote (its job's result, from the CLI). */
async function generatedFiles(fixture: WebFixture, generation: string): Promise<string[]> {
  const job = JSON.parse((await fixture.lafite(['--json', 'jobs', 'show', generation])).trim().split('\n').at(-1)!) as JobRecord;
  return (job.result as GenerateResult).files;
}

/** Waits for the Playground's newest generation to show `count` images; its id. */
async function waitForImages(page: Page, count: number, after: string | null): Promise<string> {
  const generated = page.getByTestId('generated');
  await expect.poll(async () => ((await generated.count()) > 0 ? await generated.getAttribute('data-generation-id') : null), { timeout: TIMEOUT_MS * 3 }).not.toBe(after);
  await expect.poll(() => page.getByTestId('generated-image').count(), { timeout: TIMEOUT_MS }).toBe(count);
  return (await generated.getAttribute('data-generation-id'))!;
}

describe.skipIf(!hasChromium)('gallery, PNG settings, step picker, compare, shortcuts and dark mode (web mode)', () => {
  let tinyRun = '';
  const fixture = useWebFixture(
    'gallery',
    {
      shapes: CAPTIONED_SHAPES,
      prepare: async (cli) => {
        tinyRun = await trainTinyRun(cli, DATASET);
        await cli.lafite(['generate', '--run', SHAPES_PRETRAINED_ID, '--prompt', 'three yellow hearts', '--n', '2', '--seed', '5', '--truncation', '0.8']);
      },
    },
    TIMEOUT_MS * 10,
  );

  it(
    'writes settings into each PNG, restores them from a dropped PNG, draws from a chosen step, and answers the shortcuts',
    async () => {
      const { page, consoleErrors } = await fixture().openView(PLAYGROUND, { viewport: VIEWPORT });
      const play = page.getByTestId('play-form');
      await expect.poll(() => play.getByTestId('play-run').locator('option').count(), { timeout: TIMEOUT_MS }).toBe(2);
      await play.getByTestId('play-run').selectOption(SHAPES_PRETRAINED_ID);
      // The run's latest generation (the CLI's) shows first.
      await expect.poll(() => page.getByTestId('generated').count(), { timeout: TIMEOUT_MS }).toBe(1);
      const before = await page.getByTestId('generated').getAttribute('data-generation-id');

      // N (outside a field) takes the next seed; Ctrl+Enter generates.
      await play.getByTestId('play-prompt').fill('two red circles');
      await play.getByTestId('play-n').fill('2');
      await play.getByTestId('play-seed').fill('6');
      await page.locator('main h1').click();
      await page.keyboard.press('n');
      expect(await play.getByTestId('play-seed').inputValue()).toBe('7');
      await play.getByTestId('play-prompt').focus();
      await page.keyboard.press('n'); // typing: the prompt gets the letter, the seed stays
      expect(await play.getByTestId('play-seed').inputValue()).toBe('7');
      await play.getByTestId('play-prompt').fill('two red circles');
      await page.keyboard.press('Control+Enter');
      const generation = await waitForImages(page, 2, before);

      // The PNGs on disk carry their settings.
      const files = await generatedFiles(fixture(), generation);
      expect(files).toHaveLength(2);
      const read = readPngSettings(readFileSync(files[1]!));
      expect(read.settings).toMatchObject({
        run: SHAPES_PRETRAINED_ID,
        prompt: 'two red circles',
        seed: 7,
        n: 2,
        index: 1,
        truncation: 1,
        size: 32,
        family: 'gan',
        generation,
        model: 'shapes-clip',
      });
      expect(read.settings!.step).toBeGreaterThan(0);
      expect(read.text.parameters).toMatch(/^two red circles\nSeed: 7, Image: 2 of 2, Truncation: 1, Size: 32x32, Run: shapes-pretrained, Step: \d+/);

      // ? shows the shortcuts; Esc closes them.
      await page.locator('main h1').click();
      await page.keyboard.press('?');
      await page.getByTestId('shortcuts-help').waitFor({ timeout: TIMEOUT_MS });
      expect(await page.getByTestId('shortcuts-help').textContent()).toContain('Next seed');
      await saveScreenshot(page, 'gallery-shortcuts.png');
      await page.keyboard.press('Escape');
      expect(await page.getByTestId('shortcuts-help').count()).toBe(0);

      // Another run and prompt in the form; the dropped PNG brings its own back.
      await play.getByTestId('play-run').selectOption(tinyRun);
      await play.getByTestId('play-prompt').fill('something else');
      await play.getByTestId('play-seed').fill('99');
      await dropPng(page, 'play-page', 'seed7-1.png', readFileSync(files[1]!));
      await expect.poll(() => page.getByTestId('play-restored').getAttribute('data-ok'), { timeout: TIMEOUT_MS }).toBe('true');
      expect(await play.getByTestId('play-run').inputValue()).toBe(SHAPES_PRETRAINED_ID);
      expect(await play.getByTestId('play-prompt').inputValue()).toBe('two red circles');
      expect(await play.getByTestId('play-seed').inputValue()).toBe('7');
      expect(await play.getByTestId('play-n').inputValue()).toBe('2');
      expect(await play.getByTestId('play-step').inputValue()).toBe(''); // the built-in run's latest step: it ships no snapshots
      await saveScreenshot(page, 'gallery-restored.png');

      // A PNG without settings says so and changes nothing.
      await dropPng(
        page,
        'play-page',
        'plain.png',
        readFileSync(
          join(
            fixture().work,
            'shapes',
            readdirSync(join(fixture().work, 'shapes')).find((name) => name.endsWith('.png'))!,
          ),
        ),
      );
      await expect.poll(() => page.getByTestId('play-restored').getAttribute('data-ok'), { timeout: TIMEOUT_MS }).toBe('false');
      expect(await page.getByTestId('play-restored').textContent()).toContain("no 'lafite' text chunk");
      expect(await play.getByTestId('play-prompt').inputValue()).toBe('two red circles');

      // The step picker: the tiny run kept its generator at steps 4 and 8.
      await play.getByTestId('play-run').selectOption(tinyRun);
      const step = play.getByTestId('play-step');
      await expect.poll(() => step.locator('option').allTextContents(), { timeout: TIMEOUT_MS }).toEqual(['latest (step 8)', 'step 8', 'step 4']);
      await step.selectOption('4');
      await play.getByTestId('play-n').fill('1');
      const last = (await page.getByTestId('generated').count()) > 0 ? await page.getByTestId('generated').getAttribute('data-generation-id') : null; // the tiny run drew nothing yet
      await play.getByTestId('play-generate').click();
      const stepGeneration = await waitForImages(page, 1, last);
      const [stepFile] = await generatedFiles(fixture(), stepGeneration);
      expect(readPngSettings(readFileSync(stepFile!)).settings).toMatchObject({ run: tinyRun, step: 4, seed: 7, n: 1 });
      expect(await page.getByTestId('generated').textContent()).toContain('step 4');
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 8,
  );

  it(
    'shows every picture across runs, filters by run, uses a picture’s settings again, and exports a zip and a folder',
    async () => {
      const { page, consoleErrors } = await fixture().openView(GALLERY, { viewport: VIEWPORT });
      const items = page.getByTestId('gallery-item');
      await expect.poll(() => items.count(), { timeout: TIMEOUT_MS }).toBe(5); // 2 from the CLI, 2 + 1 from the Playground
      await expect.poll(() => page.locator('[data-testid=gallery-item] img').count(), { timeout: TIMEOUT_MS }).toBe(5);
      const cliItem = page.locator(`[data-testid=gallery-item][data-name="seed5-1.png"]`);
      expect(await cliItem.textContent()).toContain('three yellow hearts');
      expect(await cliItem.textContent()).toContain('seed 5 #1');
      expect(await cliItem.textContent()).toContain('ψ 0.8');
      expect(await page.locator(`[data-testid=gallery-item][data-run="${tinyRun}"]`).textContent()).toContain('step 4');
      await screenshotView(page, 'gallery.png');

      await page.getByTestId('gallery-run').selectOption(tinyRun);
      await expect.poll(() => items.count(), { timeout: TIMEOUT_MS }).toBe(1);
      await page.getByTestId('gallery-run').selectOption(SHAPES_PRETRAINED_ID);
      await expect.poll(() => items.count(), { timeout: TIMEOUT_MS }).toBe(4);

      // Export the two CLI pictures: a zip, then a folder.
      for (const name of ['seed5-0.png', 'seed5-1.png']) await page.locator(`[data-testid=gallery-item][data-name="${name}"] [data-testid=gallery-tick]`).check();
      expect(await page.getByTestId('gallery-count').textContent()).toContain('2 ticked');
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT_MS }), page.getByTestId('gallery-export-zip').click()]);
      const zip = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
      const names = Object.keys(zip).sort();
      expect(names).toHaveLength(3);
      expect(names.at(-1)).toBe('metadata.jsonl');
      const pngs = names.filter((name) => name.endsWith('.png'));
      expect(pngs.map((name) => readPngSettings(zip[name]!).settings?.prompt)).toEqual(['three yellow hearts', 'three yellow hearts']);
      const lines = new TextDecoder()
        .decode(zip['metadata.jsonl'])
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { file: string; settings: { seed: number; index: number } });
      expect(lines.map((line) => [line.settings.seed, line.settings.index]).sort()).toEqual([
        [5, 0],
        [5, 1],
      ]);

      const folder = join(fixture().work, 'exported');
      await page.getByTestId('gallery-folder').fill(folder);
      await page.getByTestId('gallery-export-folder').click();
      await expect.poll(() => page.getByTestId('gallery-exported').textContent(), { timeout: TIMEOUT_MS }).toContain(folder);
      const written = readdirSync(folder).sort();
      expect(written.filter((name) => name.endsWith('.png'))).toEqual(pngs);
      expect(written.some((name) => /^metadata-.*\.jsonl$/.test(name))).toBe(true);
      expect(readPngSettings(readFileSync(join(folder, pngs[0]!))).settings?.run).toBe(SHAPES_PRETRAINED_ID);

      // Use settings: the Playground opens on the run with the picture's prompt and settings.
      await cliItem.getByTestId('gallery-use').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Playground');
      const play = page.getByTestId('play-form');
      await expect.poll(() => play.getByTestId('play-prompt').inputValue(), { timeout: TIMEOUT_MS }).toBe('three yellow hearts');
      await expect.poll(() => play.getByTestId('play-run').inputValue(), { timeout: TIMEOUT_MS }).toBe(SHAPES_PRETRAINED_ID); // once the runs have loaded
      expect(await play.getByTestId('play-seed').inputValue()).toBe('5');
      expect(await play.getByTestId('play-n').inputValue()).toBe('2');
      expect(await play.locator('input[name=truncation]').inputValue()).toBe('0.8');
      expect(existsSync(folder)).toBe(true);
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 4,
  );

  it(
    'compares the built-in run with the tiny run’s step 4 on one prompt and two seeds',
    async () => {
      const { page, consoleErrors } = await fixture().openView({ nav: 'nav-compare', heading: 'Compare' }, { viewport: VIEWPORT });
      const pairs = page.getByTestId('compare-pair');
      await expect.poll(() => pairs.count(), { timeout: TIMEOUT_MS }).toBe(2);
      await pairs.nth(0).getByTestId('compare-run').selectOption(SHAPES_PRETRAINED_ID);
      await pairs.nth(1).getByTestId('compare-run').selectOption(tinyRun);
      await expect.poll(() => pairs.nth(1).getByTestId('compare-step').locator('option').count(), { timeout: TIMEOUT_MS }).toBe(3);
      await pairs.nth(1).getByTestId('compare-step').selectOption('4');
      await page.getByTestId('compare-prompts').fill('a red circle');
      await page.getByTestId('compare-seeds').fill('0, 1');
      await page.getByTestId('compare-draw').click();
      const grid = page.getByTestId('compare-grid');
      await expect.poll(() => grid.getAttribute('data-done'), { timeout: TIMEOUT_MS * 4 }).toBe('4');
      expect(await page.getByTestId('compare-image').count()).toBe(4);
      expect(await grid.locator('thead').textContent()).toContain('step 4');
      await screenshotView(page, 'compare.png');
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 6,
  );

  it(
    'follows the system’s dark preference, keeps the toggle’s choice, and shows every view in both palettes',
    async () => {
      const { page, consoleErrors } = await fixture().openView(PLAYGROUND, { viewport: VIEWPORT, colorScheme: 'dark' });
      const html = page.locator('html');
      const theme = () => html.getAttribute('data-theme');
      type Styles = { getComputedStyle(element: unknown): { getPropertyValue(name: string): string } };
      const background = () => html.evaluate((element) => (globalThis as unknown as Styles).getComputedStyle(element).getPropertyValue('--bg').trim());
      expect(await theme()).toBe('dark');
      expect(await background()).toBe('#15171a');
      const views = ['playground', 'gallery', 'compare', 'datasets', 'vocabulary', 'pseudo-captions', 'models', 'training', 'runs', 'jobs'];
      for (const view of views) {
        await page.getByTestId(`nav-${view}`).click();
        await page.waitForTimeout(1500); // the view's first data
        await screenshotView(page, `theme-dark-${view}.png`);
      }

      // A run's page: its loss charts (canvas) take the palette's colours, and draw again when it changes.
      const openRun = () => page.evaluate((hash) => ((globalThis as unknown as { location: { hash: string } }).location.hash = hash), `#/training/${tinyRun}`);
      await openRun();
      await page.getByTestId('loss-chart').first().waitFor({ timeout: TIMEOUT_MS });
      await screenshotView(page, 'theme-dark-training-run.png');

      // System (dark) → Light, kept across a reload.
      const toggle = page.getByTestId('theme-toggle');
      expect(await toggle.getAttribute('data-theme-choice')).toBe('system');
      await toggle.click();
      expect(await toggle.getAttribute('data-theme-choice')).toBe('light');
      expect(await theme()).toBe('light');
      await page.reload();
      await expect.poll(() => theme(), { timeout: TIMEOUT_MS }).toBe('light');
      expect(await background()).toBe('#f7f7f5');
      for (const view of views) {
        await page.getByTestId(`nav-${view}`).click();
        await page.waitForTimeout(1500);
        await screenshotView(page, `theme-light-${view}.png`);
      }
      // Light → Dark by choice, whatever the system says: the run's charts are drawn again.
      await openRun();
      await page.getByTestId('loss-chart').first().waitFor({ timeout: TIMEOUT_MS });
      await screenshotView(page, 'theme-light-training-run.png');
      await toggle.click();
      expect(await theme()).toBe('dark');
      await screenshotView(page, 'theme-dark-training-run-toggled.png');
      expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('lafite.theme'))).toBe('dark');
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 6,
  );
});
