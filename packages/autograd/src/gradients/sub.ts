import { neg } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/** d(a - b): +g for a, -g for b, summed over broadcast axes. */
export const subGrad: GradientRule<'sub'> = {
  backward: ([g], { inputs: [a, b] }) => [
    a!.needsGrad ? sumToShape(g!, a!.shape) : null,
    b!.needsGrad ? sumToShape(neg(g!), b!.shape) : null,
  ],
};
