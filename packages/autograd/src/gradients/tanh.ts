import { mul, square, sub } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d tanh(x) = 1 - y²: saves the output. */
export const tanhGrad: GradientRule<'tanh'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [mul(g!, sub(1, square(y!)))],
};
