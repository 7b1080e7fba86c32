/**
 * The encoder-fit warning and short ids in Chromium (web mode): a ShapesWorld dataset with food
 * captions that shapes-clip's tokenizer does not know shows the warning banner in the Datasets
 * and Pseudo-captions views (leading to a real CLIP); a dataset with its own ShapesWorld
 * captions shows none; the 8-character id the Training view shows for a run is accepted by
 * `lafite runs show`. Leaves test-results/encoder-fit-datasets.png and encoder-fit-pseudo.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/encoder-fit.test.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../main/contract/index.ts';
import { CHROMIUM, hasChromium } from '../helpers/browser.ts';
import { screenshotView, startWebFixture, type WebFixture } from '../helpers/e2e.ts';

const TIMEOUT_MS = 30_000;
const FOOD = ['a ripe apple', 'a roasted chestnut', 'a croissant with butter', 'a pineapple slice', 'a slice of watermelon', 'an avocado cut in half'];

if (!hasChromium) console.warn(`encoder-fit.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('encoder-fit warning and short ids (web mode)', () => {
  let fixture: WebFixture;

  beforeAll(async () => {
    fixture = await startWebFixture('encoder-fit', {
      shapes: { name: 'shapes', images: 6, size: 32, captions: true, attachCaptions: true },
      async prepare(cli) {
        const folder = join(cli.work, 'shapes');
        await cli.lafite(['dataset', 'import', folder, '--name', 'food', '--size', '32']);
        const captions = join(cli.work, 'food.jsonl');
        writeFileSync(captions, FOOD.map((caption, i) => JSON.stringify({ file: `${String(i).padStart(5, '0')}.png`, caption })).join('\n'));
        await cli.lafite(['dataset', 'captions', 'food', captions]);
        await cli.lafite(['train', '--dataset', 'shapes', '--preset', 'tiny', '--steps', '1', '--batch-size', '2', '--no-con-g']);
      },
    });
  }, 240_000);
  afterAll(() => fixture?.stop());

  it('warns in the Datasets view for a dataset whose words shapes-clip does not know, and not for ShapesWorld', async () => {
    const { page, consoleErrors } = await fixture.openView({ nav: 'nav-datasets', heading: 'Datasets' });
    await page.locator('[data-testid="dataset-row"][data-dataset-id="shapes"]').click();
    await expect.poll(() => page.getByTestId('dataset-pane').getAttribute('data-dataset-id'), { timeout: TIMEOUT_MS }).toBe('shapes');
    await page.waitForTimeout(1000);
    expect(await page.getByTestId('encoder-fit-warning').count()).toBe(0);

    await page.locator('[data-testid="dataset-row"][data-dataset-id="food"]').click();
    const banner = page.getByTestId('encoder-fit-warning');
    await banner.waitFor({ timeout: TIMEOUT_MS });
    expect(await banner.getAttribute('data-model')).toBe('shapes-clip');
    const text = await banner.textContent();
    expect(text).toMatch(/caption words are not in shapes-clip's tokenizer/);
    expect(text).toMatch(/apple|croissant|chestnut/);
    expect(text).toMatch(/lafite model download clip-vit-b32/);
    await screenshotView(page, 'encoder-fit-datasets.png');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('warns in the Pseudo-captions view', async () => {
    const { page, consoleErrors } = await fixture.openView({ nav: 'nav-pseudo-captions', heading: 'Pseudo-captions' });
    await page.getByTestId('pseudo-dataset').selectOption('food');
    await page.getByTestId('encoder-fit-warning').waitFor({ timeout: TIMEOUT_MS });
    expect(await page.getByTestId('encoder-fit-warning').getAttribute('data-dataset')).toBe('food');
    await screenshotView(page, 'encoder-fit-pseudo.png');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows runs by an 8-character id that the CLI accepts', async () => {
    const { page } = await fixture.openView({ nav: 'nav-training', heading: 'Training' });
    const row = page.locator('[data-testid="train-run-row"]:not([data-run-id="shapes-pretrained"])').first();
    await row.waitFor({ timeout: TIMEOUT_MS });
    const fullId = (await row.getAttribute('data-run-id'))!;
    const shown = (await row.locator('.run-link code').textContent())!.trim();
    expect(shown).toHaveLength(8);
    expect(fullId.startsWith(shown)).toBe(true);
    const run = JSON.parse((await fixture.lafite(['--json', 'runs', 'show', shown])).trim().split('\n').at(-1)!) as RunDetail;
    expect(run.id).toBe(fullId);
    await page.close();
  }, 60_000);
});
