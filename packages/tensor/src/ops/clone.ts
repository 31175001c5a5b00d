import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { assertLiveTensor } from '../tensor.js';

/** A contiguous copy with its own buffer. */
export function clone(x: Tensor): Tensor {
  assertLiveTensor('clone', x);
  return ENGINE.runOp('clone', [x], null, () =>
    ENGINE.wrap(
      x.backend,
      x.backend.stridedCopy({ data: x.storage.handle, shape: x.shape, strides: x.strides, offset: x.offset }),
      x.shape,
      x.dtype,
    ),
  );
}

/** `x` itself as a new view when it is already row-major, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  assertLiveTensor('contiguous', x);
  return x.isContiguous ? reshape(x, x.shape) : clone(x);
}
