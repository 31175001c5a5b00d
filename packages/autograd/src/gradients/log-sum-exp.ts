import { exp, expand, mul, reshape, sub } from '@gated/tensor';
import type { Tensor } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** d logΣexp(x) = softmax(x): exp(x - y). Saves the input and the output. */
export const logSumExpGrad: GradientRule<'logSumExp'> = {
  save: ([x], [y]) => [x!, y!],
  backward: ([g], { attrs, saved: [x, y] }) => {
    const input = x!;
    const kept = input.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
    const back = (t: Tensor) => expand(reshape(t, kept), input.shape);
    return [mul(back(g!), exp(sub(input, back(y!))))];
  },
};
