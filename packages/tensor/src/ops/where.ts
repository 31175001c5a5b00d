import { GatedError, broadcastAll, formatShape } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertSameDType, withOperands, type TensorLike } from './operands.js';
import { assertLiveTensor } from '../tensor.js';

/**
 * `cond ? a : b` elementwise, with all three broadcast together. `cond` is a bool tensor; `a`
 * and `b` share a dtype (a scalar takes the other side's).
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  assertLiveTensor('where', cond);
  if (cond.dtype !== 'bool') throw new GatedError('where', `condition must be bool, got ${cond.dtype}`);
  return withOperands('where', [a, b], ([ta, tb]) => {
    const x = ta!;
    const y = tb!;
    assertSameDType('where', [x, y]);
    let shape: number[];
    try {
      shape = broadcastAll('where', [cond.shape, x.shape, y.shape]);
    } catch {
      throw new GatedError(
        'where',
        `condition ${formatShape(cond.shape)}, a ${formatShape(x.shape)} and b ${formatShape(y.shape)} cannot be broadcast together`,
      );
    }
    return ENGINE.runOp('where', [cond, x, y], null, () =>
      ENGINE.kernel([cond, x, y], shape, x.dtype, (backend, [c, sa, sb]) => backend.where(c!, sa!, sb!, shape)),
    );
  });
}
