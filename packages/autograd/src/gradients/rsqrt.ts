import { mul, pow } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d x^(-1/2) = -1/2 · y³: saves the output. */
export const rsqrtGrad: GradientRule<'rsqrt'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [mul(mul(g!, pow(y!, 3)), -0.5)],
};
