import { add, mul } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d(e^x - 1) = y + 1: saves the output. */
export const expm1Grad: GradientRule<'expm1'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [mul(g!, add(y!, 1))],
};
