/**
 * Trainable perturbation (Lafite §3.1, eq. 2, "Lafite_NN"):
 *
 *   h' = n(f + r1(f) + ε ⊙ exp(r2(f))),   ε ~ N(0, I)
 *
 * r1 and r2 are 4 fully connected layers each (D → H → H → H → D, leaky ReLU between), trained
 * on image–caption pairs to maximise cos(h', h) with h the caption's text feature. The official
 * code only ships a pre-trained mapper of this shape and never trains it (LAFITE_REFERENCE.md);
 * this one is trained here and stored as JSON, reusable on any dataset of the same encoder.
 *
 * @example
 *   const net = PerturbationNet.create({ dim: 512, hidden: 1024, seed: 0 });
 *   await net.trainStep(imageFeatures, captionFeatures, { seed: 1 });   // one Adam step, resolves with mean cos
 *   const h = net.perturb(imageFeatures, { seed: 2 });
 */
import * as tf from '@tensorflow/tfjs';
import { invalidInput } from '../../contract/errors.ts';
import { tfSeed } from '../random.ts';
import { l2Normalise } from '../normalise.ts';

export interface PerturbationConfig {
  /** Feature dimension D of the encoder. */
  dim: number;
  /** Width H of the hidden layers (1024 in the official mapper). */
  hidden: number;
  /** Seed of the initial weights. */
  seed: number;
  /** Adam learning rate. */
  learningRate?: number;
}

/** A stored network: its configuration and every weight as a flat array. */
export interface PerturbationFile {
  kind: 'lafite-perturbation-nn';
  config: PerturbationConfig;
  /** The encoder it was trained for (features of other encoders mean nothing to it). */
  model: string;
  weights: { name: string; shape: number[]; values: number[] }[];
  training: { steps: number; meanCosine: number; pairs: number };
}

const LAYERS = 4;
const LEAK = 0.2;

interface Dense {
  /** `r1.0` … `r2.3`: the weights' names in files (tfjs variable names must be unique per process, so they are kept here). */
  name: string;
  w: tf.Variable;
  b: tf.Variable;
}

function mlp(prefix: string, dim: number, hidden: number, seed: number): Dense[] {
  const sizes = [dim, hidden, hidden, hidden, dim];
  return Array.from({ length: LAYERS }, (_, i) => ({
    name: `${prefix}.${i}`,
    // He initialisation for leaky ReLU; the last layer starts small so training starts near h' = n(f + ε·exp(r2(f))).
    w: tf.variable(tf.randomNormal([sizes[i]!, sizes[i + 1]!], 0, (i === LAYERS - 1 ? 0.01 : 1) * Math.sqrt(2 / sizes[i]!), 'float32', tfSeed(seed + i)), true),
    b: tf.variable(tf.zeros([sizes[i + 1]!]), true),
  }));
}

function forward(layers: readonly Dense[], x: tf.Tensor2D): tf.Tensor2D {
  return layers.reduce((h, layer, i) => {
    const y = tf.add(tf.matMul(h, layer.w), layer.b) as tf.Tensor2D;
    return i < layers.length - 1 ? tf.leakyRelu(y, LEAK) : y;
  }, x);
}

export class PerturbationNet {
  private readonly optimizer: tf.Optimizer;

  private constructor(
    readonly config: PerturbationConfig,
    private readonly r1: Dense[],
    private readonly r2: Dense[],
  ) {
    this.optimizer = tf.train.adam(config.learningRate ?? 1e-3);
  }

  static create(config: PerturbationConfig): PerturbationNet {
    return new PerturbationNet(config, mlp('r1', config.dim, config.hidden, config.seed), mlp('r2', config.dim, config.hidden, config.seed + 100));
  }

  static fromFile(file: PerturbationFile): PerturbationNet {
    const net = PerturbationNet.create(file.config);
    const byName = new Map(file.weights.map((w) => [w.name, w]));
    for (const [name, variable] of net.namedVariables()) {
      const stored = byName.get(name);
      if (!stored || stored.shape.join('x') !== variable.shape.join('x')) throw invalidInput(`perturbation network file: weight ${name} is missing or has another shape`);
      variable.assign(tf.tensor(stored.values, stored.shape));
    }
    return net;
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map(([, variable]) => variable);
  }

  private namedVariables(): [string, tf.Variable][] {
    return [...this.r1, ...this.r2].flatMap((layer): [string, tf.Variable][] => [
      [`${layer.name}.w`, layer.w],
      [`${layer.name}.b`, layer.b],
    ]);
  }

  /** Eq. 2 with a given ε ([N, D]). */
  private apply(f: tf.Tensor2D, epsilon: tf.Tensor2D): tf.Tensor2D {
    return l2Normalise(tf.add(tf.add(f, forward(this.r1, f)), tf.mul(epsilon, tf.exp(forward(this.r2, f)))) as tf.Tensor2D);
  }

  /** Pseudo text features of image features f [N, D]. */
  perturb(f: tf.Tensor2D, options: { seed?: number } = {}): tf.Tensor2D {
    return tf.tidy(() => this.apply(f, tf.randomNormal(f.shape, 0, 1, 'float32', tfSeed(options.seed))));
  }

  /** One Adam step maximising mean cos(h', h) over a batch of pairs; resolves with that mean cosine (before the step), read asynchronously (`dataSync` fails on webgpu in Node). */
  async trainStep(f: tf.Tensor2D, h: tf.Tensor2D, options: { seed?: number } = {}): Promise<number> {
    const epsilon = tf.randomNormal(f.shape, 0, 1, 'float32', tfSeed(options.seed)) as tf.Tensor2D;
    const target = l2Normalise(h);
    const loss = this.optimizer.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(this.apply(f, epsilon), target), 1))) as tf.Scalar, true, this.variables());
    tf.dispose([epsilon, target]);
    const meanCosine = -(await loss!.data())[0]!;
    loss!.dispose();
    return meanCosine;
  }

  /** The network as JSON (weights read asynchronously). */
  async toFile(model: string, training: PerturbationFile['training']): Promise<PerturbationFile> {
    const weights = await Promise.all(this.namedVariables().map(async ([name, v]) => ({ name, shape: v.shape, values: Array.from(await v.data()) })));
    return { kind: 'lafite-perturbation-nn', config: this.config, model, weights, training };
  }

  dispose(): void {
    tf.dispose(this.variables());
    this.optimizer.dispose();
  }
}
