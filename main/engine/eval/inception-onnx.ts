/**
 * Inception-v3 (Szegedy et al. 2016) through ONNX Runtime, for the image-quality figures Lafite
 * §4 reports beside its CLIP ones: FID (Heusel et al. 2017) on pool3 features, FID-k on blurred
 * images (blur.ts), and the Inception Score (Salimans et al. 2016) on class probabilities.
 *
 * The file: one float32 input [N, 3, 299, 299] of pixels in [−1, 1] (N may be symbolic; so may H
 * and W, and we feed 299); outputs: exactly one [N, 2048], pool3 (required; [N, 2048, 1, 1], as
 * pytorch-fid's blocks give it, is taken too), and optionally one [N, 1008] or [N, 1000]: logits
 * (softmax here), or probabilities already. Published FIDs come from the TensorFlow FID graph;
 * pytorch-fid's `fid_inception_v3()` carries its weights (1008 classes), so export that:
 *
 *   import torch
 *   from pytorch_fid.inception import fid_inception_v3
 *   class Pool3AndLogits(torch.nn.Module):
 *       def __init__(self):
 *           super().__init__()
 *           self.net = fid_inception_v3().eval()
 *           self.fc, self.net.fc = self.net.fc, torch.nn.Identity()
 *       def forward(self, x):                 # [N, 3, 299, 299] in [-1, 1]
 *           pool3 = self.net(x)               # [N, 2048]
 *           return pool3, self.fc(pool3)      # logits, [N, 1008]
 *   torch.onnx.export(Pool3AndLogits().eval(), torch.zeros(1, 3, 299, 299), 'inception-v3.onnx',
 *       input_names=['images'], output_names=['pool3', 'logits'],
 *       dynamic_axes={'images': {0: 'n'}, 'pool3': {0: 'n'}, 'logits': {0: 'n'}})
 *
 * Preprocessing as pytorch-fid's: RGB bytes / 255, bilinear resize to 299×299 (its
 * `F.interpolate(…, mode='bilinear', align_corners=False)`, no antialiasing), 2x − 1, NCHW.
 * (The TensorFlow graph resizes on its own; pytorch-fid documents that its figures differ
 * slightly from TF's, and so will ours.)
 *
 * @example
 *   const inception = await InceptionOnnx.load('/data/models/inception/inception-v3.onnx');
 *   const { features, probs, classes } = await inception.extract(images, 256); // images: HWC RGB bytes, 256×256
 *   await inception.dispose();
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { invalidInput, type LafiteError } from '../../contract/errors.ts';

/** Inception-v3's input side. */
export const INCEPTION_SIDE = 299;
/** Width of the pool3 features FID is computed on. */
export const POOL3_DIM = 2048;
/** Class counts of the logits output: the TF FID graph's 1008 (1001 used) or torchvision's 1000. */
export const INCEPTION_CLASSES: readonly number[] = [1008, 1000];

export interface InceptionOnnxOptions {
  /** Images per session run (one [B, 3, 299, 299] input is B MB). Default 16. */
  batchSize?: number;
  /** ONNX Runtime intra-op threads; default: its own choice (all cores). */
  threads?: number;
}

/** What Inception makes of a set of images. */
export interface InceptionOutputs {
  count: number;
  /** pool3 features, row-major [N, 2048]. */
  features: Float32Array;
  /** p(y|x), row-major [N, classes]; absent when the model has no logits output. */
  probs?: Float32Array;
  /** Columns of `probs` (0 without). */
  classes: number;
}

const DEFAULT_BATCH_SIZE = 16;

/** The file at fault: `invalid_input`, naming it (and the tensor, in `problem`). */
const badModel = (file: string, problem: string): LafiteError => invalidInput(`Inception model ${file}: ${problem}`);

type Meta = ort.InferenceSession.ValueMetadata;

const describe = (meta: Meta): string => (meta.isTensor ? `${meta.type} [${meta.shape.join(', ')}]` : 'a non-tensor value');

/** The one input must be float32 [N, 3, H, W] with H and W 299 or symbolic; returns its name. */
function checkInput(file: string, inputs: readonly Meta[]): string {
  if (inputs.length !== 1) throw badModel(file, `takes ${inputs.length} inputs (${inputs.map((m) => m.name).join(', ')}), expected one image tensor [N, 3, 299, 299]`);
  const input = inputs[0]!;
  const fixed = (dim: number | string | undefined, value: number): boolean => typeof dim !== 'number' || dim <= 0 || dim === value; // symbolic or that value
  const ok =
    input.isTensor &&
    input.type === 'float32' &&
    input.shape.length === 4 &&
    fixed(input.shape[1], 3) &&
    fixed(input.shape[2], INCEPTION_SIDE) &&
    fixed(input.shape[3], INCEPTION_SIDE);
  if (!ok) throw badModel(file, `input tensor '${input.name}' must be float32 [N, 3, 299, 299], got ${describe(input)}`);
  return input.name;
}

/** Which output is pool3 and which the logits, judged by the shapes of a probe run on one image. */
function outputRoles(file: string, outputs: Readonly<Record<string, ort.Tensor>>): { pool3: string; logits?: string } {
  const width = (tensor: ort.Tensor): number | undefined => {
    const dims = tensor.dims;
    const flat = dims.length === 2 || (dims.length === 4 && dims[2] === 1 && dims[3] === 1); // [1, C] or [1, C, 1, 1]
    return tensor.type === 'float32' && dims[0] === 1 && flat ? dims[1] : undefined;
  };
  const names = Object.keys(outputs);
  const pool3 = names.filter((name) => width(outputs[name]!) === POOL3_DIM);
  const logits = names.filter((name) => INCEPTION_CLASSES.includes(width(outputs[name]!) ?? -1));
  const listed = names.map((name) => `'${name}' ${outputs[name]!.type} [${outputs[name]!.dims.join(', ')}]`).join(', ');
  if (pool3.length !== 1) {
    const problem =
      pool3.length === 0 ? 'has no output tensor of pool3 features [N, 2048]' : `has ${pool3.length} output tensors of width 2048 (${pool3.join(', ')}), expected one`;
    throw badModel(file, `${problem} (its outputs, for one image: ${listed})`);
  }
  if (logits.length > 1) throw badModel(file, `has ${logits.length} output tensors that could be logits (${logits.join(', ')}), expected at most one`);
  return logits.length === 1 ? { pool3: pool3[0]!, logits: logits[0]! } : { pool3: pool3[0]! };
}

/** Whether every row is already a probability vector (a graph ending in Softmax). */
function areProbabilities(rows: Float32Array, classes: number): boolean {
  for (let offset = 0; offset < rows.length; offset += classes) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const p = rows[offset + c]!;
      if (!(p >= 0)) return false;
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-4) return false;
  }
  return true;
}

/** Softmax of each row, in float64: p_c = exp(l_c − max l) / Σ exp(l_j − max l). */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const probs = new Float32Array(logits.length);
  const exps = new Float64Array(classes);
  for (let offset = 0; offset < logits.length; offset += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[offset + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += exps[c] = Math.exp(logits[offset + c]! - max);
    for (let c = 0; c < classes; c++) probs[offset + c] = exps[c]! / sum;
  }
  return probs;
}

/** Source taps of a bilinear resize from `from` to `to` samples (PyTorch, align_corners=False). */
function bilinearTaps(from: number, to: number): { low: Int32Array; high: Int32Array; weight: Float64Array } {
  const low = new Int32Array(to);
  const high = new Int32Array(to);
  const weight = new Float64Array(to); // of `high`; `low` gets 1 − weight
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const source = Math.max(0, (i + 0.5) * scale - 0.5); // half-pixel centres, clamped at 0 as torch does
    low[i] = Math.floor(source);
    high[i] = Math.min(low[i]! + 1, from - 1);
    weight[i] = source - low[i]!;
  }
  return { low, high, weight };
}

/**
 * Inception's input for square HWC RGB bytes of `side` pixels: resized bilinearly to 299×299 and
 * scaled to [−1, 1], [N, 3, 299, 299] (see the file header).
 */
export function inceptionPixels(images: readonly Uint8Array[], side: number): Float32Array {
  if (!(Number.isInteger(side) && side > 0)) throw invalidInput(`image side must be a positive integer, got ${side}`, 'side');
  const S = INCEPTION_SIDE;
  const taps = bilinearTaps(side, S); // the same along y and x: the images are square
  const out = new Float32Array(images.length * 3 * S * S); // [N, 3, 299, 299]
  images.forEach((image, n) => {
    if (image.length !== side * side * 3) throw invalidInput(`image ${n} has ${image.length} bytes, expected ${side}×${side}×3`, 'images');
    for (let y = 0; y < S; y++) {
      const [y0, y1, wy] = [taps.low[y]! * side, taps.high[y]! * side, taps.weight[y]!];
      for (let x = 0; x < S; x++) {
        const [x0, x1, wx] = [taps.low[x]!, taps.high[x]!, taps.weight[x]!];
        for (let c = 0; c < 3; c++) {
          const top = (1 - wx) * image[(y0 + x0) * 3 + c]! + wx * image[(y0 + x1) * 3 + c]!;
          const bottom = (1 - wx) * image[(y1 + x0) * 3 + c]! + wx * image[(y1 + x1) * 3 + c]!;
          out[((n * 3 + c) * S + y) * S + x] = ((1 - wy) * top + wy * bottom) / 127.5 - 1; // 2·(v / 255) − 1
        }
      }
    }
  });
  return out;
}

/** An Inception-v3 ONNX file, validated, ready to turn images into pool3 features and class probabilities. */
export class InceptionOnnx {
  private constructor(
    readonly file: string,
    private readonly session: ort.InferenceSession,
    private readonly input: string,
    private readonly roles: { pool3: string; logits?: string },
    /** Columns of the probabilities (0: the model has no logits output). */
    readonly classes: number,
    /** The logits output is already softmaxed. */
    private readonly givesProbabilities: boolean,
    private readonly batchSize: number,
  ) {}

  /** Loads and validates the file; errors name it and the tensor at fault. */
  static async load(path: string, options: InceptionOnnxOptions = {}): Promise<InceptionOnnx> {
    const file = resolve(path);
    if (!existsSync(file)) throw badModel(file, 'missing');
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      });
    } catch (error) {
      throw badModel(file, `not a loadable ONNX model (${(error as Error).message.split('\n')[0]})`);
    }
    try {
      const input = checkInput(file, session.inputMetadata);
      // One mid-grey image: the outputs' real shapes (exports often leave them symbolic), and proof the graph runs at 299.
      let probe: ort.InferenceSession.ReturnType;
      try {
        probe = await session.run({ [input]: new ort.Tensor('float32', new Float32Array(3 * INCEPTION_SIDE ** 2), [1, 3, INCEPTION_SIDE, INCEPTION_SIDE]) });
      } catch (error) {
        throw badModel(file, `does not run on input tensor '${input}' [1, 3, 299, 299] (${(error as Error).message.split('\n')[0]})`);
      }
      const roles = outputRoles(file, probe);
      const classes = roles.logits ? probe[roles.logits]!.dims[1]! : 0;
      const givesProbabilities = roles.logits !== undefined && areProbabilities(probe[roles.logits]!.data as Float32Array, classes);
      return new InceptionOnnx(file, session, input, roles, classes, givesProbabilities, Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE)));
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** pool3 features (and class probabilities, when the model has logits) of square HWC RGB images of `side` pixels. */
  async extract(images: readonly Uint8Array[], side: number): Promise<InceptionOutputs> {
    const count = images.length;
    const features = new Float32Array(count * POOL3_DIM); // [N, 2048]
    const probs = this.classes > 0 ? new Float32Array(count * this.classes) : undefined; // [N, classes]
    const fetches = this.roles.logits ? [this.roles.pool3, this.roles.logits] : [this.roles.pool3];
    for (let start = 0; start < count; start += this.batchSize) {
      const batch = images.slice(start, start + this.batchSize);
      const pixels = new ort.Tensor('float32', inceptionPixels(batch, side), [batch.length, 3, INCEPTION_SIDE, INCEPTION_SIDE]);
      const out = await this.session.run({ [this.input]: pixels }, fetches);
      features.set(this.rows(out, this.roles.pool3, batch.length, POOL3_DIM), start * POOL3_DIM);
      if (probs && this.roles.logits) {
        const logits = this.rows(out, this.roles.logits, batch.length, this.classes);
        probs.set(this.givesProbabilities ? logits : softmaxRows(logits, this.classes), start * this.classes);
      }
    }
    return probs ? { count, features, probs, classes: this.classes } : { count, features, classes: 0 };
  }

  /** An output's values, checked to be `rows` × `width`. */
  private rows(out: ort.InferenceSession.ReturnType, name: string, rows: number, width: number): Float32Array {
    const data = out[name]!.data as Float32Array;
    if (data.length !== rows * width) throw badModel(this.file, `output tensor '${name}' gave ${data.length} values for ${rows} images, expected ${rows}×${width}`);
    return data;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
