/**
 * What the registered convolution kernels share: their attributes, the convolution geometry
 * as tfjs computes it, running tf ops inside a kernel (reference counts), and replacing a
 * backend's own kernel while keeping it for `npm run bench` and `npm run bench:gpu`.
 */
import * as tf from '@tensorflow/tfjs';

export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type PadAttr = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
export type Shape4D = [number, number, number, number];

/** The attributes of Conv2D and of its two gradient kernels. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** NHWC and dilation 1 (what the networks use); anything else fails with an error naming it. */
export function checkSupported(kernel: string, backend: string, attrs: ConvAttrs): void {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`${kernel} on ${backend}: only NHWC is supported (got ${attrs.dataFormat})`);
  const [dh, dw] = pair(attrs.dilations ?? 1);
  if (dh !== 1 || dw !== 1) throw new Error(`${kernel} on ${backend}: only dilation 1 is supported`);
}

/** Convolution geometry, as tfjs computes it for the forward op. */
export function geometry(xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape as Shape4D, filterShape as Shape4D, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

type RefCounting = tf.KernelBackend & { incRef(dataId: object): void };

/**
 * Runs tf ops inside a kernel and hands their result to the engine: the engine will own the
 * output, so its data gets one more reference before our own tensor lets go of it.
 */
export function asKernelOutput(args: KernelArgs, compute: () => tf.Tensor): tf.TensorInfo {
  const out = tf.tidy(compute);
  (args.backend as RefCounting).incRef(out.dataId);
  const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  return info;
}

/**
 * A kernel input as a tensor for tf ops. The backend counts references to its data and the
 * engine does not: the wrapper takes its own reference, which its disposal (end of the tidy)
 * gives back, so the caller's tensor keeps its data.
 */
export function tensorOf(args: KernelArgs, info: tf.TensorInfo): tf.Tensor {
  (args.backend as RefCounting).incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * Registers a kernel in place of the backend's own, once (a second call does nothing); the
 * backend's own goes into `replaced`, by kernel name.
 */
export function replaceKernel(config: tf.KernelConfig, replaced: Map<string, tf.KernelConfig>): void {
  const existing = tf.getKernel(config.kernelName, config.backendName) as (tf.KernelConfig & { lafite?: boolean }) | undefined;
  if (existing?.lafite) return;
  if (existing) {
    replaced.set(config.kernelName, existing);
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel({ ...config, lafite: true } as tf.KernelConfig);
}
