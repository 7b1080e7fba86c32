/**
 * Pseudo text features through the real `lafite` command on ShapesWorld with the built-in
 * shapes-clip: Gaussian, retrieval and CLO runs stored and reused by configuration, their
 * diagnostics, and pseudo captions that name the color drawn.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PseudoRunRecord, PseudoSynthResult } from '../../main/contract/index.ts';
import { lafiteJsonIn, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const IMAGES = 60;
const dir = tempDir();
const dataDir = join(dir.path, 'data');
const folder = join(dir.path, 'shapes');

const lafite = lafiteJsonIn(dataDir);

beforeAll(async () => {
  await lafite('shapes', 'generate', '--n', String(IMAGES), '--size', '64', '--out', folder, '--captions');
  await lafite('dataset', 'import', folder, '--name', 'shapes', '--size', '64');
});
afterAll(() => dir.remove());

describe('lafite pseudo', () => {
  let runs: PseudoSynthResult['runs'];

  it('synthesises Gaussian, retrieval and CLO features, each a stored version', async () => {
    const result = await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'shapes', '--method', 'all');
    runs = result.runs;
    expect(result.images).toBe(IMAGES);
    expect(runs.map((r) => [r.method, r.complete, r.reused])).toEqual([
      ['gaussian', true, false],
      ['retrieval', true, false],
      ['clo', true, false],
    ]);
    const byMethod = Object.fromEntries(runs.map((r) => [r.method, r])) as Record<string, PseudoRunRecord>;
    // Lafite eq. 1 with ξ = 3 puts features at cosine 1/√10 from their image.
    expect(byMethod.gaussian!.stats!.imageText.mean).toBeCloseTo(1 / Math.sqrt(10), 1);
    expect(byMethod.retrieval!.summary!.naivePrompts).toBeGreaterThan(byMethod.retrieval!.summary!.distinctPrompts!);
    expect(byMethod.clo!.summary!.meanLogLikelihoodGain).toBeGreaterThan(0);
  });

  it('reuses a run of the same configuration, and makes a new version when it changes', async () => {
    const again = await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'shapes', '--method', 'gaussian');
    expect(again.runs[0]).toMatchObject({ id: runs[0]!.id, reused: true });
    const other = await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'shapes', '--method', 'gaussian', '--xi', '1');
    expect(other.runs[0]!.id).not.toBe(runs[0]!.id);
    expect(other.runs[0]!.stats!.imageText.mean).toBeCloseTo(1 / Math.sqrt(2), 1);
    expect((await lafite<{ runs: PseudoRunRecord[] }>('pseudo', 'stats', '--dataset', 'shapes')).runs.length).toBe(4);
    // The same pictures as another dataset: runs of its own (its rows are its own image ids), the first left as they were.
    await lafite('dataset', 'import', folder, '--name', 'twin', '--size', '64');
    const twin = await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'twin', '--method', 'gaussian');
    expect(twin.runs[0]).toMatchObject({ dataset: 'twin', reused: false });
    expect(twin.runs[0]!.id).not.toBe(runs[0]!.id);
    expect((await lafite<{ runs: PseudoRunRecord[] }>('pseudo', 'stats', '--dataset', 'shapes')).runs.length).toBe(4);
    await lafite('dataset', 'remove', 'twin');
  });

  it('gives each image its best prompts, sorted, naming the color drawn', async () => {
    const retrieval = runs.find((r) => r.method === 'retrieval')!;
    const page = await lafite<{ total: number; images: { path: string; captions: { prompt: string; score: number }[] }[] }>(
      'pseudo',
      'captions',
      retrieval.id,
      '--limit',
      String(IMAGES),
    );
    expect(page.total).toBe(IMAGES);
    const colors = new Map(
      readFileSync(join(folder, 'metadata.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { file: string; color: string })
        .map((m) => [m.file, m.color]),
    );
    let right = 0;
    for (const image of page.images) {
      expect(image.captions).toHaveLength(5);
      const scores = image.captions.map((c) => c.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      if (image.captions[0]!.prompt.includes(colors.get(image.path)!)) right += 1;
    }
    expect(right / IMAGES).toBeGreaterThan(0.7); // chance is about 1/12
  });

  it('trains the perturbation network on captions (Lafite eq. 2) and synthesises with it', async () => {
    const noNet = await runCli(['--data-dir', dataDir, 'pseudo', 'synth', '--dataset', 'shapes', '--method', 'nn']);
    expect(noNet.code).toBe(2);
    expect(noNet.stderr).toMatch(/needs a trained network/);
    const noCaptions = await runCli(['--data-dir', dataDir, 'pseudo', 'train-nn', '--dataset', 'shapes', '--name', 'net']);
    expect(noCaptions.stderr).toMatch(/import captions first/);
    await lafite('dataset', 'captions', 'shapes', join(folder, 'metadata.jsonl'));
    const trained = await lafite<{ pairs: number; meanCosine: number }>(
      'pseudo',
      'train-nn',
      '--dataset',
      'shapes',
      '--name',
      'net',
      '--steps',
      '150',
      '--hidden',
      '64',
      '--lr',
      '0.003',
    );
    expect(trained.pairs).toBe(IMAGES * 5);
    const nn = (await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'shapes', '--method', 'nn', '--nn', 'net')).runs[0]!;
    expect(nn).toMatchObject({ method: 'nn', complete: true, summary: { trainedMeanCosine: trained.meanCosine } });
    // Trained towards captions, its features sit closer to the images than Gaussian noise of ξ = 3 leaves them.
    expect(nn.stats!.imageText.mean).toBeGreaterThan(runs[0]!.stats!.imageText.mean);
    expect(nn.summary!.nearestCaptionCosine).toBeGreaterThan(0);
    // Real captions are encoded by the synthesis, so their statistics are there now.
    const stats = await lafite<{ captions: { pairs: number; imageText: { mean: number } } | null }>('pseudo', 'stats', '--dataset', 'shapes');
    expect(stats.captions).toMatchObject({ pairs: IMAGES });
  });

  it('makes a new retrieval version when the vocabulary set is edited', async () => {
    const exported = join(dir.path, 'shapes-set.json');
    await runCli(['--data-dir', dataDir, 'pseudo', 'vocab', 'export', 'shapes', '--out', exported]);
    const set = JSON.parse(readFileSync(exported, 'utf8')) as { templates: string[] };
    set.templates = set.templates.slice(0, 2);
    writeFileSync(exported, JSON.stringify(set));
    await lafite('pseudo', 'vocab', 'import', exported);
    const edited = (await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'shapes', '--method', 'retrieval')).runs[0]!;
    expect(edited.reused).toBe(false);
    expect(edited.id).not.toBe(runs.find((r) => r.method === 'retrieval')!.id);
    await lafite('pseudo', 'vocab', 'reset', 'shapes');
    expect((await lafite<PseudoSynthResult>('pseudo', 'synth', '--dataset', 'shapes', '--method', 'retrieval')).runs[0]!.reused).toBe(true);
  });

  it('says clearly what is wrong with bad input', async () => {
    const unknown = await runCli(['--data-dir', dataDir, 'pseudo', 'synth', '--dataset', 'shapes', '--vocabulary', 'nosuch']);
    expect(unknown.code).toBe(3); // not found
    expect(unknown.stderr).toMatch(/nosuch/);
    const missing = await runCli(['--data-dir', dataDir, 'pseudo', 'synth', '--dataset', 'nope']);
    expect(missing.stderr).toMatch(/no dataset 'nope'/);
  });
});
