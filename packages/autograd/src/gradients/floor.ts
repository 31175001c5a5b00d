import { zerosLike } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Piecewise constant: zero gradient almost everywhere (PyTorch's choice). */
export const floorGrad: GradientRule<'floor'> = {
  backward: ([g]) => [zerosLike(g!)],
};
