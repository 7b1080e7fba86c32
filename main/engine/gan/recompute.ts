/**
 * Gradient checkpointing (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost";
 * `torch.utils.checkpoint`): y = f(xs) is computed without keeping f's intermediates for the
 * gradient, which recomputes f from its saved inputs. A network split into such segments keeps
 * the segments' inputs only, and one segment's intermediates at a time in the backward pass.
 *
 * Second order too (R1 and the path-length term differentiate a gradient): when the backward pass
 * is itself recorded, the input gradient it returns is an op, `inputGradientOp`, whose own gradient
 * recomputes f and differentiates it twice. The enclosing tape then holds per segment its input,
 * the incoming gradient and the input gradient, not f's forward and backward intermediates. The
 * variables' gradients of such a pass are constants (nothing here differentiates them again).
 *
 * tf.customGrad gives gradients to its explicit inputs only: the variables f reads are passed as
 * inputs too (the same tensors, so `tf.variableGrads` finds them by id). The nested gradients run
 * on a tape of their own (`detached`): tfjs runs a custom op's forward with the tape off, and a
 * gradient computed inside a backward pass would otherwise replace the enclosing pass's tape.
 * f must be deterministic (seeded noise only) and may read other tensors (constants, no gradient).
 *
 * @example
 *   const y = recomputed((x) => block.apply(x), [x], block.variables);   // same y, same gradients
 */
import * as tf from '@tensorflow/tfjs';

/** The engine fields that say where gradients are being recorded (tfjs-core's EngineState). */
interface TapeState {
  activeTape: unknown;
  gradientDepth: number;
  kernelDepth: number;
}

/** Inside a custom op's forward function: whether a gradient tape records the op (tfjs's own test, one kernel level up). */
export function recordingThisOp(): boolean {
  const state = tf.engine().state as unknown as TapeState;
  return state.gradientDepth > 0 && state.kernelDepth === 1;
}

/** Runs `fn` as at the top level: gradients it computes use a tape of their own and leave the caller's untouched. */
function detached<T>(fn: () => T): T {
  const state = tf.engine().state as unknown as TapeState;
  const outer = { activeTape: state.activeTape, gradientDepth: state.gradientDepth, kernelDepth: state.kernelDepth };
  state.activeTape = null;
  state.gradientDepth = 0;
  state.kernelDepth = 0;
  try {
    return fn();
  } finally {
    Object.assign(state, outer);
  }
}

/** Gradients of `y` with respect to `targets`, zeros where y does not depend on one (every custom-op input needs a gradient). */
function gradientsOf(y: () => tf.Tensor, targets: tf.Tensor[], dy?: tf.Tensor): tf.Tensor[] {
  const { value, grads } = tf.engine().gradients(y, targets, dy, true);
  value.dispose();
  return grads.map((g, i) => g ?? tf.zerosLike(targets[i]!));
}

/** The tensors as one flat vector, and back (one tensor: a reshape only, tfjs's gradient of a one-way split fails). */
const pack = (tensors: tf.Tensor[]): tf.Tensor1D => (tensors.length === 1 ? tf.reshape(tensors[0]!, [-1]) : tf.concat(tensors.map((t) => tf.reshape(t, [-1])))) as tf.Tensor1D;
function unpack(flat: tf.Tensor, like: tf.Tensor[]): tf.Tensor[] {
  const parts =
    like.length === 1
      ? [flat]
      : tf.split(
          flat,
          like.map((t) => t.size),
        );
  return parts.map((part, i) => tf.reshape(part, like[i]!.shape));
}

type Segment = (...inputs: tf.Tensor[]) => tf.Tensor;

/**
 * (xs, dy) ↦ ∂f/∂xs · dy, already computed as `value` (packed into one vector: a custom op has one
 * output), as an op whose own gradient, for second-order terms, recomputes f and differentiates
 * ⟨∂f/∂xs · dy, cotangent⟩ with respect to xs, dy and the variables.
 */
function inputGradientOp(f: Segment, xs: tf.Tensor[], variables: tf.Variable[], dy: tf.Tensor, value: tf.Tensor[]): tf.Tensor1D {
  const count = xs.length;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    save(args.slice(0, count + 1) as tf.Tensor[]); // xs and dy
    const gradFunc = (cotangent: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      detached(() => {
        const savedInputs = saved.slice(0, count);
        const savedDy = saved[count]!;
        const weights = unpack(cotangent, savedInputs);
        return gradientsOf(() => {
          const products = gradientsOf(() => f(...savedInputs), savedInputs, savedDy);
          return tf.addN(products.map((g, i) => tf.sum(tf.mul(g, weights[i]!))));
        }, [...savedInputs, savedDy, ...variables]);
      });
    return { value: pack(value), gradFunc };
  });
  return op(...xs, dy, ...variables) as tf.Tensor1D;
}

/**
 * f(...inputs) with its intermediates recomputed for the gradient rather than kept. `inputs`:
 * the tensors f is differentiated by (activations, latents); `variables`: every trainable variable
 * f reads. Outputs and gradients equal f's own (the same ops in the same order).
 */
export function recomputed<T extends tf.Tensor>(f: (...inputs: tf.Tensor[]) => T, inputs: tf.Tensor[], variables: tf.Variable[]): T {
  const count = inputs.length;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const xs = args.slice(0, count) as tf.Tensor[];
    save(xs);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const grads = detached(() => gradientsOf(() => f(...saved), [...saved, ...variables], dy)); // f recomputed
      if ((tf.engine().state as unknown as TapeState).gradientDepth === 0) {
        // A first-order backward pass: the incoming gradient and the saved inputs are needed no more (tfjs's
        // backward pass would hold every gradient it made until it ends; the saved copies share the input's data).
        tf.dispose([dy, ...saved]);
        return grads;
      }
      // Recorded for a second-order term (R1, the path length): the input gradients as an op with its own gradient;
      // the variables' gradients as constants (no term here differentiates them again, nor has tfjs a gradient of the filter gradient).
      return [...unpack(inputGradientOp(f, saved, variables, dy, grads.slice(0, count)), saved), ...grads.slice(count)];
    };
    return { value: f(...xs), gradFunc };
  });
  return op(...inputs, ...variables) as T;
}
