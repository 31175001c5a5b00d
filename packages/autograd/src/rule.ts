/**
 * The shape of a gradient rule. One rule per recorded op lives in `gradients/<op>.ts`; each is
 * written with public ops of @gated/tensor (so it runs on every backend, and is itself
 * differentiable for higher-order gradients) and declares what it saves for backward.
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

/** Everything a rule's backward receives besides the output gradients. */
export interface GradientContext<N extends OpName> {
  readonly attrs: AttrsOf<N>;
  readonly inputs: readonly InputInfo[];
  /** The tensors `save` returned, in order. */
  readonly saved: readonly Tensor[];
  /** Shapes of the op's outputs. */
  readonly outputShapes: readonly Shape[];
}

/** The gradient rule of a differentiable op. */
export interface GradientRule<N extends OpName> {
  /**
   * The tensors backward needs, chosen from the op's inputs and outputs (save only what is
   * needed: they stay alive until backward runs or the graph is dropped). Default: none.
   */
  save?(inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: AttrsOf<N>): Tensor[];
  /**
   * Vector-Jacobian product: given the gradient of the loss with respect to each output, returns
   * one gradient per input (with that input's shape), or null for inputs that need none.
   */
  backward(grads: readonly Tensor[], context: GradientContext<N>): readonly (Tensor | null)[];
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
