/**
 * Reductions over axes: sum, prod, max, min (recorded), and mean (sum divided by the count).
 * `axis` is one axis, a list, or undefined for all; `keepDims` keeps reduced axes as size 1.
 */
import { GatedError, REDUCE_TYPING, formatShape, normalizeAxes, reducedShape, sizeOf, type ReduceOp } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { div } from './binary.js';
import { assertTyping } from './operands.js';
import { assertLiveTensor } from '../tensor.js';

/** An axis, a list of axes, or undefined for every axis. */
export type Axes = number | readonly number[] | undefined;

function reduce(op: ReduceOp, x: Tensor, axis: Axes, keepDims: boolean): Tensor {
  assertLiveTensor(op, x);
  assertTyping(op, REDUCE_TYPING[op], x.dtype);
  const axes = normalizeAxes(op, axis, x.shape);
  if ((op === 'max' || op === 'min') && axes.some((a) => x.shape[a] === 0)) {
    throw new GatedError(op, `cannot reduce over an empty axis: shape ${formatShape(x.shape)}, axes [${axes.join(',')}]`);
  }
  const shape = reducedShape(x.shape, axes, keepDims);
  return ENGINE.runOp(op, [x], { axes, keepDims }, () =>
    ENGINE.kernel([x], shape, x.dtype, (backend, [spec]) => backend.reduce(op, spec!, axes)),
  );
}

/** Sum over `axis` (all axes by default). */
export function sum(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduce('sum', x, axis, keepDims);
}
/** Product over `axis`. */
export function prod(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduce('prod', x, axis, keepDims);
}
/** Maximum over `axis`; NaN propagates. Reducing an empty axis is an error. */
export function max(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduce('max', x, axis, keepDims);
}
/** Minimum over `axis`; NaN propagates. */
export function min(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  return reduce('min', x, axis, keepDims);
}

/** Mean over `axis` (float32 only); the mean of zero elements is NaN, as in PyTorch. */
export function mean(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  assertLiveTensor('mean', x);
  if (x.dtype !== 'float32') throw new GatedError('mean', `expects float32 input, got ${x.dtype}; cast first`);
  const axes = normalizeAxes('mean', axis, x.shape);
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return ENGINE.tidy(() => div(sum(x, axes, keepDims), count));
}
