import { zerosLike } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Piecewise constant: zero gradient almost everywhere (PyTorch's choice). */
export const ceilGrad: GradientRule<'ceil'> = {
  backward: ([g]) => [zerosLike(g!)],
};
