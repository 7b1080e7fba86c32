/**
 * Inception Score from class-probability rows p(y|x) (Salimans et al. 2016, "Improved
 * techniques for training GANs", §4):
 *
 *   IS = exp( E_x KL(p(y|x) ‖ p(y)) ),   p(y) = E_x p(y|x)
 *
 * computed on `splits` consecutive chunks (rows ⌊s·N/S⌋ … ⌊(s+1)·N/S⌋ − 1) and reported as
 * the mean and population standard deviation over chunks, 10 by default: the original code
 * (openai/improved-gan) and Lafite's official `inception_score.py` do the same. Sums run in
 * float64; 0·log 0 counts as 0 (its limit), where numpy would give NaN for an exact zero.
 *
 * @example
 *   const { mean, std } = inceptionScore(softmaxRows, 1008);  // rows: [N, C], each summing to 1
 */
import { invalidInput } from '../../contract/errors.ts';

export interface InceptionScoreOptions {
  /** Chunks the rows are split into (10 in the papers). */
  splits?: number;
}

export interface InceptionScore {
  /** Mean over splits of exp(mean KL). */
  mean: number;
  /** Population standard deviation over splits (numpy's np.std). */
  std: number;
  /** The score of each split. */
  perSplit: number[];
}

export const DEFAULT_SPLITS = 10;
/** How far a row may sum from 1 (float32 softmax outputs). */
const ROW_SUM_TOLERANCE = 1e-3;

/** IS of probability rows (row-major [N, classes]). */
export function inceptionScore(probs: Float32Array | Float64Array, classes: number, options: InceptionScoreOptions = {}): InceptionScore {
  const splits = options.splits ?? DEFAULT_SPLITS;
  const count = checkProbabilities(probs, classes);
  if (!(Number.isInteger(splits) && splits >= 1)) throw invalidInput(`splits must be a positive integer, got ${splits}`, 'splits');
  if (count < splits) throw invalidInput(`${splits} splits need at least ${splits} probability rows, got ${count}`, 'probs');
  const perSplit: number[] = [];
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * count) / splits);
    const end = Math.floor(((s + 1) * count) / splits);
    perSplit.push(Math.exp(meanKl(probs, classes, start, end)));
  }
  const mean = perSplit.reduce((sum, x) => sum + x, 0) / splits;
  const variance = perSplit.reduce((sum, x) => sum + (x - mean) ** 2, 0) / splits;
  return { mean, std: Math.sqrt(variance), perSplit };
}

/** Mean over rows start..end−1 of KL(p(y|x) ‖ p(y)), p(y) the mean of those rows. */
export function meanKl(probs: Float32Array | Float64Array, classes: number, start: number, end: number): number {
  const marginal = new Float64Array(classes); // p(y)
  for (let r = start; r < end; r++) for (let c = 0; c < classes; c++) marginal[c] = marginal[c]! + probs[r * classes + c]!;
  const rows = end - start;
  for (let c = 0; c < classes; c++) marginal[c] = marginal[c]! / rows;
  let total = 0;
  for (let r = start; r < end; r++) {
    for (let c = 0; c < classes; c++) {
      const p = probs[r * classes + c]!;
      if (p > 0) total += p * (Math.log(p) - Math.log(marginal[c]!)); // p log(p / p(y)); 0 log 0 = 0
    }
  }
  return total / rows;
}

/** Number of rows, after checking each is a probability vector. */
function checkProbabilities(probs: Float32Array | Float64Array, classes: number): number {
  if (!(Number.isInteger(classes) && classes > 0)) throw invalidInput(`classes must be a positive integer, got ${classes}`, 'classes');
  if (probs.length % classes !== 0) throw invalidInput(`${probs.length} values are not a whole number of rows of ${classes} classes`, 'probs');
  const count = probs.length / classes;
  for (let r = 0; r < count; r++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const p = probs[r * classes + c]!;
      if (!(p >= 0 && p <= 1)) throw invalidInput(`row ${r}, class ${c}: ${p} is not a probability`, 'probs');
      sum += p;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw invalidInput(`row ${r} sums to ${sum}, not 1: pass softmax outputs, not logits`, 'probs');
  }
  return count;
}
