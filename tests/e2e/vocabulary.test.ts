/**
 * The Vocabulary & Templates view end to end, in web mode: a real Chromium selects the shapes
 * set, adds a template with an unknown slot and sees the live check's error inline (and Save
 * refused with the API's message), fixes it, adds a phrase vocabulary used by a new template,
 * saves (the set becomes "saved, replaces default"), previews an image of a dataset imported
 * with the CLI (top words with scores, 5 prompts), exports the set as a download, imports it
 * under another id, builds a set from shapes-clip's tokenizer, resets shapes to its default,
 * and logs no console errors but the refused Save's 400 (a CSP violation would be one).
 * Leaves a screenshot in test-results/vocabulary-view.png.
 *
 *   npx electron-vite build && npx vitest run tests/e2e/vocabulary.test.ts
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, saveScreenshot } from '../helpers/browser.ts';
import { startWebFixture, type WebFixture } from '../helpers/e2e.ts';

const SCREENSHOT = 'vocabulary-view.png';
/** The machine may have two cores and a cold start; every wait is this long at most. */
const TIMEOUT_MS = 30_000;

if (!hasChromium) console.warn(`vocabulary.test.ts: skipping: ${CHROMIUM} is not installed`);

describe.skipIf(!hasChromium)('Vocabulary & Templates view (web mode)', () => {
  let fixture: WebFixture | null = null;

  beforeAll(async () => {
    fixture = await startWebFixture('vocabulary', { shapes: { name: 'shapes', images: 8, size: 64 } });
  }, TIMEOUT_MS * 2);

  afterAll(() => fixture?.stop(), TIMEOUT_MS);

  it(
    'edits the shapes set with live template checks, saves, previews an image, exports, imports, builds and resets',
    async () => {
      const { page, consoleErrors } = await fixture!.openView(
        { nav: 'nav-vocabulary', heading: 'Vocabulary & Templates' },
        { viewport: { width: 1280, height: 1000 }, acceptDownloads: true },
      );

      const row = page.locator('[data-testid=vocabulary-row][data-set-id=shapes]');
      await row.waitFor({ timeout: TIMEOUT_MS });
      expect(await row.getByTestId('vocabulary-source').textContent()).toBe('default');
      await row.click();
      const editor = page.getByTestId('vocabulary-editor');
      await editor.waitFor({ timeout: TIMEOUT_MS });
      expect(await editor.getByTestId('vocabulary-entries').evaluateAll((boxes) => boxes.map((box) => box.getAttribute('data-name')))).toEqual([
        'Noun',
        'Verb',
        'Numeral',
        'Adjective',
      ]);

      // A template with an unknown slot: the live check says so inline, and Save is refused with the API's message.
      const templates = page.getByTestId('template-editor');
      const textarea = templates.locator('textarea[name=templates]');
      const original = await textarea.inputValue();
      await textarea.fill(`${original}\n{Numeral} {Colour} {Noun}`);
      const bad = templates.locator('[data-testid=template-check][data-ok=false]');
      await bad.waitFor({ timeout: TIMEOUT_MS });
      expect(await bad.getByTestId('template-error').textContent()).toContain('unknown slot {Colour}');
      expect(await bad.locator('mark.unknown').textContent()).toBe('{Colour}');
      expect(await editor.getByTestId('vocabulary-state').textContent()).toBe('Unsaved changes');
      await editor.getByTestId('vocabulary-save').click();
      const saveError = editor.getByTestId('error-banner');
      await saveError.waitFor({ timeout: TIMEOUT_MS });
      expect(await saveError.textContent()).toContain('unknown slot {Colour}');
      expect(await row.getByTestId('vocabulary-source').textContent()).toBe('default');
      expect(await textarea.inputValue()).toContain('{Colour}');

      // Fixed, and a phrase vocabulary with a template that uses it.
      await textarea.fill(`${original}\n{Numeral} {Adjective} {Noun}\n{Numeral} {Texture} {Noun}`);
      const addForm = editor.getByTestId('vocabulary-add-form');
      await addForm.locator('input[name=vocabulary-name]').fill('Texture');
      await addForm.locator('textarea[name=vocabulary-phrases]').fill('striped\ndotted\n\nplain');
      await addForm.getByTestId('vocabulary-add').click();
      const texture = editor.locator('[data-testid=vocabulary-entries][data-name=Texture]');
      expect(await texture.getByTestId('entry-count').textContent()).toContain('3 entries');
      const checks = templates.getByTestId('template-check');
      await expect.poll(() => checks.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ok'))), { timeout: TIMEOUT_MS }).toEqual(Array(10).fill('true'));
      await editor.getByTestId('vocabulary-save').click();
      await expect.poll(() => row.getByTestId('vocabulary-source').textContent(), { timeout: TIMEOUT_MS }).toBe('saved, replaces default');
      expect(await editor.getByTestId('vocabulary-state').textContent()).toBe('Saved');
      expect(await saveError.count()).toBe(0);

      // Preview an image of the dataset with the saved set.
      const preview = page.getByTestId('vocabulary-preview');
      await preview.locator('select[name=preview-dataset]').selectOption('shapes');
      await expect.poll(() => preview.locator('[data-testid=preview-image] img').count(), { timeout: TIMEOUT_MS }).toBe(8);
      await preview.getByTestId('preview-image').nth(1).click();
      await preview.getByTestId('preview-run').click();
      const result = preview.getByTestId('preview-result');
      await result.waitFor({ timeout: TIMEOUT_MS });
      const vocabularies = await result.getByTestId('preview-words').evaluateAll((tables) => tables.map((t) => t.getAttribute('data-vocabulary')));
      expect(vocabularies.sort()).toEqual(['Adjective', 'Noun', 'Numeral', 'Texture']);
      expect(await result.locator('[data-vocabulary=Texture] [data-testid=preview-word]').count()).toBe(3);
      const scores = await result.getByTestId('preview-score').allTextContents();
      expect(scores.length).toBeGreaterThan(10);
      expect(
        scores.every((score) => /^-?[01]\.\d{3}$/.test(score)),
        scores.join(' '),
      ).toBe(true);
      expect(await result.getByTestId('preview-prompt').count()).toBe(5);
      const promptScores = (await result.getByTestId('preview-prompt-score').allTextContents()).map(Number);
      expect(promptScores).toEqual([...promptScores].sort((a, b) => b - a));

      // Export: a download of the saved set as JSON.
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT_MS }), page.getByTestId('vocabulary-export-download').click()]);
      expect(download.suggestedFilename()).toBe('shapes.json');
      const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { id: string; vocabularies: { name: string; entries: string[] }[]; templates: string[] };
      expect(exported.id).toBe('shapes');
      expect(exported.vocabularies.find((v) => v.name === 'Texture')?.entries).toEqual(['striped', 'dotted', 'plain']);
      expect(exported.templates).toContain('{Numeral} {Texture} {Noun}');

      // The view scrolls inside <main>: a window as tall as its content shows all of it.
      const height = await page.locator('main').evaluate((main) => main.scrollHeight);
      await page.setViewportSize({ width: 1280, height: height + 40 });
      await saveScreenshot(page, SCREENSHOT);
      await page.setViewportSize({ width: 1280, height: 1000 });

      // Import it under another id.
      const importForm = page.getByTestId('vocabulary-import-form');
      await importForm.locator('textarea[name=import-json]').fill(JSON.stringify(exported));
      await importForm.locator('input[name=import-id]').fill('shapes-copy');
      await importForm.getByTestId('vocabulary-import').click();
      const copy = page.locator('[data-testid=vocabulary-row][data-set-id=shapes-copy]');
      await copy.waitFor({ timeout: TIMEOUT_MS });
      expect(await copy.getByTestId('vocabulary-source').textContent()).toBe('saved');
      await expect.poll(() => editor.getAttribute('data-set-id'), { timeout: TIMEOUT_MS }).toBe('shapes-copy');

      // A new set from shapes-clip's tokenizer.
      const buildForm = page.getByTestId('vocabulary-build-form');
      await buildForm.locator('input[name=build-id]').fill('shapes-words');
      await buildForm.locator('select[name=build-model]').selectOption('shapes-clip');
      await buildForm.getByTestId('vocabulary-build').click();
      const built = page.locator('[data-testid=vocabulary-row][data-set-id=shapes-words]');
      await built.waitFor({ timeout: TIMEOUT_MS });
      expect(await built.getByTestId('vocabulary-source').textContent()).toBe('saved');
      await expect.poll(() => editor.getAttribute('data-set-id'), { timeout: TIMEOUT_MS }).toBe('shapes-words');

      // Reset shapes to its default.
      await row.click();
      await expect.poll(() => editor.getAttribute('data-set-id'), { timeout: TIMEOUT_MS }).toBe('shapes');
      await editor.getByTestId('vocabulary-reset').click();
      await editor.getByTestId('vocabulary-reset-confirm').click();
      await expect.poll(() => row.getByTestId('vocabulary-source').textContent(), { timeout: TIMEOUT_MS }).toBe('default');
      expect(await editor.locator('[data-testid=vocabulary-entries][data-name=Texture]').count()).toBe(0);
      expect(await textarea.inputValue()).toBe(original);
      expect(await editor.getByTestId('vocabulary-reset').count()).toBe(0);

      expect(await page.getByTestId('error-banner').allTextContents()).toEqual([]);
      // Chromium logs the refused Save's 400 answer; nothing else.
      expect(consoleErrors).toEqual([expect.stringMatching(/status of 400 .*\/vocabulary\.save/)]);
    },
    TIMEOUT_MS * 2,
  );
});
