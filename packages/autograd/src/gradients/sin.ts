import { cos, mul } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d sin x = cos x. */
export const sinGrad: GradientRule<'sin'> = {
  save: ([x]) => [x!],
  backward: ([g], { saved: [x] }) => [mul(g!, cos(x!))],
};
