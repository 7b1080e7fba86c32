/**
 * First launch, as a new user sees it in web mode: an empty data folder, the Playground open,
 * the built-in pre-trained generator `shapes-pretrained` already chosen; a prompt and Generate
 * draw four pictures with it. No console errors. Leaves test-results/first-launch-playground.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/first-launch.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHAPES_PRETRAINED_ID } from '../../main/api/builtin-runs.ts';
import { collectConsoleErrors, hasChromium, saveScreenshot, startWebApp, type WebApp } from '../helpers/browser.ts';
import { tempDir } from '../helpers/temp.ts';

const TIMEOUT_MS = 30_000;

describe.skipIf(!hasChromium)('first launch: the Playground draws with the built-in generator', () => {
  let dataDir: ReturnType<typeof tempDir> | null = null;
  let app: WebApp | null = null;

  beforeAll(async () => {
    dataDir = tempDir('lafite-first-launch-');
    app = await startWebApp({ dataDir: dataDir.path });
  }, TIMEOUT_MS * 2);

  afterAll(async () => {
    await app?.stop();
    dataDir?.remove();
  });

  it(
    'chooses shapes-pretrained on an empty data folder and generates four pictures for a prompt',
    async () => {
      const page = await app!.browser.newPage({ viewport: { width: 1280, height: 900 } });
      const consoleErrors = collectConsoleErrors(page);
      await page.goto(app!.url, { timeout: TIMEOUT_MS });
      await page.getByTestId('nav-playground').click();
      await expect.poll(() => page.locator('main h1').textContent(), { timeout: TIMEOUT_MS }).toBe('Playground');
      const play = page.getByTestId('play-form');
      await expect.poll(() => play.getByTestId('play-run').inputValue(), { timeout: TIMEOUT_MS }).toBe(SHAPES_PRETRAINED_ID);
      await play.getByTestId('play-prompt').fill('three yellow hearts');
      await play.getByTestId('play-n').fill('4');
      await play.getByTestId('play-generate').click();
      const images = page.getByTestId('generated-image');
      await expect.poll(() => images.count(), { timeout: TIMEOUT_MS * 2 }).toBe(4);
      for (const img of await images.locator('img').all()) {
        await expect.poll(() => img.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth), { timeout: TIMEOUT_MS }).toBe(32);
      }
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      await saveScreenshot(page, 'first-launch-playground.png');
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 4,
  );
});
