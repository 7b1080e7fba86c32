/**
 * `lafite demo` and `lafite ablation` end to end on a fresh data folder, scaled down to run in
 * about two minutes together: the demo draws 60 pictures, trains 6 seconds and writes its
 * report, which a real Chromium then opens from disk (every picture decoded, the loss chart
 * drawn, no console errors; test-results/demo-report.png); the ablation pre-trains the tiny
 * preset on all four kinds of features, fine-tunes each without captions and on 5 pairs, and
 * writes its table as Markdown, JSON and HTML. `lafite demo --family diffusion` then trains the
 * diffusion model on the same data, and its report shows both families on the same prompts
 * (test-results/demo-families.png).
 *
 *   npx vitest run tests/e2e/demo.test.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult } from '../../main/cli/ablation.ts';
import type { DemoResult } from '../../main/cli/demo.ts';
import { collectConsoleErrors, hasChromium, launchChromium, saveScreenshot } from '../helpers/browser.ts';
import { lafiteJson } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('lafite demo and lafite ablation', () => {
  let dir: ReturnType<typeof tempDir>;
  let demo: DemoResult;

  beforeAll(async () => {
    dir = tempDir('lafite-demo-');
    demo = await lafiteJson<DemoResult>([
      '--data-dir',
      join(dir.path, 'data'),
      'demo',
      '--quick',
      '--images',
      '60',
      '--minutes',
      '0.1',
      '--eval-images',
      '20',
      '--folder',
      join(dir.path, 'pictures'),
    ]);
  }, 300_000);
  afterAll(() => dir.remove());

  it('trains a run that the app lists, evaluates it with the attribute classifier and times every stage', async () => {
    expect(demo.steps).toBeGreaterThan(0);
    expect(demo.evaluation).toMatchObject({ run: demo.run, step: demo.steps, images: 20 });
    expect(demo.evaluation.metrics.attributeAccuracy).toBeGreaterThanOrEqual(0);
    // Fine-tuned from the shipped generator, the asked color is drawn far above chance (1/8) even after seconds of training.
    expect(demo.evaluation.metrics.colorAccuracy).toBeGreaterThan(0.4);
    expect(demo.stages.map((s) => s.stage)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^drawing 60 ShapesWorld pictures/),
        expect.stringMatching(/^fine-tuning shapes-pretrained on CLO/),
        expect.stringMatching(/^evaluating run/),
      ]),
    );
    const runs = await lafiteJson<{ id: string; pseudo: string; subset?: string }[]>(['--data-dir', join(dir.path, 'data'), 'runs', 'list']);
    expect(runs.find((r) => r.id === demo.run)).toMatchObject({ pseudo: 'clo' });
  });

  it.skipIf(!hasChromium)(
    'writes a report that opens from disk in a browser with every picture and the loss chart',
    async () => {
      const html = readFileSync(demo.report, 'utf8');
      expect(html).toContain('a red circle');
      expect(html).not.toMatch(/<script src=|<link [^>]*href="http/); // self-contained
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const errors = collectConsoleErrors(page);
        await page.goto(pathToFileURL(demo.report).href);
        const pictures = await page.locator('.prompts img').evaluateAll((images) => images.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
        expect(pictures).toHaveLength(8 * 4);
        expect(pictures.every((width) => width === 32)).toBe(true); // the shapes preset's 32 px, decoded
        expect(await page.locator('.caption img').count()).toBeGreaterThan(0); // pseudo-caption examples
        await expect.poll(() => page.locator('#losses canvas').count()).toBe(1);
        expect(await page.locator('table').first().textContent()).toMatch(/all three/);
        await saveScreenshot(page, 'demo-report.png');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  it.skipIf(!hasChromium)(
    'runs the demo with the diffusion family on the same data, its report comparing both families on the same prompts',
    async () => {
      const diffusion = await lafiteJson<DemoResult>([
        '--data-dir',
        join(dir.path, 'data'),
        'demo',
        '--quick',
        '--family',
        'diffusion',
        '--diffusion-steps',
        '5',
        '--images',
        '60',
        '--minutes',
        '0.1',
        '--eval-images',
        '20',
        '--folder',
        join(dir.path, 'pictures'),
      ]);
      expect(diffusion).toMatchObject({ family: 'diffusion', dataset: demo.dataset, comparedWith: demo.run });
      expect(diffusion.evaluation).toMatchObject({ run: diffusion.run, images: 20 });
      expect(diffusion.stages.map((s) => s.stage)).toContainEqual(expect.stringMatching(/^training the diffusion model’s shapes preset on CLO/)); // no diffusion run ships
      expect(diffusion.stages.some((s) => s.stage.startsWith(`evaluating run ${demo.run.slice(0, 8)}`))).toBe(false); // the GAN demo's evaluation on the same prompts and seed, reused
      const runs = await lafiteJson<{ id: string; family: string }[]>(['--data-dir', join(dir.path, 'data'), 'runs', 'list']);
      expect(runs.find((r) => r.id === diffusion.run)?.family).toBe('diffusion');

      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const errors = collectConsoleErrors(page);
        await page.goto(pathToFileURL(diffusion.report).href);
        expect(await page.locator('#families').textContent()).toBe('GAN and diffusion on the same prompts');
        expect(await page.locator('.compare-metrics th[data-family]').allTextContents()).toEqual(['GAN (conditional StyleGAN2)', 'diffusion (CLIP-conditioned UNet)']);
        const accuracy = await page.locator('.compare-metrics tr').nth(1).locator('td').allTextContents();
        expect(accuracy).toEqual([`${(demo.evaluation.metrics.attributeAccuracy! * 100).toFixed(1)} %`, `${(diffusion.evaluation.metrics.attributeAccuracy! * 100).toFixed(1)} %`]);
        const pictures = await page.locator('.compare-prompts img').evaluateAll((images) => images.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
        expect(pictures).toHaveLength(8 * 4 * 2); // every report prompt, four pictures from each family
        expect(pictures.every((width) => width === 32)).toBe(true);
        await expect.poll(() => page.locator('#losses canvas').count()).toBe(1); // L_simple
        await page.locator('#families').scrollIntoViewIfNeeded();
        await saveScreenshot(page, 'demo-families.png');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    300_000,
  );

  it('runs the ablation: four pre-trainings, each fine-tuned without captions and on a few, in one table', async () => {
    const out = join(dir.path, 'ablation');
    const result = await lafiteJson<AblationResult>([
      '--data-dir',
      join(dir.path, 'data'),
      'ablation',
      '--quick',
      '--preset',
      'tiny',
      '--images',
      '60',
      '--pretrain-minutes',
      '0.05',
      '--finetune-minutes',
      '0.03',
      '--pairs',
      '5',
      '--eval-images',
      '20',
      '--folder',
      join(dir.path, 'ablation-pictures'),
      '--out',
      out,
    ]);
    expect(result.cells).toHaveLength(4 * 3);
    for (const pretraining of ['gaussian', 'retrieval', 'clo', 'all']) {
      expect(result.cells.filter((c) => c.pretraining === pretraining).map((c) => c.captions)).toEqual([null, 0, 5]);
    }
    const pretrained = result.cells.filter((c) => c.captions === null).map((c) => c.run);
    expect(new Set(pretrained).size).toBe(4);
    const markdown = readFileSync(join(out, 'ablation.md'), 'utf8');
    expect(markdown).toMatch(/\| pre-training \| pre-trained \| fine-tuned, no captions \| fine-tuned, 5 captions \|/);
    expect(markdown.split('\n').filter((line) => line.startsWith('| ')).length).toBe(2 + 4);
    const html = readFileSync(result.report, 'utf8');
    expect(html).toContain('all three (Gaussian → retrieval + CLO)');
    expect(JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8')).cells).toHaveLength(12);
    if (!hasChromium) return;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors = collectConsoleErrors(page);
      await page.goto(pathToFileURL(result.report).href);
      await expect.poll(() => page.locator('canvas').count()).toBe(3); // shape, color and all-three accuracy against caption pairs
      expect(await page.locator('body > table tr').count()).toBe(1 + 4 * 5); // header, then five figures per pre-training
      await saveScreenshot(page, 'ablation-report.png');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 400_000);
});
