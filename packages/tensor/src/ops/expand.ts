import { GatedError, assertValidShape, formatShape, type Shape } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

/**
 * Broadcasts `x` to `shape` without copying (numpy's `broadcast_to`; PyTorch's `expand`): size-1
 * axes repeat, new leading axes may be added, and -1 keeps an axis as it is.
 */
export function expand(x: Tensor, shape: Shape): Tensor {
  assertLiveTensor('expand', x);
  if (!Array.isArray(shape)) assertValidShape('expand', shape);
  const fail = (): never => {
    throw new GatedError('expand', `cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
  };
  if (shape.length < x.rank) fail();
  const shift = shape.length - x.rank;
  const target = shape.map((d, i) => (d === -1 && i >= shift ? x.shape[i - shift]! : d));
  assertValidShape('expand', target);
  const strides = target.map((d, i) => {
    if (i < shift) return 0;
    const source = x.shape[i - shift]!;
    if (source === d) return x.strides[i - shift]!;
    if (source !== 1) fail();
    return 0;
  });
  return ENGINE.runOp('expand', [x], { shape: target }, () => ENGINE.view(x, target, strides, x.offset));
}
