/**
 * The TensorFlow.js towers: output shapes, input checks, and gradients on the wasm backend
 * (which lacks Conv2DBackpropFilter and UnsortedSegmentSum), checked by finite differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend.ts';
import { CLIP_PRESETS, visionWeightSpecs, textWeightSpecs } from './config.ts';
import { ClipTowers, nhwcToClipPixels, patchEmbed } from './tfjs-model.ts';
import { randomPixels, tokenRows } from './test-support.ts';
import { randomClipWeights } from './weights.ts';

const config = CLIP_PRESETS.tiny;
let towers: ClipTowers;

beforeAll(async () => {
  await initBackend('wasm');
  towers = ClipTowers.fromWeights(config, randomClipWeights(config, { seed: 3, perturbConstants: true }));
});
afterAll(() => towers.dispose());

const size = config.vision.imageSize;
const pixels = () => tf.tensor4d(randomPixels(2, size, 5), [2, 3, size, size]);
const ids = () => tf.tensor2d(tokenRows([3, 9], 12, config.text.vocabSize, config.text.eosTokenId, 0, 1), [2, 12], 'int32');
/** A fixed random direction, so the loss depends on every output. */
const direction = (rows: number) => {
  const dim = config.vision.projectionDim;
  return tf.tensor2d(
    Array.from({ length: rows * dim }, (_, i) => Math.sin(i + 1)),
    [rows, dim],
  );
};

/** |analytic − numeric| within 1% of the gradient's scale (float32 losses, eps 1e-2). */
function expectGradientClose(name: string, analytic: number, numeric: number, scale: number): void {
  console.log(`${name}: analytic ${analytic.toExponential(4)}, finite difference ${numeric.toExponential(4)}`);
  expect(Math.abs(analytic - numeric), name).toBeLessThan(1e-2 * scale);
}

describe('ClipTowers (tfjs)', () => {
  it('holds one variable per HF weight and gives [N, proj] embeddings', () => {
    expect(towers.visionVariables().length).toBe(visionWeightSpecs(config.vision).length);
    expect(towers.textVariables().length).toBe(textWeightSpecs(config.text).length);
    const before = tf.memory().numTensors;
    const x = pixels();
    const image = towers.vision(x);
    const t = ids();
    const text = towers.text(t);
    expect(image.shape).toEqual([2, config.vision.projectionDim]);
    expect(text.shape).toEqual([2, config.text.projectionDim]);
    tf.dispose([x, image, t, text]);
    expect(tf.memory().numTensors).toBe(before); // tf.tidy leaves nothing behind
  });

  it('rejects pixel values that are not NCHW at the tower size, and too many tokens', () => {
    const nhwc = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
    expect(() => towers.vision(nhwc)).toThrow(/NCHW \[N, 3, 32, 32\]/);
    const long = tf.zeros([1, config.text.contextLength + 1], 'int32') as tf.Tensor2D;
    expect(() => towers.text(long)).toThrow(/exceed contextLength/);
    tf.dispose([nhwc, long]);
  });

  it('patch embedding by reshape/transpose/matMul equals a strided conv (cpu kernel, NHWC)', () => {
    const p = config.vision.patchSize;
    const x = pixels();
    const filter = tf.randomNormal([config.vision.hiddenSize, 3, p, p], 0, 1, 'float32', 2);
    const ours = patchEmbed(x, filter, p); // [N, P, D]
    const conv = tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(filter, [2, 3, 1, 0]) as tf.Tensor4D, p, 'valid'); // [N, gy, gx, D]
    const diff = tf.max(tf.abs(tf.sub(ours, tf.reshape(conv, ours.shape)))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([x, filter, ours, conv]);
  });

  it('nhwcToClipPixels normalises with CLIP mean/std and transposes to NCHW', () => {
    const images = tf.fill([1, 2, 2, 3], 0.5) as tf.Tensor4D;
    const out = nhwcToClipPixels(images);
    expect(out.shape).toEqual([1, 3, 2, 2]);
    expect(out.dataSync()[0]).toBeCloseTo((0.5 - 0.48145466) / 0.26862954, 5);
    tf.dispose([images, out]);
  });
});

/** Central difference of `loss` in one element of a variable, in float64 arithmetic on float32 losses. */
function finiteDifference(variable: tf.Variable, index: number, loss: () => tf.Scalar, eps: number): number {
  const original = variable.dataSync().slice();
  const at = (delta: number) => {
    const values = original.slice();
    values[index] = original[index]! + delta;
    variable.assign(tf.tensor(values, variable.shape));
    return tf.tidy(() => loss().dataSync()[0]!);
  };
  const g = (at(eps) - at(-eps)) / (2 * eps);
  variable.assign(tf.tensor(original, variable.shape));
  return g;
}

describe('gradients on the wasm backend', () => {
  it('flow through the image tower to every weight, finite, and match finite differences', () => {
    expect(tf.getBackend()).toBe('wasm');
    const x = pixels();
    const r = direction(2);
    const loss = () => tf.sum(tf.mul(towers.vision(x), r)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, towers.visionVariables());
    for (const [name, grad] of Object.entries(grads)) {
      const values = grad.dataSync();
      expect(values.every(Number.isFinite), name).toBe(true);
      expect(
        values.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    for (const [name, index] of [
      ['vision_model.embeddings.patch_embedding.weight', 17],
      ['vision_model.encoder.layers.0.self_attn.q_proj.weight', 40],
      ['vision_model.embeddings.class_embedding', 3],
    ] as const) {
      const variable = towers.variables.get(name)!;
      const numeric = finiteDifference(variable, index, loss, 1e-2);
      const grad = grads[variable.name]!.dataSync();
      const scale = Math.max(...grad.map(Math.abs));
      expectGradientClose(name, grad[index]!, numeric, scale);
    }
    tf.dispose([x, r, value, ...Object.values(grads)]);
  });

  it('flow to the input images through a frozen tower (the ConG path: NHWC generator output → CLIP)', () => {
    const frozen = ClipTowers.fromWeights(config, randomClipWeights(config, { seed: 3 }), { towers: ['vision'], trainable: false });
    const images = tf.randomUniform([2, size, size, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const r = direction(2);
    const loss = (x: tf.Tensor) => tf.sum(tf.mul(frozen.vision(nhwcToClipPixels(x as tf.Tensor4D)), r));
    const dx = tf.grad(loss)(images);
    expect(dx.shape).toEqual([2, size, size, 3]);
    const values = dx.dataSync();
    expect(values.every(Number.isFinite) && values.some((v) => v !== 0)).toBe(true);
    tf.dispose([images, r, dx]);
    frozen.dispose();
  });

  it('flow through the text tower (one-hot gradient of the token embedding) and match finite differences', () => {
    const t = ids();
    const r = direction(2);
    const loss = () => tf.sum(tf.mul(towers.text(t), r)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, towers.textVariables());
    for (const grad of Object.values(grads)) expect(grad.dataSync().every(Number.isFinite)).toBe(true);
    const table = towers.variables.get('text_model.embeddings.token_embedding.weight')!;
    const token = t.dataSync()[0]!;
    const index = token * config.text.hiddenSize + 5; // a row that the batch uses
    const numeric = finiteDifference(table, index, loss, 1e-2);
    const grad = grads[table.name]!.dataSync();
    expectGradientClose('token_embedding', grad[index]!, numeric, Math.max(...grad.map(Math.abs)));
    const used = new Set(t.dataSync());
    const unused = Array.from({ length: config.text.vocabSize }, (_, i) => i).find((i) => !used.has(i))!;
    expect(grad.slice(unused * config.text.hiddenSize, (unused + 1) * config.text.hiddenSize).every((v) => v === 0)).toBe(true);
    tf.dispose([t, r, value, ...Object.values(grads)]);
  });
});
