import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/** Sums the gradient over the expanded axes. */
export const expandGrad: GradientRule<'expand'> = {
  backward: ([g], { inputs: [x] }) => [sumToShape(g!, x!.shape)],
};
