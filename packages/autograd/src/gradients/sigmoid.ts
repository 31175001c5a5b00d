import { mul, sub } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d σ(x) = y (1 - y): saves the output. */
export const sigmoidGrad: GradientRule<'sigmoid'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [mul(g!, mul(y!, sub(1, y!)))],
};
