/**
 * The conditions of training batches on a real SQLite store: one of each image's top-m
 * retrieved prompts per iteration (each of the m used over the steps, the same draw for the
 * same seed and step), the named pseudo run is the one read (a wrong one refused), the trained
 * perturbation network draws fresh noise per batch, and CLO gets the asked K, η, τ and start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobInputSchemas } from '../contract/index.ts';
import { initBackend } from '../engine/backend.ts';
import * as clo from '../engine/pseudo/clo.ts';
import { PerturbationNet } from '../engine/pseudo/perturbation-nn.ts';
import { mulberry32 } from '../engine/random.ts';
import { DatasetStore, type SeenFile } from '../store/datasets.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { PseudoStore } from '../store/pseudo.ts';
import { tempDir } from '../../tests/helpers/temp.ts';
import { conditionsFor } from './train-conditions.ts';
import { sampleRetrieved } from '../engine/pseudo/conditions.ts';
import type { PromptEncoder, TrainingImages } from './training-data.ts';
import { perturbationPath } from './perturbation-files.ts';

vi.mock('../engine/pseudo/clo.ts', { spy: true });

const DIM = 4;
const M = 3;
const dir = tempDir();
let db: Db;
let ids: number[];

/** A one-hot text feature per prompt, so a condition row says which prompt it came from. */
const PROMPTS = ['p0', 'p1', 'p2', 'q0', 'q1', 'q2'];
const encoder: PromptEncoder = {
  texts: async (texts) => {
    const data = new Float32Array(texts.length * DIM);
    texts.forEach((text, i) => (data[i * DIM + (PROMPTS.indexOf(text) % DIM)] = 1));
    return { count: texts.length, dim: DIM, data };
  },
};

const seen = (path: string, sha: string): SeenFile => ({
  path,
  bytes: 1,
  mtimeMs: 1,
  status: 'imported',
  sha256: sha.repeat(64),
  md5: sha.repeat(32),
  format: 'png',
  width: 8,
  height: 8,
});

/** Two images with unit image features; the pixels are not read by the conditions. */
const data = (): TrainingImages => ({
  ids,
  paths: ['a.png', 'b.png'],
  pixels: new Float32Array(0),
  resolution: 8,
  features: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]),
  dim: DIM,
});
const sources = () => ({ datasets: new DatasetStore(db), pseudo: new PseudoStore(db), encoder, dataDir: dir.path });
const input = (fields: Record<string, unknown>) => jobInputSchemas['gan-train'].parse({ dataset: 'd', ...fields });

/** A complete retrieval run whose images kept these prompts, best first. */
function retrievalRun(store: PseudoStore, id: string, dataset: string, prompts: string[][]): void {
  store.begin({ id, datasetId: dataset, method: 'retrieval', modelId: 'shapes-clip', config: {} });
  store.putFeatures(
    id,
    prompts.flatMap((list, i) => list.map((prompt, rank) => ({ imageId: ids[i]!, rank, prompt, score: 1 - rank / 10, vector: null }))),
  );
  store.finish(id, {}, {});
}

const rowsOf = (h: tf.Tensor2D): number[][] => {
  const rows = h.arraySync();
  h.dispose();
  return rows;
};
/** Which one-hot prompt feature each condition row is. */
const hotIndex = (row: number[]): number => row.indexOf(Math.max(...row));

beforeAll(async () => {
  await initBackend('cpu');
  db = openDatabase(join(dir.path, 'lafite.db'));
  const datasets = new DatasetStore(db);
  for (const name of ['d', 'other']) datasets.ensure({ id: name, folder: `/${name}`, imageSize: 8, minSize: 1 });
  datasets.recordFiles('d', [seen('a.png', 'a'), seen('b.png', 'b')]);
  datasets.recordFiles('other', [seen('a.png', 'c')]);
  ids = datasets.importedImages('d').map((image) => image.id);
  const pseudo = new PseudoStore(db);
  retrievalRun(pseudo, 'aaaaaaaaaaaaaaaa', 'd', [
    ['p0', 'p1', 'p2'],
    ['p0', 'p1', 'p2'],
  ]);
  retrievalRun(pseudo, 'bbbbbbbbbbbbbbbb', 'd', [
    ['q0', 'q1', 'q2'],
    ['q0', 'q1', 'q2'],
  ]); // newer
  pseudo.begin({ id: 'cccccccccccccccc', datasetId: 'd', method: 'gaussian', modelId: 'shapes-clip', config: {} });
  pseudo.finish('cccccccccccccccc', {}, {});
  pseudo.begin({ id: 'dddddddddddddddd', datasetId: 'other', method: 'retrieval', modelId: 'shapes-clip', config: {} });
  pseudo.finish('dddddddddddddddd', {}, {});
});
afterAll(() => {
  db.close();
  dir.remove();
});

describe('retrieval conditions (Lafite2 §3.1/§3.3)', () => {
  it('draws uniformly among an image’s kept prompts: each of the m over the steps', () => {
    const retrieved = { first: Int32Array.from([0, M]), count: Int32Array.from([M, 2]) };
    const picks = Array.from({ length: 60 }, (_, step) => sampleRetrieved(retrieved, [0, 1], mulberry32(step + 1)));
    expect(new Set(picks.map((p) => p[0]))).toEqual(new Set([0, 1, 2])); // image 0: all of its 3
    expect(new Set(picks.map((p) => p[1]))).toEqual(new Set([3, 4])); // image 1 kept 2 (a threshold)
    const counts = [0, 1, 2].map((k) => picks.filter((p) => p[0] === k).length);
    for (const count of counts) expect(count).toBeGreaterThan(8); // about 20 each of 60
  });

  it('conditions each step on one of the top-m prompts of the named run, each of them used, reproducibly', async () => {
    const conditions = await conditionsFor(input({ pseudo: 'retrieval', pseudoRun: 'aaaaaaaaaaaaaaaa', seed: 3 }), data(), sources());
    expect(conditions.pseudoRun).toBe('aaaaaaaaaaaaaaaa');
    const used = new Set<number>();
    for (let step = 1; step <= 40; step++) for (const row of rowsOf(conditions.h([0, 1], step))) used.add(hotIndex(row));
    expect(used).toEqual(new Set([0, 1, 2])); // p0, p1, p2 (one-hot 0..2), never q's of the newer run
    const [first, again] = [rowsOf(conditions.h([0, 1, 0, 1], 7)), rowsOf(conditions.h([0, 1, 0, 1], 7))];
    expect(again).toEqual(first);
  });

  it('trains on the newest retrieval run when none is named, and refuses a run of another dataset or method', async () => {
    const newest = await conditionsFor(input({ pseudo: 'retrieval' }), data(), sources());
    expect(newest.pseudoRun).toBe('bbbbbbbbbbbbbbbb');
    await expect(conditionsFor(input({ pseudo: 'retrieval', pseudoRun: 'dddddddddddddddd' }), data(), sources())).rejects.toThrow(/belongs to dataset 'other', not 'd'/);
    await expect(conditionsFor(input({ pseudo: 'clo', pseudoRun: 'cccccccccccccccc' }), data(), sources())).rejects.toThrow(/holds gaussian features/);
    await expect(conditionsFor(input({ pseudo: 'retrieval', pseudoRun: 'eeeeeeeeeeeeeeee' }), data(), sources())).rejects.toThrow(/no pseudo run 'eeeeeeeeeeeeeeee'/);
    expect(() => input({ pseudo: 'gaussian', pseudoRun: 'aaaaaaaaaaaaaaaa' })).toThrow(/--pseudo retrieval, or --pseudo clo starting from retrieval/);
    expect(() => input({ pseudo: 'clo', cloInit: 'uniform', pseudoRun: 'aaaaaaaaaaaaaaaa' })).toThrow(/--clo-init retrieval/);
  });
});

describe('CLO in training (Lafite2 eq. 2)', () => {
  it('passes K, η and τ to CLO, starting from the sampled retrieval features', async () => {
    const spy = vi.mocked(clo.contrastiveLatentOptimization);
    spy.mockClear();
    const conditions = await conditionsFor(input({ pseudo: 'clo', pseudoRun: 'aaaaaaaaaaaaaaaa', cloSteps: 3, cloStepSize: 0.25, cloTau: 0.5 }), data(), sources());
    const h = rowsOf(conditions.h([0, 1], 1));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![2]).toEqual({ steps: 3, stepSize: 0.25, tau: 0.5 });
    expect(h.map(hotIndex).every((k) => k <= 2)).toBe(true);
    expect(conditions.pseudoRun).toBe('aaaaaaaaaaaaaaaa');
  });

  it('gives a run stored before CLO took options (a resume) the defaults: K = 10, η = 0.1, τ = 0.1 from retrieval', async () => {
    const spy = vi.mocked(clo.contrastiveLatentOptimization);
    spy.mockClear();
    const { cloSteps: _k, cloStepSize: _eta, cloTau: _tau, cloInit: _init, ...old } = input({ pseudo: 'clo' });
    const conditions = await conditionsFor(old as ReturnType<typeof input>, data(), sources());
    rowsOf(conditions.h([0, 1], 1));
    expect(spy.mock.calls[0]![2]).toEqual({ steps: 10, stepSize: 0.1, tau: 0.1 });
    expect(conditions.pseudoRun).toBe('bbbbbbbbbbbbbbbb');
  });

  it('starts from a Gaussian draw or uniform points on the sphere, without a pseudo run', async () => {
    const gaussian = await conditionsFor(input({ pseudo: 'gaussian', seed: 2 }), data(), sources());
    const fromGaussian = await conditionsFor(input({ pseudo: 'clo', cloInit: 'gaussian', cloSteps: 0, seed: 2 }), data(), sources());
    expect(fromGaussian.pseudoRun).toBeNull();
    rowsOf(fromGaussian.h([0, 1], 5)).forEach((row, i) => row.forEach((x, d) => expect(x).toBeCloseTo(rowsOf(gaussian.h([0, 1], 5))[i]![d]!, 5))); // K = 0: the start itself
    const uniform = await conditionsFor(input({ pseudo: 'clo', cloInit: 'uniform', cloSteps: 0, seed: 2 }), data(), sources());
    const rows = rowsOf(uniform.h([0, 1], 5));
    for (const row of rows) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    expect(rows).not.toEqual(rowsOf(gaussian.h([0, 1], 5)));
  });
});

describe('Lafite_NN conditions (Lafite eq. 2)', () => {
  it('perturbs with the named trained network, with fresh noise every batch, and refuses another encoder’s network', async () => {
    const net = PerturbationNet.create({ dim: DIM, hidden: 8, seed: 1 });
    mkdirSync(join(dir.path, 'perturbation'), { recursive: true });
    writeFileSync(perturbationPath(dir.path, 'mine'), JSON.stringify(await net.toFile('shapes-clip', { steps: 1, meanCosine: 0.5, pairs: 2 })));
    writeFileSync(perturbationPath(dir.path, 'theirs'), JSON.stringify(await net.toFile('clip-vit-b32', { steps: 1, meanCosine: 0.5, pairs: 2 })));
    net.dispose();
    const conditions = await conditionsFor(input({ pseudo: 'nn', nn: 'mine' }), data(), sources());
    const [step1, step2, step1Again] = [rowsOf(conditions.h([0, 1], 1)), rowsOf(conditions.h([0, 1], 2)), rowsOf(conditions.h([0, 1], 1))];
    for (const row of step1) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    expect(step2).not.toEqual(step1);
    expect(step1Again).toEqual(step1);
    conditions.dispose();
    await expect(conditionsFor(input({ pseudo: 'nn', nn: 'theirs' }), data(), sources())).rejects.toThrow(/trained for clip-vit-b32, not shapes-clip/);
    expect(() => input({ pseudo: 'nn' })).toThrow(/--pseudo nn and --nn NAME go together/);
  });
});
