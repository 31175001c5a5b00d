import { GatedError, INT32_MAX, INT32_MIN, describeValue } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { maximum, minimum } from './binary.js';
import { assertTyping } from './operands.js';
import { assertLiveTensor } from '../tensor.js';

/**
 * Clamps every element into `[min, max]` (PyTorch's `clamp`); NaN stays NaN. Recorded as one op
 * whose gradient passes where `min <= x <= max`.
 */
export function clip(x: Tensor, min: number, max: number): Tensor {
  assertLiveTensor('clip', x);
  assertTyping('clip', { inputs: ['float32', 'int32'], output: 'same' }, x.dtype);
  if (typeof min !== 'number' || typeof max !== 'number') {
    throw new GatedError('clip', `needs numbers for min and max, got ${describeValue(min)} and ${describeValue(max)}`);
  }
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new GatedError('clip', `needs min <= max, got min ${min} and max ${max}`);
  }
  let [low, high] = [min, max];
  if (x.dtype === 'int32') {
    for (const bound of [min, max]) {
      if (Number.isFinite(bound) && !Number.isInteger(bound)) {
        throw new GatedError('clip', `an int32 tensor needs integer bounds, got min ${min} and max ${max}; cast it to float32 first`);
      }
    }
    // Clamping an int32 to a bound past its range (±Infinity included) is clamping to the range's
    // end: exact, so the bounds become int32 values instead of being refused.
    const toRange = (bound: number) => Math.min(Math.max(bound, INT32_MIN), INT32_MAX);
    [low, high] = [toRange(min), toRange(max)];
  }
  return ENGINE.runOp('clip', [x], { min, max }, () => minimum(maximum(x, low), high));
}
