import { zerosLike } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Piecewise constant: zero gradient (PyTorch's choice), not undefined. */
export const signGrad: GradientRule<'sign'> = {
  backward: ([g]) => [zerosLike(g!)],
};
