import { mul, neg, square } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d (1/x) = -y²: saves the output. */
export const reciprocalGrad: GradientRule<'reciprocal'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [neg(mul(g!, square(y!)))],
};
