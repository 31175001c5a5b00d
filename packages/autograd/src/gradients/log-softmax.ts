import { exp, mul, sub, sum } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d logSoftmax: g - softmax ⊙ Σ g. Saves the output (softmax = exp(output)). */
export const logSoftmaxGrad: GradientRule<'logSoftmax'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { attrs, saved: [y] }) => [sub(g!, mul(exp(y!), sum(g!, attrs.axis, true)))],
};
