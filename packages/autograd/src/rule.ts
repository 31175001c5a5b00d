/**
 * The shape of a gradient rule. Every recorded op has one, in the file of its family under
 * `gradients/` (elementwise, reduce, layout, lstm); each is written with public ops of
 * @gated/tensor (so it runs on every backend, and is itself differentiable for higher-order
 * gradients) and names the tensors it saves for backward.
 */
import type { AttrsOf, DType, OpName, Shape } from '@gated/backend-api';
import type { Tensor } from '@gated/tensor';

/** What a rule knows about each input of the recorded op. */
export interface InputInfo {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Whether a gradient is wanted for this input; rules may return null where it is false. */
  readonly needsGrad: boolean;
}

/** The tensors a rule saves for backward, by name (null for an optional input that was absent). */
export type Saved = { readonly [name: string]: Tensor | null };

/** Everything a rule's backward receives besides the output gradients. */
export interface GradientContext<N extends OpName, S extends Saved = Saved> {
  readonly attrs: AttrsOf<N>;
  readonly inputs: readonly InputInfo[];
  /** The tensors `save` returned, under the names it gave them. */
  readonly saved: S;
  /** Shapes of the op's outputs. */
  readonly outputShapes: readonly Shape[];
}

/** The gradient rule of a differentiable op; `S` names what it saves. */
export interface GradientRule<N extends OpName, S extends Saved = Saved> {
  /**
   * The tensors backward needs, chosen from the op's inputs and outputs and named (save only what
   * is needed: they stay alive until backward runs or the graph is dropped). Default: none.
   */
  save?(inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: AttrsOf<N>): S;
  /**
   * Vector-Jacobian product: given the gradient of the loss with respect to each output, returns
   * one gradient per input (with that input's shape), or null for inputs that need none.
   */
  backward(grads: readonly Tensor[], context: GradientContext<N, S>): readonly (Tensor | null)[];
  /**
   * Outputs whose gradient `backward` never reads (outputs handed to users detached, such as the
   * sequence ops' per-step gates): the tape does not fill zeros for them, and their entries of
   * `grads` are undefined. Default: none.
   */
  readonly unusedGradients?: readonly number[];
}

/** Marks an op whose outputs carry no gradient (comparisons, argmax, integer ops). */
export interface NonDifferentiable {
  readonly nonDifferentiable: true;
  /** Why, for error messages and docs. */
  readonly reason: string;
}

/** One entry per recorded op: its rule or a declaration that it has none. */
export type GradientTable = { readonly [N in OpName]: GradientRule<N> | NonDifferentiable };

export function isNonDifferentiable(rule: GradientRule<never> | NonDifferentiable): rule is NonDifferentiable {
  return 'nonDifferentiable' in rule;
}
