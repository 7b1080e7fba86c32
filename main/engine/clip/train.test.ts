import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { CLIP_PRESETS } from './config.ts';
import { clipContrastiveLoss } from './contrastive.ts';
import { ClipTowers } from './tfjs-model.ts';
import { AttributeHeads } from './attribute-heads.ts';
import { ClipTrainer } from './train.ts';
import { randomClipWeights } from './weights.ts';

describe('CLIP contrastive loss', () => {
  it('equals the direct computation of ½(CE(s·I·Tᵀ) + CE(s·T·Iᵀ))', async () => {
    await initBackend('wasm');
    const img = [
      [1, 2, 0],
      [0, 1, 1],
      [2, 0, 1],
    ];
    const txt = [
      [1, 1, 0],
      [0, 2, 1],
      [1, 0, 3],
    ];
    const scale = 1.5;
    const loss = await clipContrastiveLoss(tf.tensor2d(img), tf.tensor2d(txt), tf.scalar(Math.log(scale))).data();
    const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
    const I = img.map(unit);
    const T = txt.map(unit);
    const logits = I.map((a) => T.map((b) => scale * a.reduce((s, x, k) => s + x * b[k]!, 0)));
    const ce = (rows: number[][]) => rows.reduce((sum, r, i) => sum - Math.log(Math.exp(r[i]!) / r.reduce((s, x) => s + Math.exp(x), 0)), 0) / rows.length;
    const transposed = logits[0]!.map((_, j) => logits.map((r) => r[j]!));
    expect(loss[0]).toBeCloseTo((ce(logits) + ce(transposed)) / 2, 5);
  });
});

describe('ClipTrainer', () => {
  it('lowers the loss on a fixed batch and keeps the temperature within CLIP’s bound', async () => {
    await initBackend('wasm');
    const config = CLIP_PRESETS.tiny;
    const towers = ClipTowers.fromWeights(config, randomClipWeights(config, { seed: 3 }));
    const trainer = new ClipTrainer(towers, { learningRate: 3e-3 });
    const n = 8;
    const pixels = tf.randomNormal([n, 3, config.vision.imageSize, config.vision.imageSize], 0, 1, 'float32', 5) as tf.Tensor4D;
    const ids = tf.tensor2d(Array.from({ length: n }, (_, i) => [1 + i, 2 + i, config.text.eosTokenId]).flat(), [n, 3], 'int32');
    const first = await trainer.step(pixels, ids);
    let last = first;
    for (let i = 0; i < 25; i++) last = await trainer.step(pixels, ids);
    expect(last).toBeLessThan(first * 0.5);
    expect(await trainer.scale()).toBeLessThanOrEqual(100);
    trainer.dispose();
    towers.dispose();
    tf.dispose([pixels, ids]);
  });
});

describe('ClipTrainer with attribute heads', () => {
  it('trains the heads with the towers: the step returns contrastive + attribute loss, and the attribute term falls on a fixed batch', async () => {
    await initBackend('wasm');
    const config = CLIP_PRESETS.tiny;
    const towers = ClipTowers.fromWeights(config, randomClipWeights(config, { seed: 4 }));
    const heads = new AttributeHeads(config.vision.projectionDim, [3, 2], { seed: 1 });
    const trainer = new ClipTrainer(towers, { learningRate: 3e-3, auxiliaryVariables: heads.variables });
    const n = 6;
    const pixels = tf.randomNormal([n, 3, config.vision.imageSize, config.vision.imageSize], 0, 1, 'float32', 6) as tf.Tensor4D;
    const ids = tf.tensor2d(Array.from({ length: n }, (_, i) => [1 + i, config.text.eosTokenId]).flat(), [n, 2], 'int32');
    const labels = tf.tensor2d([0, 1, 1, 0, 2, 1, 0, 0, 1, 1, 2, 0], [n, 2], 'int32');
    const attributeLoss = async (): Promise<number> => {
      const loss = heads.loss(towers.vision(pixels), labels);
      const value = (await loss.data())[0]!;
      loss.dispose();
      return value;
    };
    const before = await attributeLoss();
    const contrastive = (await clipContrastiveLoss(towers.vision(pixels), towers.text(ids), trainer.logitScale).data())[0]!;
    const total = await trainer.step(pixels, ids, (image) => heads.loss(image, labels));
    expect(total).toBeCloseTo(contrastive + before, 3);
    for (let i = 0; i < 20; i++) await trainer.step(pixels, ids, (image) => heads.loss(image, labels));
    expect(await attributeLoss()).toBeLessThan(before * 0.5);
    trainer.dispose();
    heads.dispose();
    towers.dispose();
    tf.dispose([pixels, ids, labels]);
  });
});
