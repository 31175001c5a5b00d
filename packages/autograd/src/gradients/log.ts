import { div } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d log x = 1 / x. */
export const logGrad: GradientRule<'log'> = {
  save: ([x]) => [x!],
  backward: ([g], { saved: [x] }) => [div(g!, x!)],
};
