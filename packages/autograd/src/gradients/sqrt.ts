import { div, mul } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d sqrt(x) = 1 / (2 sqrt(x)): saves the output. */
export const sqrtGrad: GradientRule<'sqrt'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [div(g!, mul(y!, 2))],
};
