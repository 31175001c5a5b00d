import { mul } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d x² = 2x. */
export const squareGrad: GradientRule<'square'> = {
  save: ([x]) => [x!],
  backward: ([g], { saved: [x] }) => [mul(g!, mul(x!, 2))],
};
