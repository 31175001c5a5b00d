import { add, div } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d log(1 + x) = 1 / (1 + x). */
export const log1pGrad: GradientRule<'log1p'> = {
  save: ([x]) => [x!],
  backward: ([g], { saved: [x] }) => [div(g!, add(x!, 1))],
};
