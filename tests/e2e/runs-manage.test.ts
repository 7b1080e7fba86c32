/**
 * Issue 19's tidying and checks in a real Chromium, in web mode: with the CLI, 24 captioned
 * ShapesWorld images, two tiny GAN runs of 4 steps, the first evaluated on 20 images. Then:
 * - Runs at 1400 × 900: each row shows its disk use, the whole Evaluate column fits the window,
 *   the accuracy chart is drawn (its axis labels: runs-compare.test.ts); a run is renamed (the name shows
 *   in its row and the CLI finds the run by it) and the other removed after a confirmation
 *   (gone from the table and from `lafite runs list`);
 * - Jobs: kinds in words with their prompt or dataset, finished jobs done, Resume only for a
 *   stopped run that can resume (not one refused at its first step);
 * - Datasets: the ✎ tile's panel adds, edits and removes a caption (stored as shown);
 * - Datasets: importing 32 px pictures as 64 px crops says the 24 were enlarged;
 * - Vocabulary: a word outside shapes-clip's tokenizer typed into Noun is shown, and Save is refused.
 * No console errors. Leaves test-results/runs-manage-*.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/runs-manage.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunSummary } from '../../main/contract/index.ts';
import { openDatabase } from '../../main/store/db.ts';
import { CHROMIUM, hasChromium, saveScreenshot } from '../helpers/browser.ts';
import { screenshotView, startWebFixture, type WebFixture } from '../helpers/e2e.ts';

const TIMEOUT_MS = 30_000;
const DATASET = 'shapes';
const REFUSED = '0badf00d-0000-4000-8000-000000000001';
const INTERRUPTED = '0badf00d-0000-4000-8000-000000000002';

if (!hasChromium) console.warn(`runs-manage.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('tidying runs, captions and words (web mode)', () => {
  let fixture: WebFixture | null = null;
  let runId = '';
  let otherId = '';

  beforeAll(async () => {
    fixture = await startWebFixture('runs-manage', {
      shapes: { name: DATASET, images: 24, size: 32, captions: true, attachCaptions: true },
      prepare: async ({ lafite, dataDir }) => {
        const train = async (seed: number): Promise<string> => {
          const args = ['--json', 'train', '--dataset', DATASET, '--preset', 'tiny', '--steps', '4', '--batch-size', '4', '--checkpoint-every', '4', '--sample-every', '4'];
          const result = JSON.parse((await lafite([...args, '--no-con-g', '--seed', String(seed)])).trim().split('\n').at(-1)!) as { folder: string };
          return result.folder.split(/[\\/]/).at(-1)!;
        };
        runId = await train(0);
        otherId = await train(1);
        await lafite(['eval', '--run', runId, '--n', '20']);
        await lafite(['eval', '--run', runId, '--step', '4', '--n', '20']);
        await lafite(['generate', '--run', runId, '--prompt', 'two red circles', '--n', '1']);
        // Two stopped runs as the job system leaves them: one refused at its first step (no
        // checkpoint, an input error: a resume would fail again), one interrupted (it can resume).
        const db = openDatabase(join(dataDir, 'lafite.db'));
        const copy = db.prepare(
          `INSERT INTO jobs (id, kind, status, input, error_code, error_message, created_at, finished_at)
           SELECT ?, kind, ?, input, ?, ?, created_at, created_at FROM jobs WHERE id = ?`,
        );
        copy.run(REFUSED, 'failed', 'invalid_input', "no dataset 'shapse'", runId);
        copy.run(INTERRUPTED, 'interrupted', 'interrupted', 'the process running this job stopped', runId);
        db.close();
      },
    });
  }, TIMEOUT_MS * 12);

  afterAll(() => fixture?.stop(), TIMEOUT_MS);

  it(
    'shows disk use, fits Evaluate at 1400 px, renames a run and removes another after a confirmation',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-runs', heading: 'Runs' }, { viewport: { width: 1400, height: 900 } });
      const row = page.locator(`[data-testid=runs-row][data-run-id="${runId}"]`);
      await row.waitFor({ timeout: TIMEOUT_MS });
      expect(await row.getByTestId('runs-disk').textContent()).toMatch(/\d+(\.\d)? (kB|MB)/);

      await row.getByTestId('runs-select').check();
      await screenshotView(page, 'runs-manage-1400.png');
      // The Evaluate column fits: its button's right edge inside the window, the panel unscrolled.
      const button = row.getByTestId('runs-evaluate');
      const box = (await button.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(1400);
      const overflow = await page.locator('.table-panel').evaluate((panel) => {
        const el = panel as unknown as { scrollWidth: number; clientWidth: number };
        return el.scrollWidth - el.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);

      // The accuracy chart (its axis is drawn on a canvas: runs-compare.test.ts checks its labels; the screenshot shows them).
      await page.locator('[data-testid=metric-chart][data-metric=attributeAccuracy] canvas').waitFor({ timeout: TIMEOUT_MS });

      // Rename: the bar above the table takes the name; the row shows it; the CLI finds the run by it.
      await row.getByTestId('runs-rename').click();
      const bar = page.getByTestId('runs-manage');
      await bar.getByTestId('runs-rename-input').fill('first-try');
      await bar.getByTestId('runs-rename-save').click();
      await expect.poll(() => row.getByTestId('runs-name').textContent(), { timeout: TIMEOUT_MS }).toBe('first-try');
      const shown = JSON.parse(await fixture!.lafite(['--json', 'runs', 'show', 'first-try'])) as RunSummary;
      expect(shown.id).toBe(runId);

      // The built-in run ships with the app: its Remove is off and says why (the API refuses it too).
      const builtin = page.locator('[data-testid=runs-row][data-run-id="shapes-pretrained"]');
      expect(await builtin.getByTestId('runs-remove').isDisabled()).toBe(true);
      expect(await builtin.getByTestId('runs-remove').getAttribute('title')).toMatch(/^Ships with Lafite Studio/);

      // Remove: a confirmation naming what goes; Keep leaves it; Remove run removes it.
      const other = page.locator(`[data-testid=runs-row][data-run-id="${otherId}"]`);
      await other.getByTestId('runs-remove').click();
      expect(await bar.getByTestId('runs-remove-question').textContent()).toMatch(/checkpoint, snapshots, sample grids, generations and evaluations go, freeing \d/);
      await screenshotView(page, 'runs-manage-remove.png');
      await bar.getByTestId('runs-remove-keep').click();
      expect(await other.count()).toBe(1);
      await other.getByTestId('runs-remove').click();
      await page.getByTestId('runs-remove-confirm').click();
      await expect.poll(() => other.count(), { timeout: TIMEOUT_MS }).toBe(0);
      const listed = JSON.parse(await fixture!.lafite(['--json', 'runs', 'list'])) as RunSummary[];
      expect(listed.map((r) => r.id)).not.toContain(otherId);
      expect(consoleErrors).toEqual([]);
      await page.close();
    },
    TIMEOUT_MS * 6,
  );

  it(
    'names jobs for people with their prompt or dataset, finished jobs done',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-jobs', heading: 'Jobs' }, { viewport: { width: 1400, height: 900 } });
      const rows = page.getByTestId('job-row');
      await rows.first().waitFor({ timeout: TIMEOUT_MS });
      const labels = await page.getByTestId('job-label').allTextContents();
      expect(labels).toEqual(expect.arrayContaining(['Generate images', 'Evaluate run', 'Train GAN', 'Import images']));
      expect(labels.join(' ')).not.toMatch(/gan-generate/);
      expect(await page.getByTestId('job-subject').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^“two red circles” · run [0-9a-f]{8}$/)]));
      const generation = rows.filter({ hasText: 'Generate images' }).first();
      expect(await generation.textContent()).toMatch(/100\s*%\s*done|done/);
      expect(await generation.textContent()).not.toMatch(/writing PNGs/);
      expect(await generation.getByRole('button', { name: 'Resume' }).count()).toBe(0);
      // Resume only where it can work (RunSummary.resumable), not for every stopped status.
      const refused = page.locator(`[data-testid=job-row][data-job-id="${REFUSED}"]`);
      const interrupted = page.locator(`[data-testid=job-row][data-job-id="${INTERRUPTED}"]`);
      await expect.poll(() => interrupted.getByRole('button', { name: 'Resume' }).count(), { timeout: TIMEOUT_MS }).toBe(1);
      expect(await refused.getByRole('button', { name: 'Resume' }).count()).toBe(0);
      await screenshotView(page, 'runs-manage-jobs.png');
      expect(consoleErrors).toEqual([]);
      await page.close();
    },
    TIMEOUT_MS * 3,
  );

  it(
    'adds, edits and removes a caption from the tile’s panel',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-datasets', heading: 'Datasets' }, { viewport: { width: 1400, height: 900 } });
      await page.locator(`[data-testid=dataset-row][data-dataset-id="${DATASET}"]`).click();
      const pane = page.getByTestId('dataset-pane');
      const tile = pane.locator('[data-testid=thumb-tile][title^="00000.png"]');
      await tile.waitFor({ timeout: TIMEOUT_MS });
      await tile.click();
      const detail = pane.getByTestId('image-detail');
      const editor = detail.getByTestId('caption-editor');
      await editor.getByTestId('image-captions').waitFor({ timeout: TIMEOUT_MS });
      const before = await editor.getByTestId('image-caption').count();
      const imageId = Number(await detail.getAttribute('data-image-id'));
      /** The image's captions as stored (the server's database, read beside it). */
      const captionsOf = async (): Promise<string[]> => {
        const db = openDatabase(join(fixture!.dataDir, 'lafite.db'));
        try {
          return (db.prepare('SELECT text FROM captions WHERE image_id = ? ORDER BY id').all(imageId) as { text: string }[]).map((row) => row.text);
        } finally {
          db.close();
        }
      };

      // Add.
      await editor.getByTestId('caption-new-input').fill('a  hand-written   caption');
      await editor.getByTestId('caption-add').click();
      await expect.poll(() => editor.getByTestId('image-caption').count(), { timeout: TIMEOUT_MS }).toBe(before + 1);
      const added = editor.getByTestId('image-caption').filter({ hasText: 'a hand-written caption' });
      expect(await added.getByTestId('caption-text').textContent()).toBe('a hand-written caption');
      // The same text again is refused, with the API's word.
      await editor.getByTestId('caption-new-input').fill('a hand-written caption');
      await editor.getByTestId('caption-add').click();
      await expect.poll(() => editor.getByTestId('error-banner').textContent(), { timeout: TIMEOUT_MS }).toMatch(/already/);
      await editor.getByTestId('caption-new-input').fill('');

      // Edit.
      await added.getByTestId('caption-edit').click();
      await editor.getByTestId('caption-edit-input').fill('an edited caption');
      await screenshotView(page, 'runs-manage-caption-edit.png');
      await editor.getByTestId('caption-edit-save').click();
      await expect.poll(() => editor.getByTestId('caption-text').allTextContents(), { timeout: TIMEOUT_MS }).toContain('an edited caption');
      expect(await captionsOf()).toContain('an edited caption');

      // Remove (a second click confirms).
      const edited = editor.getByTestId('image-caption').filter({ hasText: 'an edited caption' });
      await edited.getByTestId('caption-remove').click();
      expect(await edited.getByTestId('caption-remove').textContent()).toContain('Remove it?');
      await edited.getByTestId('caption-remove').click();
      await expect.poll(() => editor.getByTestId('image-caption').count(), { timeout: TIMEOUT_MS }).toBe(before);
      expect(await captionsOf()).not.toContain('an edited caption');
      await screenshotView(page, 'runs-manage-captions.png');
      expect(consoleErrors).toEqual([expect.stringMatching(/status of 409 .*\/datasets\.caption/)]); // the repeated caption's refusal
      await page.close();
    },
    TIMEOUT_MS * 4,
  );

  it(
    'says in the import summary how many pictures were enlarged to the crop size',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-datasets', heading: 'Datasets' }, { viewport: { width: 1400, height: 900 } });
      const form = page.getByTestId('dataset-import-form');
      await form.locator('input[name=dataset]').fill('enlarged');
      await form.locator('input[name=folder]').fill(join(fixture!.work, 'shapes'));
      await form.locator('input[name=image-size]').fill('64');
      await form.getByTestId('import-start').click();
      const note = page.getByTestId('import-upscaled');
      await note.waitFor({ timeout: TIMEOUT_MS * 2 });
      expect(await note.textContent()).toMatch(/24 images were smaller than the 64 px crops \(the smallest 32 px\) and enlarged to 64 px/);
      await page.getByTestId('import-summary').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'runs-manage-import.png');
      expect(consoleErrors).toEqual([]);
      await page.close();
    },
    TIMEOUT_MS * 4,
  );

  it(
    'shows words outside the encoder’s tokenizer and refuses to save them in a single-word vocabulary',
    async () => {
      const { page, consoleErrors } = await fixture!.openView({ nav: 'nav-vocabulary', heading: 'Vocabulary & Templates' }, { viewport: { width: 1400, height: 1000 } });
      const row = page.locator('[data-testid=vocabulary-row][data-set-id=shapes]');
      await row.waitFor({ timeout: TIMEOUT_MS });
      await row.click();
      const editor = page.getByTestId('vocabulary-editor');
      await editor.waitFor({ timeout: TIMEOUT_MS });
      expect(await editor.getByTestId('vocabulary-words-model').inputValue()).toBe('shapes-clip');
      await expect.poll(() => editor.getByTestId('vocabulary-tokenizer-size').textContent(), { timeout: TIMEOUT_MS }).toMatch(/holds [\d,]+ whole words/);
      expect(await editor.getByTestId('vocabulary-unknown').count()).toBe(0); // the shipped set: all its words

      const noun = editor.locator('[data-testid=vocabulary-entries][data-name=Noun]');
      const textarea = noun.locator('textarea');
      await textarea.fill(`${await textarea.inputValue()}\nchestnut\nzyxquux`);
      const unknown = noun.getByTestId('vocabulary-unknown');
      await expect.poll(() => unknown.getAttribute('data-count'), { timeout: TIMEOUT_MS }).toBe('2');
      expect(await unknown.textContent()).toMatch(/2 entries are not words of shapes-clip's tokenizer, so Save refuses them:\s*chestnut, zyxquux/);

      await editor.getByTestId('vocabulary-save').click();
      const refusal = editor.getByTestId('error-banner');
      await expect.poll(() => refusal.textContent(), { timeout: TIMEOUT_MS }).toMatch(/not words of shapes-clip's tokenizer.*Noun: chestnut, zyxquux/);
      expect(await editor.getByTestId('vocabulary-state').textContent()).toBe('Unsaved changes');
      await screenshotView(page, 'runs-manage-vocabulary.png');
      expect(consoleErrors).toEqual([expect.stringMatching(/status of 400 .*\/vocabulary\.save/)]); // the refused Save
      await page.close();
    },
    TIMEOUT_MS * 3,
  );
});
