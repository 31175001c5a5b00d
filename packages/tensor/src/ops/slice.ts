import { GatedError, describeValue, formatShape, normalizeAxis } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

/**
 * A rectangular window: `begin[i]` (negative counts from the end) and `size[i]` elements along
 * each axis (-1 or omitted: to the end). Axes past `begin.length` are taken whole. A view.
 *
 * @example
 * ```ts
 * slice(x, [0, 2], [-1, 3]); // x[:, 2:5]
 * ```
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  assertLiveTensor('slice', x);
  const [givenBegin, givenSize]: unknown[] = [begin, size];
  if (!Array.isArray(givenBegin) || (givenSize !== undefined && !Array.isArray(givenSize))) {
    throw new GatedError(
      'slice',
      `begin and size must be arrays of integers, got ${describeValue(givenBegin)} and ${describeValue(givenSize)}`,
    );
  }
  if (begin.length > x.rank || (size && size.length > x.rank)) {
    throw new GatedError('slice', `begin [${begin.join(',')}] has more axes than ${formatShape(x.shape)}`);
  }
  const starts: number[] = [];
  const sizes: number[] = [];
  for (let axis = 0; axis < x.rank; axis++) {
    const dim = x.shape[axis]!;
    const rawBegin = begin[axis] ?? 0;
    const start = rawBegin < 0 ? rawBegin + dim : rawBegin;
    const rawSize = size?.[axis] ?? -1;
    const length = rawSize === -1 ? dim - start : rawSize;
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > dim) {
      throw new GatedError(
        'slice',
        `begin [${begin.join(',')}] size [${(size ?? []).join(',')}] is out of bounds for shape ${formatShape(x.shape)} (axis ${axis})`,
      );
    }
    starts.push(start);
    sizes.push(length);
  }
  let offset = x.offset;
  for (let axis = 0; axis < x.rank; axis++) offset += starts[axis]! * x.strides[axis]!;
  return ENGINE.runOp('slice', [x], { begin: starts, size: sizes }, () => ENGINE.view(x, sizes, x.strides, offset));
}

/** `length` elements of `axis` starting at `start` (negative counts from the end; PyTorch's `narrow`). A view. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  assertLiveTensor('narrow', x);
  const a = normalizeAxis('narrow', axis, x.shape);
  const dim = x.shape[a]!;
  const from = start < 0 ? start + dim : start;
  if (!Number.isInteger(from) || !Number.isInteger(length) || from < 0 || length < 0 || from + length > dim) {
    throw new GatedError(
      'narrow',
      `start ${start} and length ${length} are out of bounds for axis ${a} of size ${dim} (shape ${formatShape(x.shape)})`,
    );
  }
  const begin = x.shape.map((_, i) => (i === a ? from : 0));
  const size = x.shape.map((_, i) => (i === a ? length : -1));
  return slice(x, begin, size);
}
