import { isDType, GatedError, type DType } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

/**
 * Converts to another dtype: float → int32 truncates toward zero (NaN → 0, out-of-range
 * saturates); anything → bool is `x !== 0`; bool → numbers is 0 or 1.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  assertLiveTensor('cast', x);
  if (!isDType(dtype)) throw new GatedError('cast', `unknown dtype ${String(dtype)}`);
  return ENGINE.runOp('cast', [x], { dtype }, () =>
    dtype === x.dtype
      ? ENGINE.view(x, x.shape, x.strides, x.offset)
      : ENGINE.kernel([x], x.shape, dtype, (backend, [spec]) => backend.cast(spec!, dtype)),
  );
}
