/**
 * `@gated/autograd`: reverse-mode automatic differentiation for `@gated/tensor`.
 *
 * Importing this package connects the tape to the engine (see docs/decisions/0002): from then
 * on, ops on tensors with `requiresGrad` are recorded.
 *
 * @example
 * ```ts
 * import { tensor, mul, sum } from '@gated/tensor';
 * import '@gated/autograd';
 *
 * const w = tensor([1, 2, 3], { requiresGrad: true });
 * const loss = sum(mul(w, w));
 * loss.backward();
 * console.log(await w.grad!.toArray()); // [2, 4, 6]
 * ```
 */
import { installAutograd } from './api.js';

export { backward, grad, installAutograd, noGrad, valueAndGrad } from './api.js';
export type { GradOptions, TensorTree, ValueAndGrad } from './api.js';
export { checkGrad } from './check-grad.js';
export type { CheckGradOptions, CheckGradResult, GradMismatch } from './check-grad.js';
export { sumToShape } from './sum-to-shape.js';
export { GRADIENTS } from './gradients/index.js';
export type { GradientContext, GradientRule, GradientTable, InputInfo, NonDifferentiable } from './rule.js';
export type { BackwardOptions } from './tape.js';

installAutograd();
