import { mul } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d e^x = e^x: saves the output. */
export const expGrad: GradientRule<'exp'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [mul(g!, y!)],
};
