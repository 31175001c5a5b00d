import { mul, sub, sum } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d softmax: y ⊙ (g - Σ g⊙y). Saves the output. */
export const softmaxGrad: GradientRule<'softmax'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { attrs, saved: [y] }) => [mul(y!, sub(g!, sum(mul(g!, y!), attrs.axis, true)))],
};
