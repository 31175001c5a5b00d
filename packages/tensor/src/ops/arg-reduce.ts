import { GatedError, formatShape, normalizeAxis, reducedShape, type ArgReduceOp } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertTyping } from './operands.js';
import { reshape } from './reshape.js';
import { assertLiveTensor } from '../tensor.js';

function argReduce(op: ArgReduceOp, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  assertLiveTensor(op, x);
  assertTyping(op, { inputs: ['float32', 'int32'], output: 'int32' }, x.dtype);
  if (axis === undefined) {
    if (x.size === 0) throw new GatedError(op, `cannot reduce an empty tensor of shape ${formatShape(x.shape)}`);
    return ENGINE.tidy(() => {
      const flat = reshape(x, [-1]);
      const index = argReduce(op, flat, 0, false);
      return keepDims
        ? reshape(
            index,
            x.shape.map(() => 1),
          )
        : index;
    });
  }
  const a = normalizeAxis(op, axis, x.shape);
  if (x.shape[a] === 0) throw new GatedError(op, `cannot reduce over an empty axis: shape ${formatShape(x.shape)}, axis ${a}`);
  const shape = reducedShape(x.shape, [a], keepDims);
  return ENGINE.runOp(op, [x], { axis: a, keepDims }, () =>
    ENGINE.kernel([x], shape, 'int32', (backend, [spec]) => backend.argReduce(op, spec!, a)),
  );
}

/**
 * int32 index of the largest element along `axis` (of the flattened tensor when omitted). NaN
 * counts as the largest; ties resolve to the first index.
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmax', x, axis, keepDims);
}
/** int32 index of the smallest element (NaN counts as the smallest). */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmin', x, axis, keepDims);
}
