import { GatedError } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { maximum, minimum } from './binary.js';
import { assertTyping } from './operands.js';

/**
 * Clamps every element into `[min, max]` (PyTorch's `clamp`); NaN stays NaN. Recorded as one op
 * whose gradient passes where `min <= x <= max`.
 */
export function clip(x: Tensor, min: number, max: number): Tensor {
  x.assertLive('clip');
  assertTyping('clip', { inputs: ['float32', 'int32'], output: 'same' }, x.dtype);
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new GatedError('clip', `needs min <= max, got min ${min} and max ${max}`);
  }
  if (x.dtype === 'int32') {
    for (const bound of [min, max]) {
      if (Number.isFinite(bound) && !Number.isInteger(bound)) {
        throw new GatedError('clip', `an int32 tensor needs integer bounds, got min ${min} and max ${max}; cast it to float32 first`);
      }
    }
  }
  return ENGINE.runOp('clip', [x], { min, max }, () => minimum(maximum(x, min), max));
}
