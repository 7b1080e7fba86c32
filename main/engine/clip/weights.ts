/**
 * CLIP weights as plain arrays: a map from the Hugging Face state-dict name to a float32
 * tensor. The one currency between random init, the TensorFlow.js towers and ONNX files.
 *
 * @example
 *   const weights = randomClipWeights(CLIP_PRESETS.tiny, { seed: 1 });
 *   weights.get('visual_projection.weight'); // { shape: [16, 32], data: Float32Array(512) }
 */
import { mulberry32 } from '../random.ts';
import { clipWeightSpecs, type ClipConfig, type WeightSpec } from './config.ts';

/** One weight tensor, row-major. */
export interface ClipWeight {
  shape: number[];
  data: Float32Array;
}

/** Name (HF `CLIPModel` state-dict key) → tensor. */
export type ClipWeights = Map<string, ClipWeight>;

/** Number of elements of a shape ([] is a scalar: 1). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A seeded source of normal deviates (Box–Muller). */
export function normalSampler(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export interface RandomInitOptions {
  /** Seed of the generator (default 0). */
  seed?: number;
  /** HF's init std for embeddings (`initializer_range`, default 0.02). */
  initializerRange?: number;
  /**
   * Also randomise what CLIP initialises to constants (biases 0, LayerNorm gains 1), so
   * that tests exercise every weight. Default false: CLIP's own init.
   */
  perturbConstants?: boolean;
}

/**
 * The standard deviation HF `CLIPPreTrainedModel._init_weights` uses for a weight, or a
 * constant (LayerNorm gain 1, biases 0). Scales follow OpenAI's CLIP init
 * (`model.py`, `initialize_parameters`): attention in-proj std D^-½·(2L)^-½, out-proj D^-½,
 * fc1 (2D)^-½, fc2 D^-½·(2L)^-½, projections D^-½.
 */
function initRule(spec: WeightSpec, config: ClipConfig, range: number): { std: number } | { constant: number } {
  const vision = spec.name.startsWith('vision_model') || spec.name === 'visual_projection.weight';
  const { hiddenSize: d, layers } = vision ? config.vision : config.text;
  const name = spec.name;
  if (name.endsWith('.bias')) return { constant: 0 };
  if (/(layer_norm\d|layrnorm|layernorm|final_layer_norm)\.weight$/.test(name)) return { constant: 1 };
  if (name.endsWith('class_embedding')) return { std: d ** -0.5 };
  if (name.endsWith('_projection.weight')) return { std: d ** -0.5 };
  const inStd = d ** -0.5 * (2 * layers) ** -0.5;
  if (/\.(q|k|v)_proj\.weight$/.test(name)) return { std: inStd };
  if (name.endsWith('out_proj.weight')) return { std: d ** -0.5 };
  if (name.endsWith('fc1.weight')) return { std: (2 * d) ** -0.5 };
  if (name.endsWith('fc2.weight')) return { std: inStd };
  return { std: range }; // token, position and patch embeddings
}

/** Random CLIP weights for a config, seeded, with CLIP-like scales. */
export function randomClipWeights(config: ClipConfig, options: RandomInitOptions = {}): ClipWeights {
  const normal = normalSampler(options.seed ?? 0);
  const range = options.initializerRange ?? 0.02;
  const weights: ClipWeights = new Map();
  for (const spec of clipWeightSpecs(config)) {
    const data = new Float32Array(sizeOf(spec.shape));
    const rule = initRule(spec, config, range);
    if ('std' in rule) for (let i = 0; i < data.length; i++) data[i] = rule.std * normal();
    else if (options.perturbConstants) for (let i = 0; i < data.length; i++) data[i] = rule.constant + 0.1 * normal();
    else data.fill(rule.constant);
    weights.set(spec.name, { shape: [...spec.shape], data });
  }
  return weights;
}

/**
 * Checks that `weights` holds every spec with the right shape; the error names `source`
 * (a file, say) and the first tensor missing or of the wrong shape.
 */
export function checkWeights(weights: ClipWeights, specs: readonly WeightSpec[], source: string): void {
  for (const spec of specs) {
    const weight = weights.get(spec.name);
    if (!weight) throw new Error(`${source}: missing CLIP weight '${spec.name}' (expected shape [${spec.shape.join(', ')}])`);
    if (weight.shape.length !== spec.shape.length || weight.shape.some((n, i) => n !== spec.shape[i])) {
      throw new Error(`${source}: CLIP weight '${spec.name}' has shape [${weight.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
    }
  }
}
