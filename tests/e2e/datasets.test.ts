/**
 * The Datasets view end to end, in web mode: a real Chromium imports a folder through the form
 * (6 images, an exact duplicate, an empty file, a text file and a truncated JPEG with image
 * names), sees the counts and the three rejects with their reasons, imports captions for 3
 * images, opens an image's detail with its caption, imports again and sees nothing change,
 * and logs no console errors (a CSP violation would be one). Leaves a screenshot in
 * test-results/datasets-view.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/datasets.test.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, saveScreenshot } from '../helpers/browser.ts';
import { startWebFixture, type WebFixture } from '../helpers/e2e.ts';
import { solid } from '../helpers/images.ts';

const SCREENSHOT = 'datasets-view.png';
/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;
const DATASET = 'e2e-colors';

/** The six real images: name and color. */
const IMAGES: Array<{ name: string; rgb: [number, number, number] }> = [
  { name: 'red.png', rgb: [220, 30, 30] },
  { name: 'green.png', rgb: [30, 200, 60] },
  { name: 'blue.png', rgb: [30, 60, 220] },
  { name: 'yellow.jpg', rgb: [240, 220, 40] },
  { name: 'purple.jpg', rgb: [140, 40, 180] },
  { name: 'teal.jpg', rgb: [20, 160, 160] },
];
const REJECTED = ['empty.jpg', 'notes.jpg', 'truncated.jpg'];
const CAPTIONS = { 'red.png': 'a red square', 'green.png': ['a green square', 'green all over'], 'yellow.jpg': 'a yellow square' };

if (!hasChromium) console.warn(`datasets.test.ts: skipping: ${CHROMIUM} is not installed`);

/** Writes the folder to import and the caption file beside it; returns their paths. */
async function writeFolder(root: string): Promise<{ folder: string; captions: string }> {
  const folder = join(root, 'pictures');
  mkdirSync(folder, { recursive: true });
  for (const { name, rgb } of IMAGES) {
    const picture = solid(64, 64, rgb);
    writeFileSync(join(folder, name), await (name.endsWith('.png') ? picture.png() : picture.jpeg({ quality: 90 })).toBuffer());
  }
  writeFileSync(join(folder, 'red-copy.png'), await solid(64, 64, IMAGES[0]!.rgb).png().toBuffer());
  writeFileSync(join(folder, 'empty.jpg'), Buffer.alloc(0));
  writeFileSync(join(folder, 'notes.jpg'), 'shopping list: milk, eggs\n');
  // Noise, so the JPEG is large enough that its first half stops mid-scan.
  const noise = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251));
  const jpeg = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  writeFileSync(join(folder, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  const captions = join(root, 'captions.json');
  writeFileSync(captions, JSON.stringify(CAPTIONS));
  return { folder, captions };
}

describe.skipIf(!hasChromium)('Datasets view (web mode)', () => {
  let fixture: WebFixture | null = null;
  let files: { folder: string; captions: string };

  beforeAll(async () => {
    fixture = await startWebFixture('datasets', { prepare: async ({ work }) => void (files = await writeFolder(work)) });
  }, TIMEOUT_MS * 2);

  afterAll(() => fixture?.stop(), TIMEOUT_MS);

  it(
    'imports a folder, lists its rejects, imports captions, shows an image, and imports again without change',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-datasets', heading: 'Datasets' }, { viewport: { width: 1280, height: 1500 } });
      await page.getByTestId('datasets-empty').waitFor({ timeout: TIMEOUT_MS });

      // The form says what is wrong before anything is sent.
      const form = page.getByTestId('dataset-import-form');
      await form.locator('input[name=folder]').fill('pictures');
      await form.locator('input[name=image-size]').fill('4');
      await form.getByTestId('import-start').click();
      // The name was suggested from the folder; the folder is not absolute and the crop size too small.
      expect(await form.locator('input[name=dataset]').inputValue()).toBe('pictures');
      expect(await form.getByTestId('import-field-error').allTextContents()).toEqual(['An absolute path, e.g. /home/me/pictures.', 'A whole number of pixels from 8 to 1024.']);

      await form.locator('input[name=dataset]').fill(DATASET);
      await form.locator('input[name=folder]').fill(files.folder);
      await form.locator('input[name=image-size]').fill('256');
      expect(await form.getByTestId('import-field-error').count()).toBe(0);
      await form.getByTestId('import-start').click();

      const summary = form.getByTestId('import-summary');
      await summary.waitFor({ timeout: TIMEOUT_MS });
      const firstJob = await summary.getAttribute('data-job-id');
      expect(await summary.getByTestId('import-imported').textContent()).toBe('6');
      expect(await summary.getByTestId('import-rejected').textContent()).toBe('3');
      expect(await summary.getByTestId('import-duplicate').textContent()).toBe('1');

      const row = page.locator(`[data-testid=dataset-row][data-dataset-id="${DATASET}"]`);
      await expect.poll(() => row.getByTestId('dataset-imported').textContent(), { timeout: TIMEOUT_MS }).toBe('6');
      expect(await row.getByTestId('dataset-rejected').textContent()).toBe('3');
      expect(await row.getByTestId('dataset-duplicate').textContent()).toBe('1');
      expect(await row.getByTestId('dataset-excluded').textContent()).toBe('0');

      // The finished import selects its dataset: all 10 files in the grid, thumbnails for all but the rejects.
      const pane = page.getByTestId('dataset-pane');
      await expect.poll(() => pane.getByTestId('images-total').getAttribute('data-total'), { timeout: TIMEOUT_MS }).toBe('10');
      await expect.poll(() => pane.locator('[data-testid=thumb-tile] img').count(), { timeout: TIMEOUT_MS }).toBe(7);
      expect(await pane.locator('[data-testid=thumb-tile][data-status=rejected]').count()).toBe(3);

      // Rejected: a table of paths and reasons.
      await pane.locator('select[name=status]').selectOption('rejected');
      const rejects = pane.getByTestId('reject-row');
      await expect.poll(() => rejects.count(), { timeout: TIMEOUT_MS }).toBe(3);
      expect((await pane.getByTestId('reject-path').allTextContents()).sort()).toEqual(REJECTED);
      const reasons = await pane.getByTestId('reject-reason').allTextContents();
      expect(
        reasons.every((reason) => reason.trim().length > 0),
        reasons.join(' | '),
      ).toBe(true);
      expect(await pane.getByTestId('images-total').getAttribute('data-total')).toBe('3');

      // Captions for 3 images.
      const captionsForm = pane.getByTestId('captions-form');
      await captionsForm.locator('input[name=caption-file]').fill(files.captions);
      await captionsForm.getByTestId('captions-import').click();
      await captionsForm.getByTestId('captions-result').waitFor({ timeout: TIMEOUT_MS });
      expect(await captionsForm.getByTestId('captions-images').textContent()).toBe('3');
      expect(await captionsForm.getByTestId('captions-added').textContent()).toBe('4');
      expect(await row.getByTestId('dataset-captioned').textContent()).toBe('3');

      // Validation split and few-shot subset, drawn by seed.
      const subsets = pane.getByTestId('subsets-form');
      await subsets.locator('input[name=val-percent]').fill('20');
      await subsets.getByTestId('split-draw').click();
      await expect.poll(() => subsets.getByTestId('split-now').textContent(), { timeout: TIMEOUT_MS }).toMatch(/\d+ validation, \d+ train \(20 %, seed 0\)/);
      await subsets.locator('select[name=fewshot-size]').selectOption('percent');
      await subsets.locator('input[name=fewshot-percent]').fill('50');
      await subsets.getByTestId('fewshot-draw').click();
      await expect.poll(() => subsets.getByTestId('fewshot-now').textContent(), { timeout: TIMEOUT_MS }).toMatch(/\d+ captioned pairs \(seed 0\)/);

      // An image's detail, with its caption.
      await pane.locator('select[name=status]').selectOption('all');
      await pane.locator('select[name=captioned]').selectOption('yes');
      await expect.poll(() => pane.getByTestId('images-total').getAttribute('data-total'), { timeout: TIMEOUT_MS }).toBe('3');
      await pane.locator('[data-testid=thumb-tile][title^="green.png"]').click();
      const detail = pane.getByTestId('image-detail');
      await detail.getByTestId('image-captions').waitFor({ timeout: TIMEOUT_MS });
      expect(await detail.getByTestId('image-captions').textContent()).toContain('a green square');
      expect(await detail.getByTestId('image-path').textContent()).toBe('green.png');
      expect(await detail.getByTestId('image-status').textContent()).toBe('Imported');
      await detail.getByTestId('image-crop').waitFor({ timeout: TIMEOUT_MS });
      expect(await detail.getByTestId('image-crop').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(256);

      // The same folder again: nothing new.
      await form.getByTestId('import-start').click();
      const second = page.locator('[data-testid=import-summary]:not([data-job-id="' + firstJob + '"])');
      await second.waitFor({ timeout: TIMEOUT_MS });
      expect(await second.getByTestId('import-imported').textContent()).toBe('0');
      expect(Number(await second.getByTestId('import-unchanged').textContent())).toBeGreaterThanOrEqual(9);
      expect(await second.getByTestId('import-headline').textContent()).toContain('Nothing changed since the last import.');
      await expect.poll(() => row.getByTestId('dataset-imported').textContent(), { timeout: TIMEOUT_MS }).toBe('6');
      expect(await row.getByTestId('dataset-captioned').textContent()).toBe('3');
      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);

      // Back to the captioned image for the screenshot.
      await pane.locator('[data-testid=thumb-tile][title^="green.png"]').click();
      await detail.getByTestId('image-captions').waitFor({ timeout: TIMEOUT_MS });
      await saveScreenshot(page, SCREENSHOT);
      expect(consoleErrors).toEqual([]);
    },
    TIMEOUT_MS * 2,
  );
});
