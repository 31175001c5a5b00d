/**
 * Gradient rules of the reductions (sum, prod, max, min, logSumExp), the softmax family and
 * matmul, the one contraction. A reduced axis comes back as a kept size-1 axis expanded to the
 * input's shape.
 */
import { cast, div, equal, exp, expand, logicalAnd, matmul, mul, prod, reshape, sub, sum, where, type Tensor } from '@gated/tensor';
import type { OpName, Shape } from '@gated/backend-api';
import type { GradientRule } from '../rule.js';
import { sumToShape } from '../sum-to-shape.js';

/** `t` (the shape of a reduction's output) broadcast back over the reduced `axes` of `shape`. */
function unreduce(t: Tensor, shape: Shape, axes: readonly number[]): Tensor {
  return expand(
    reshape(
      t,
      shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    ),
    shape,
  );
}

/**
 * `max` and `min`: the gradient goes to the elements equal to the extremum, split evenly among
 * ties (PyTorch's amax/amin rule).
 */
const extremum: GradientRule<'max' | 'min', { readonly x: Tensor; readonly y: Tensor }> = {
  save: ([x], [y]) => ({ x: x!, y: y! }),
  backward: ([g], { attrs, saved: { x, y } }) => {
    const mask = cast(equal(x, unreduce(y, x.shape, attrs.axes)), 'float32');
    const count = sum(mask, attrs.axes, true);
    return [mul(unreduce(g!, x.shape, attrs.axes), div(mask, count))];
  },
};

type ReduceRuleOp = Extract<OpName, 'sum' | 'prod' | 'max' | 'min' | 'logSumExp' | 'softmax' | 'logSoftmax' | 'matmul'>;

export const REDUCE_RULES: { readonly [N in ReduceRuleOp]: GradientRule<N> } = {
  /** Broadcasts the gradient back over the reduced axes. */
  sum: { backward: ([g], { attrs, inputs: [x] }) => [unreduce(g!, x!.shape, attrs.axes)] },
  /**
   * d prod(x) / dx_i = product of the other elements, without dividing by zero: with no zero in a
   * reduced group it is prod / x_i; with exactly one zero only that position gets the product of
   * the rest; with two or more zeros everything is 0.
   */
  prod: {
    save: ([x]) => ({ x: x! }),
    backward: ([g], { attrs, saved }) => {
      const input = saved.x!;
      const { axes } = attrs;
      const isZero = equal(input, 0);
      const zeros = expand(sum(cast(isZero, 'float32'), axes, true), input.shape);
      const withoutZeros = expand(prod(where(isZero, 1, input), axes, true), input.shape);
      const noZero = div(withoutZeros, where(isZero, 1, input));
      const others = where(equal(zeros, 0), noZero, where(logicalAnd(equal(zeros, 1), isZero), withoutZeros, 0));
      return [mul(unreduce(g!, input.shape, axes), others)];
    },
  },
  max: extremum,
  min: extremum,
  /** d logΣexp(x) = softmax(x) = exp(x - y). */
  logSumExp: {
    save: ([x], [y]) => ({ x: x!, y: y! }),
    backward: ([g], { attrs, saved }) => {
      const input = saved.x!;
      return [mul(unreduce(g!, input.shape, attrs.axes), exp(sub(input, unreduce(saved.y!, input.shape, attrs.axes))))];
    },
  },
  /** d softmax: y ⊙ (g - Σ g⊙y). */
  softmax: {
    save: (_inputs, [y]) => ({ y: y! }),
    backward: ([g], { attrs, saved: { y } }) => [mul(y!, sub(g!, sum(mul(g!, y!), attrs.axis, true)))],
  },
  /** d logSoftmax: g - softmax ⊙ Σ g, with softmax = exp(output). */
  logSoftmax: {
    save: (_inputs, [y]) => ({ y: y! }),
    backward: ([g], { attrs, saved: { y } }) => [sub(g!, mul(exp(y!), sum(g!, attrs.axis, true)))],
  },
  /**
   * For C = op(A)·op(B) (op = optional transpose): dA and dB are matmuls of g with the other
   * operand, with transpose flags chosen so no explicit transpose is materialised; broadcast batch
   * axes are summed away.
   */
  matmul: {
    save: ([a, b]) => ({ a: a!, b: b! }),
    backward: ([g], { attrs: { transposeA: ta, transposeB: tb }, inputs: [ia, ib], saved }) => {
      const [a, b] = [saved.a!, saved.b!];
      let da: Tensor | null = null;
      let db: Tensor | null = null;
      if (ia!.needsGrad) da = ta ? matmul(b, g!, { transposeA: tb, transposeB: true }) : matmul(g!, b, { transposeB: !tb });
      if (ib!.needsGrad) db = tb ? matmul(g!, a, { transposeA: true, transposeB: ta }) : matmul(a, g!, { transposeA: !ta });
      return [da && sumToShape(da, ia!.shape), db && sumToShape(db, ib!.shape)];
    },
  },
};
