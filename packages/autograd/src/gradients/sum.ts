import { expand, reshape } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Broadcasts the gradient back over the reduced axes. */
export const sumGrad: GradientRule<'sum'> = {
  backward: ([g], { attrs, inputs: [x] }) => {
    const kept = x!.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
    return [expand(reshape(g!, kept), x!.shape)];
  },
};
