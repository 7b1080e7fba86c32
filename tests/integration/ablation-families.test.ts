/**
 * `lafite ablation --families gan,diffusion` through the real CLI, scaled down to about a
 * minute: one pre-training row (Gaussian), the tiny preset of both families, each pre-trained,
 * fine-tuned without captions and on 5 pairs, every run evaluated on the same 10 held-out
 * prompts (the diffusion runs with 3 DDIM steps at guidance 2); the Markdown, JSON and HTML
 * report put the families side by side. Bad --families, --pretrainings and sampling options are
 * refused by name before anything is drawn.
 *
 *   npx vitest run tests/integration/ablation-families.test.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AblationResult } from '../../main/cli/ablation.ts';
import { lafiteJson, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir('lafite-ablation-families-');
afterAll(() => dir.remove());

describe('lafite ablation --families', () => {
  it('trains each row as both families with one budget and evaluates them on the same prompts, side by side', async () => {
    const out = join(dir.path, 'report');
    const result = await lafiteJson<AblationResult>([
      '--data-dir',
      join(dir.path, 'data'),
      'ablation',
      '--quick',
      '--families',
      'gan,diffusion',
      '--pretrainings',
      'gaussian',
      '--preset',
      'tiny',
      '--images',
      '60',
      '--pretrain-minutes',
      '0.03',
      '--finetune-minutes',
      '0.02',
      '--pairs',
      '5',
      '--eval-images',
      '10',
      '--diffusion-steps',
      '3',
      '--guidance',
      '2',
      '--folder',
      join(dir.path, 'pictures'),
      '--out',
      out,
    ]);
    expect(result.families).toEqual(['gan', 'diffusion']);
    expect(result.sampling).toEqual({ steps: 3, guidance: 2 });
    expect(result.cells.map((c) => [c.family, c.pretraining, c.captions]).sort()).toEqual(
      [
        ['diffusion', 'gaussian', 0],
        ['diffusion', 'gaussian', 5],
        ['diffusion', 'gaussian', null],
        ['gan', 'gaussian', 0],
        ['gan', 'gaussian', 5],
        ['gan', 'gaussian', null],
      ].sort(),
    );
    expect(new Set(result.cells.map((c) => c.run)).size).toBe(6);
    for (const cell of result.cells) expect(cell.metrics.attributeAccuracy).toBeGreaterThanOrEqual(0);

    // Each run is of its family, and every evaluation drew the same prompts with the same seed.
    const runs = await lafiteJson<{ id: string; family: string; init: string | null }[]>(['--data-dir', join(dir.path, 'data'), 'runs', 'list']);
    for (const cell of result.cells) expect(runs.find((r) => r.id === cell.run)?.family).toBe(cell.family);
    const pretrained = (family: string) => result.cells.find((c) => c.family === family && c.captions === null)!.run;
    for (const cell of result.cells.filter((c) => c.captions !== null)) expect(runs.find((r) => r.id === cell.run)?.init).toBe(pretrained(cell.family));

    const markdown = readFileSync(join(out, 'ablation.md'), 'utf8');
    expect(markdown).toContain('| pre-training | family | pre-trained | fine-tuned, no captions | fine-tuned, 5 captions |');
    expect(markdown).toMatch(/\| Gaussian perturbation \(Lafite\) \| GAN \|.*\n\| Gaussian perturbation \(Lafite\) \| diffusion \|/);
    expect(markdown).toContain('3 DDIM steps (η 0) at guidance 2');
    const json = JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8')) as { families: string[]; cells: { family: string }[] };
    expect(json.families).toEqual(['gan', 'diffusion']);
    expect(json.cells.filter((c) => c.family === 'diffusion')).toHaveLength(3);
    const html = readFileSync(result.report, 'utf8');
    expect(html).toContain('<th>family</th>');
    expect(html).toContain('Gaussian perturbation (Lafite) · diffusion'); // a plot line per family
  }, 400_000);

  it('refuses an unknown family or row and a bad sampling option by name, before drawing anything', async () => {
    const data = join(dir.path, 'refused');
    for (const [args, message] of [
      [['--families', 'gan,vae'], /--families 'gan,vae': no vae; choose from gan, diffusion/],
      [['--families', 'gan,gan'], /--families 'gan,gan': a name is given twice/],
      [['--pretrainings', 'clo,nn'], /--pretrainings 'clo,nn': no nn; choose from gaussian, retrieval, clo, all/],
      [['--families', 'diffusion', '--diffusion-steps', '0'], /--diffusion-steps 0: /],
      [['--families', 'diffusion', '--guidance', '40'], /--guidance 40: /],
    ] as const) {
      const refused = await runCli(['--data-dir', data, 'ablation', '--quick', '--folder', join(dir.path, 'never'), ...args]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  }, 120_000);
});
