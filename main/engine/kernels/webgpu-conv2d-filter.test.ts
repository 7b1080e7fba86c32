import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import {
  FILTER_GRADIENT_CASES,
  filterGradientAttrs as attrsOf,
  randomFilterGradientInputs as randomInputs,
  relativeError,
  runFilterGradientKernel,
  type ConvCase,
} from './test-support.ts';
import { replaceKernel } from './conv-kernel-support.ts';
import { conv2dFilterGradientIm2col, patchBlocks, webGpuConv2dBackpropFilter } from './webgpu-conv2d-filter.ts';

/** tfjs's own Conv2DBackpropFilter on the cpu backend. */
async function reference(c: ConvCase, seed: number): Promise<Float32Array> {
  await initBackend('cpu');
  return runFilterGradientKernel(c, seed);
}

describe('webgpu Conv2DBackpropFilter (pad → strided slices → concat → matMul with transposeA), checked on cpu', () => {
  it('matches the cpu kernel (relative error under 1e-5) for strides 1 and 2, same and valid padding', async () => {
    for (const [k, c] of FILTER_GRADIENT_CASES.entries()) {
      const expected = await reference(c, 100 + k);
      const { x, dy, dyShape } = randomInputs(c, 100 + k);
      const [xt, dyt] = [tf.tensor4d(x, c.x), tf.tensor4d(dy, dyShape)];
      const before = tf.memory().numTensors;
      const dw = conv2dFilterGradientIm2col(xt, dyt, c.filter, attrsOf(c));
      expect(dw.shape, JSON.stringify(c)).toEqual(c.filter);
      const error = relativeError((await dw.data()) as Float32Array, expected);
      dw.dispose();
      expect(tf.memory().numTensors, `tensors left behind ${JSON.stringify(c)}`).toBe(before);
      console.log(`webgpu filter gradient on cpu ${JSON.stringify(c)}: relative error ${error.toExponential(1)}`);
      expect(error, JSON.stringify(c)).toBeLessThan(1e-5);
      tf.dispose([xt, dyt]);
    }
  });

  it('gives the same result when the batch is split into chunks to bound the patch matrix', async () => {
    await initBackend('cpu');
    const c = FILTER_GRADIENT_CASES[1]!;
    const expected = await reference(c, 7);
    const { x, dy, dyShape } = randomInputs(c, 7);
    const [xt, dyt] = [tf.tensor4d(x, c.x), tf.tensor4d(dy, dyShape)];
    const before = tf.memory().numTensors;
    const dw = conv2dFilterGradientIm2col(xt, dyt, c.filter, attrsOf(c), 1); // one image per chunk
    expect(relativeError((await dw.data()) as Float32Array, expected)).toBeLessThan(1e-5);
    dw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xt, dyt]);
  });

  it('splits one image into bands of output rows when its patch matrix passes the limit, with the same result', async () => {
    await initBackend('cpu');
    expect(patchBlocks(2, 8, 100, 1600)).toEqual([{ image: 0, images: 2, row: 0, rows: 8 }]);
    expect(patchBlocks(3, 8, 100, 900)).toEqual([0, 1, 2].map((image) => ({ image, images: 1, row: 0, rows: 8 })));
    // One image over the limit: bands of 3 rows (the last one shorter), for each image.
    expect(patchBlocks(2, 8, 100, 350).map((b) => [b.image, b.row, b.rows])).toEqual([
      [0, 0, 3],
      [0, 3, 3],
      [0, 6, 2],
      [1, 0, 3],
      [1, 3, 3],
      [1, 6, 2],
    ]);
    for (const [k, c] of FILTER_GRADIENT_CASES.entries()) {
      const expected = await reference(c, 200 + k);
      const { x, dy, dyShape } = randomInputs(c, 200 + k);
      const [xt, dyt] = [tf.tensor4d(x, c.x), tf.tensor4d(dy, dyShape)];
      const rowBytes = dyShape[2] * c.filter[0] * c.filter[1] * c.filter[2] * 4;
      const before = tf.memory().numTensors;
      const dw = conv2dFilterGradientIm2col(xt, dyt, c.filter, attrsOf(c), 2 * rowBytes); // bands of 2 rows
      expect(relativeError((await dw.data()) as Float32Array, expected), JSON.stringify(c)).toBeLessThan(1e-5);
      dw.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xt, dyt]);
    }
  });

  it('runs as a kernel function (inputs and output through the backend, reference counts kept), and names unsupported attributes', async () => {
    await initBackend('cpu');
    const c = FILTER_GRADIENT_CASES[2]!;
    const expected = await reference(c, 9);
    const { x, dy, dyShape } = randomInputs(c, 9);
    const [xt, dyt] = [tf.tensor4d(x, c.x), tf.tensor4d(dy, dyShape)];
    const before = tf.memory().numTensors;
    const info = webGpuConv2dBackpropFilter.kernelFunc({ inputs: { x: xt, dy: dyt }, attrs: attrsOf(c), backend: tf.backend() }) as tf.TensorInfo;
    const dw = tf.engine().makeTensorFromTensorInfo(info);
    expect(relativeError((await dw.data()) as Float32Array, expected)).toBeLessThan(1e-5);
    dw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(await xt.data())).toEqual(Array.from(x)); // the inputs keep their data
    const run = (attrs: object) => () => webGpuConv2dBackpropFilter.kernelFunc({ inputs: { x: xt, dy: dyt }, attrs: { ...attrsOf(c), ...attrs }, backend: tf.backend() });
    expect(run({ dataFormat: 'NCHW' })).toThrow('Conv2DBackpropFilter on webgpu: only NHWC is supported (got NCHW)');
    expect(run({ dilations: 2 })).toThrow('Conv2DBackpropFilter on webgpu: only dilation 1 is supported');
    tf.dispose([xt, dyt]);
  });

  it("replaces a backend's own kernel: tf.grads of conv2d on a cpu clone with it registered match the cpu backend", async () => {
    // A second cpu backend, every cpu kernel registered for it, then ours in place of its Conv2DBackpropFilter, as on webgpu.
    const clone = 'cpu-im2col';
    if (!tf.findBackendFactory(clone)) {
      const Cpu = tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend;
      tf.registerBackend(clone, () => new Cpu(), -1);
      for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: clone });
    }
    const replaced = new Map<string, tf.KernelConfig>();
    let calls = 0;
    const counted: tf.KernelConfig = { ...webGpuConv2dBackpropFilter, backendName: clone, kernelFunc: (args) => (calls++, webGpuConv2dBackpropFilter.kernelFunc(args)) };
    replaceKernel(counted, replaced);
    replaceKernel(counted, replaced); // once only
    expect([...replaced.keys()]).toEqual(['Conv2DBackpropFilter']);
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const c = FILTER_GRADIENT_CASES[1]!;
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 31) as tf.Tensor4D;
      const w = tf.randomNormal(c.filter, 0, 1, 'float32', 32) as tf.Tensor4D;
      const y = tf.conv2d(x, w, c.stride, c.pad);
      const r = tf.randomNormal(y.shape, 0, 1, 'float32', 33);
      const dw = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, c.stride, c.pad), r)))(w); // Σ conv2d(x, w)·r: every output counts
      const out = (await dw.data()) as Float32Array;
      tf.dispose([x, w, y, r, dw]);
      return out;
    };
    const expected = await gradients('cpu');
    const ours = await gradients(clone);
    expect(calls).toBe(1);
    expect(relativeError(ours, expected)).toBeLessThan(1e-5);
    await tf.setBackend('cpu');
  });
});
