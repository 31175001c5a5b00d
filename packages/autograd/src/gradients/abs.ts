import { mul, sign } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d|x| = sign(x): 0 at 0, as in PyTorch. */
export const absGrad: GradientRule<'abs'> = {
  save: ([x]) => [x!],
  backward: ([g], { saved: [x] }) => [mul(g!, sign(x!))],
};
