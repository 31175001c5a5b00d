import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/** Both inputs receive the gradient, summed over their broadcast axes. */
export const addGrad: GradientRule<'add'> = {
  backward: ([g], { inputs: [a, b] }) => [
    a!.needsGrad ? sumToShape(g!, a!.shape) : null,
    b!.needsGrad ? sumToShape(g!, b!.shape) : null,
  ],
};
