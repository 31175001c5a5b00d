import { cast, div, equal, expand, logicalAnd, mul, prod, reshape, sum, where } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/**
 * d prod(x) / dx_i = product of the other elements. Computed without dividing by zero: with no
 * zero in a reduced group it is prod / x_i; with exactly one zero, only that position gets the
 * product of the rest; with two or more zeros everything is 0. Saves the input.
 */
export const prodGrad: GradientRule<'prod'> = {
  save: ([x]) => [x!],
  backward: ([g], { attrs, saved: [x] }) => {
    const input = x!;
    const kept = input.shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
    const grad = expand(reshape(g!, kept), input.shape);
    const isZero = equal(input, 0);
    const zeros = expand(sum(cast(isZero, 'float32'), attrs.axes, true), input.shape);
    const withoutZeros = expand(prod(where(isZero, 1, input), attrs.axes, true), input.shape);
    const noZero = div(withoutZeros, where(isZero, 1, input));
    const others = where(equal(zeros, 0), noZero, where(logicalAnd(equal(zeros, 1), isZero), withoutZeros, 0));
    return [mul(grad, others)];
  },
};
