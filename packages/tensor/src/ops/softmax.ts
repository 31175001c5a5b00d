/**
 * Softmax family, each recorded as one op (with its own stable gradient) and computed with the
 * max subtracted so large inputs do not overflow.
 */
import { normalizeAxes, normalizeAxis, reducedShape } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, div, sub } from './binary.js';
import { clone } from './clone.js';
import { max, sum, type Axes } from './reduce.js';
import { reshape } from './reshape.js';
import { assertFloat } from './operands.js';
import { exp, isFinite, log } from './unary.js';
import { where } from './where.js';

/** The max over `axes` with infinite maxima replaced by 0, so `x - m` never produces NaN from ∞ - ∞. */
function safeMax(x: Tensor, axes: readonly number[]): Tensor {
  const m = max(x, axes, true);
  return where(isFinite(m), m, 0);
}

/**
 * `exp(x) / sum(exp(x))` along `axis` (default: last). As in PyTorch, a row holding +∞ gives NaN
 * there (∞ - ∞), and a row of only -∞ gives NaN everywhere.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  assertFloat('softmax', x);
  const a = normalizeAxis('softmax', axis, x.shape);
  return ENGINE.runOp('softmax', [x], { axis: a }, () => {
    if (x.shape[a] === 0) return clone(x);
    const e = exp(sub(x, safeMax(x, [a])));
    return div(e, sum(e, a, true));
  });
}

/** `x - logSumExp(x)` along `axis` (default: last): log-probabilities, stable for large inputs. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  assertFloat('logSoftmax', x);
  const a = normalizeAxis('logSoftmax', axis, x.shape);
  return ENGINE.runOp('logSoftmax', [x], { axis: a }, () => {
    if (x.shape[a] === 0) return clone(x);
    const shifted = sub(x, safeMax(x, [a]));
    return sub(shifted, log(sum(exp(shifted), a, true)));
  });
}

/** `log(sum(exp(x)))` over `axis` (all by default), computed stably. */
export function logSumExp(x: Tensor, axis?: Axes, keepDims = false): Tensor {
  assertFloat('logSumExp', x);
  const axes = normalizeAxes('logSumExp', axis, x.shape);
  return ENGINE.runOp('logSumExp', [x], { axes, keepDims }, () => {
    if (axes.some((a) => x.shape[a] === 0)) {
      // log(0) = -inf: the log-sum-exp of nothing, as in PyTorch.
      return log(sum(x, axes, keepDims));
    }
    const m = safeMax(x, axes);
    const total = add(log(sum(exp(sub(x, m)), axes, true)), m);
    return keepDims ? total : reshape(total, reducedShape(x.shape, axes, false));
  });
}
