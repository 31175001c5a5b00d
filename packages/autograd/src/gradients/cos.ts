import { mul, neg, sin } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d cos x = -sin x. */
export const cosGrad: GradientRule<'cos'> = {
  save: ([x]) => [x!],
  backward: ([g], { saved: [x] }) => [neg(mul(g!, sin(x!)))],
};
