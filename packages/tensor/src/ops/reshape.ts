import { GatedError, assertValidShape, contiguousStrides, formatShape, sizeOf, type Shape } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

/** Resolves one `-1` in a requested shape from the element count. */
function resolveShape(op: string, x: Tensor, requested: Shape): number[] {
  // Not an array at all: the same message a bad shape gets everywhere.
  if (!Array.isArray(requested)) assertValidShape(op, requested);
  const inferred = requested.filter((d) => d === -1).length;
  if (inferred > 1) throw new GatedError(op, `only one axis can be -1, got ${formatShape(requested)}`);
  const known = requested.filter((d) => d !== -1);
  assertValidShape(op, known);
  const knownSize = sizeOf(known);
  const shape = requested.map((d) => {
    if (d !== -1) return d;
    if (knownSize === 0 || x.size % knownSize !== 0) {
      throw new GatedError(op, `cannot infer the -1 axis: ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(requested)}`);
    }
    return x.size / knownSize;
  });
  if (sizeOf(shape) !== x.size) {
    throw new GatedError(
      op,
      `cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)} (${sizeOf(shape)} elements)`,
    );
  }
  return shape;
}

/**
 * The same elements in a new shape (row-major order); one axis may be -1. A view when `x` is
 * contiguous, else a copy.
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  assertLiveTensor('reshape', x);
  const target = resolveShape('reshape', x, shape);
  return ENGINE.runOp('reshape', [x], { shape: target }, () => {
    if (x.isContiguous) return ENGINE.view(x, target, contiguousStrides(target), x.offset);
    const handle = x.backend.stridedCopy({ data: x.storage.handle, shape: x.shape, strides: x.strides, offset: x.offset });
    return ENGINE.wrap(x.backend, handle, target, x.dtype);
  });
}

/** Flattens to one axis. */
export function flatten(x: Tensor): Tensor {
  assertLiveTensor('flatten', x);
  return reshape(x, [-1]);
}
