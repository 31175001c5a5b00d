import { cast, div, equal, expand, mul, reshape, sum } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/**
 * The rule shared by `max` and `min`: the gradient goes to the elements equal to the extremum,
 * split evenly among ties (PyTorch's amax/amin rule). Saves the input and the output.
 */
export function extremumGrad<N extends 'max' | 'min'>(): GradientRule<N> {
  return {
    save: ([x], [y]) => [x!, y!],
    backward: ([g], { attrs, saved: [x, y] }) => {
      const input = x!;
      const kept = input.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
      const mask = cast(equal(input, expand(reshape(y!, kept), input.shape)), 'float32');
      const count = sum(mask, attrs.axes, true);
      return [mul(expand(reshape(g!, kept), input.shape), div(mask, count))];
    },
  };
}
