import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { ConditionalStyle } from './conditional-style.ts';
import { Discriminator } from './discriminator.ts';
import { Generator } from './generator.ts';
import { Initialiser, ModulatedConv } from './layers.ts';
import { blockResolutions, PRESETS } from './presets.ts';

const TEXT = 24;
const unitRows = (n: number, dim: number, seed: number): tf.Tensor2D =>
  tf.tidy(() => {
    const x = tf.randomNormal([n, dim], 0, 1, 'float32', seed);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true)) as tf.Tensor2D;
  });
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ModulatedConv (StyleGAN2 modulation and demodulation)', () => {
  it('equals a convolution with per-sample weights W·u, each output channel divided by its norm', () => {
    const conv = new ModulatedConv('m', 3, 2, 3, true, new Initialiser(1));
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const u = tf.randomNormal([2, 3], 1, 0.3, 'float32', 3) as tf.Tensor2D;
    const y = conv.apply(x, u);
    const w = tf.div(conv.weight, Math.sqrt(3 * 9)) as tf.Tensor4D; // equalised lr scale
    for (let i = 0; i < 2; i++) {
      const ui = tf.reshape(tf.slice(u, [i, 0], [1, 3]), [1, 1, 3, 1]);
      const wi = tf.mul(w, ui); // per-sample modulated weight
      const demod = tf.rsqrt(tf.add(tf.sum(tf.square(wi), [0, 1, 2]), 1e-8)); // [Co]
      const direct = tf.conv2d(tf.slice(x, [i, 0, 0, 0], [1, 5, 5, 3]) as tf.Tensor4D, tf.mul(wi, demod) as tf.Tensor4D, 1, 'same');
      expect(maxAbsDiff(tf.slice(y, [i, 0, 0, 0], [1, 5, 5, 2]), direct)).toBeLessThan(1e-4);
    }
  });
});

describe('ConditionalStyle (Lafite §3.2, Conditional StyleSpace)', () => {
  it('gives one style per input channel in both forms; the official single affine has fewer weights', () => {
    const count = (form: 'paper' | 'official') => {
      const style = new ConditionalStyle('s', { wDim: 16, textDim: TEXT, textHidden: 20, channels: 12, form, init: new Initialiser(4) });
      const u = style.apply(tf.randomNormal([3, 16]) as tf.Tensor2D, unitRows(3, TEXT, 5));
      expect(u.shape).toEqual([3, 12]);
      const vars = new Map();
      style.variables(vars);
      return [...vars.values()].reduce((s: number, v: tf.Variable) => s + v.size, 0);
    };
    const paper = count('paper'); // FC₂: 24·20+20 + 20·20+20; A: 16·12+12; A′: (12+20)·12+12
    const official = count('official'); // FC₂ as above; A: (16+20)·12+12
    expect(paper).toBe(24 * 20 + 20 + 20 * 20 + 20 + 16 * 12 + 12 + 32 * 12 + 12);
    expect(official).toBe(24 * 20 + 20 + 20 * 20 + 20 + 36 * 12 + 12);
  });
});

describe('Generator and Discriminator', () => {
  const g = () => new Generator(PRESETS.tiny, { textDim: TEXT, seed: 0 });

  it('draw [N, R, R, 3] images that depend on the text feature, reproducibly for the same seeds', () => {
    const gen = g();
    const z = tf.randomNormal([2, PRESETS.tiny.zDim], 0, 1, 'float32', 6) as tf.Tensor2D;
    const h = unitRows(2, TEXT, 7);
    const x = gen.generate(z, h, { noiseSeed: 3 });
    expect(x.shape).toEqual([2, 16, 16, 3]);
    expect(maxAbsDiff(gen.generate(z, h, { noiseSeed: 3 }), x)).toBe(0);
    expect(maxAbsDiff(gen.generate(z, unitRows(2, TEXT, 8), { noiseSeed: 3 }), x)).toBeGreaterThan(1e-3);
    expect(blockResolutions(PRESETS.tiny)).toEqual([4, 8, 16]);
    gen.dispose();
  });

  it('truncate towards the mean w: with ψ = 0 every z gives the same picture', () => {
    const gen = g();
    const h = unitRows(1, TEXT, 9);
    const a = gen.generate(tf.randomNormal([1, PRESETS.tiny.zDim], 0, 1, 'float32', 10) as tf.Tensor2D, h, { truncation: 0, noiseSeed: 1 });
    const b = gen.generate(tf.randomNormal([1, PRESETS.tiny.zDim], 0, 1, 'float32', 11) as tf.Tensor2D, h, { truncation: 0, noiseSeed: 1 });
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    gen.dispose();
  });

  it('compute D(x, h) = f_d(x) + ⟨h, f_s(x)⟩ per sample, and leave Freeze-D blocks out of the trainable set', () => {
    const d = new Discriminator(PRESETS.tiny, { textDim: TEXT, seed: 1 });
    const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
    const h = unitRows(4, TEXT, 13);
    const { logits, semantic } = d.apply(x, h);
    expect(semantic.shape).toEqual([4, TEXT]);
    const fd = d.apply(x, tf.zerosLike(h)).logits; // h = 0 leaves f_d alone
    expect(maxAbsDiff(tf.sub(logits, fd), tf.sum(tf.mul(h, semantic), 1))).toBeLessThan(1e-4);
    const all = [...d.namedVariables().keys()];
    const frozen = [...d.namedVariables(1).keys()];
    expect(all).toContain('b16.fromrgb.weight');
    expect(frozen).not.toContain('b16.fromrgb.weight');
    expect(frozen).not.toContain('b16.conv0.weight');
    expect(frozen).toContain('b8.conv0.weight');
    expect(frozen).toContain('b4.semantic.weight');
    d.dispose();
  });

  it('take any batch size, a few-shot batch of 5 included (the minibatch-std group shrinks to divide it)', () => {
    const d = new Discriminator(PRESETS.tiny, { textDim: TEXT, seed: 1 });
    for (const n of [5, 6, 7]) {
      const { logits } = d.apply(tf.randomNormal([n, 16, 16, 3], 0, 1, 'float32', n) as tf.Tensor4D, unitRows(n, TEXT, n));
      expect(logits.shape).toEqual([n]);
      expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
    }
    d.dispose();
  });

  it('pass gradients to every generator variable through the discriminator (on wasm, through its registered kernels)', () => {
    const gen = g();
    const d = new Discriminator(PRESETS.tiny, { textDim: TEXT, seed: 2 });
    const z = tf.randomNormal([4, PRESETS.tiny.zDim], 0, 1, 'float32', 14) as tf.Tensor2D;
    const h = unitRows(4, TEXT, 15);
    const { grads } = tf.variableGrads(() => tf.mean(tf.softplus(tf.neg(d.apply(gen.generate(z, h, { noiseSeed: 1 }), h).logits))) as tf.Scalar, gen.trainableVariables());
    const norms = Object.values(grads).map((gradient) => tf.norm(gradient).dataSync()[0]!);
    expect(norms).toHaveLength(gen.trainableVariables().length);
    expect(norms.filter((norm) => !(norm > 0)).length).toBeLessThanOrEqual(0);
    gen.dispose();
    d.dispose();
  });

  it('hold no tensors beyond their variables (the initial values are released)', () => {
    const before = tf.memory().numTensors;
    const g = new Generator(PRESETS.tiny, { textDim: 8, seed: 3 });
    const d = new Discriminator(PRESETS.tiny, { textDim: 8, seed: 4 });
    expect(tf.memory().numTensors - before).toBe(g.namedVariables().size + d.namedVariables().size);
    g.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("has about 75M parameters at Lafite's paper size (256 px, 512-d text)", () => {
    const gen = new Generator(PRESETS.paper, { textDim: 512, seed: 0 });
    const d = new Discriminator(PRESETS.paper, { textDim: 512, seed: 1 });
    const total = gen.parameterCount() + d.parameterCount();
    console.log(`paper preset: G ${gen.parameterCount()}, D ${d.parameterCount()}, total ${total} parameters`);
    expect(total).toBeGreaterThan(70e6);
    expect(total).toBeLessThan(85e6);
    gen.dispose();
    d.dispose();
  });
});
