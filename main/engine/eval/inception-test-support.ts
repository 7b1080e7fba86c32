/**
 * For the Inception tests: a stand-in ONNX file with Inception-v3's interface (inception-onnx.ts),
 * small enough to write in a test. Its "pool3" is W1ᵀ of each channel's mean pixel (plus, with
 * `edges`, each channel's mean |100·Laplacian|, which blurring lowers, so FID-k differs from FID);
 * its logits are pool3 · W2.
 *
 *   images [N, 3, 299, 299] ─ GlobalAveragePool ─ Flatten ─┬─ MatMul W1 [C, width] ─▶ pool3 [N, width]
 *                           (─ Conv Laplacian ─ Abs ─ GAP ─ Flatten ─┘ with edges)       └─ MatMul W2 ─▶ logits [N, classes]
 *
 * @example
 *   const { w1 } = await writeStandInInception(join(dir, 'inception-v3.onnx'), { seed: 1 });
 */
import { writeFile } from 'node:fs/promises';
import { OnnxGraphBuilder } from '../clip/onnx-builder.ts';
import { normalSampler } from '../clip/weights.ts';
import { INCEPTION_SIDE, POOL3_DIM } from './inception-onnx.ts';

export interface StandInOptions {
  /** Width of the pool3 output (2048 for a valid file). */
  width?: number;
  /** Logit classes; 0 leaves the logits output out. Default 1008. */
  classes?: number;
  /** Add the mean-|Laplacian| features (spatial detail). Default false. */
  edges?: boolean;
  seed?: number;
}

/** The weights written, for direct computations: W1 [C, width] (C = 3, or 6 with edges), W2 [width, classes]. */
export interface StandInWeights {
  w1: Float32Array;
  w2: Float32Array;
  channels: number;
}

/** Writes the stand-in to `file`; returns its weights. */
export async function writeStandInInception(file: string, options: StandInOptions = {}): Promise<StandInWeights> {
  const { width = POOL3_DIM, classes = 1008, edges = false, seed = 0 } = options;
  const normal = normalSampler(seed);
  const g = new OnnxGraphBuilder();
  const means = g.node('Flatten', [g.node('GlobalAveragePool', ['images'])], { axis: { i: 1 } }); // [N, 3]
  let pooled = means;
  if (edges) {
    // [3, 1, 3, 3], per channel; ×100 because upsampled to 299 px an edge is a gentle ramp whose plain Laplacian is near 0.
    const laplacian = Float32Array.from({ length: 3 * 9 }, (_, i) => 100 * (i % 9 === 4 ? 4 : (i % 9) % 2 === 1 ? -1 : 0));
    const detail = g.node('Conv', ['images', g.initializer('laplacian', [3, 1, 3, 3], laplacian)], {
      group: { i: 3 },
      kernel_shape: { ints: [3, 3] },
      pads: { ints: [1, 1, 1, 1] },
    });
    const energy = g.node('Flatten', [g.node('GlobalAveragePool', [g.node('Abs', [detail])])], { axis: { i: 1 } }); // [N, 3]
    pooled = g.node('Concat', [means, energy], { axis: { i: 1 } }); // [N, 6]
  }
  const channels = edges ? 6 : 3;
  const w1 = Float32Array.from({ length: channels * width }, () => normal());
  const w2 = Float32Array.from({ length: width * classes }, () => normal() / Math.sqrt(width)); // logits of order 1
  g.node('MatMul', [pooled, g.initializer('w1', [channels, width], w1)], {}, 'pool3');
  const outputs = [{ name: 'pool3', elemType: 'float32' as const, shape: ['n', width] }];
  if (classes > 0) {
    g.node('MatMul', ['pool3', g.initializer('w2', [width, classes], w2)], {}, 'logits');
    outputs.push({ name: 'logits', elemType: 'float32', shape: ['n', classes] });
  }
  const model = g.toModel('stand_in_inception', [{ name: 'images', elemType: 'float32', shape: ['n', 3, INCEPTION_SIDE, INCEPTION_SIDE] }], outputs);
  await writeFile(file, model);
  return { w1, w2, channels };
}
