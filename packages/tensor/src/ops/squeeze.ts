import { GatedError, formatShape, normalizeAxes, type Shape } from '@gated/backend-api';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { assertLiveTensor } from '../tensor.js';

/** Removes size-1 axes: the given ones (each must have size 1), or all of them. A view. */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  assertLiveTensor('squeeze', x);
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axis, x.shape);
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new GatedError('squeeze', `axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]!}, not 1`);
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Inserts a size-1 axis at `axis` (in `[-rank-1, rank]`). A view. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  assertLiveTensor('unsqueeze', x);
  const a = insertionAxis('unsqueeze', axis, x.shape);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Where a new axis goes among the `rank + 1` positions of a result (`unsqueeze`, `stack`). @internal */
export function insertionAxis(op: string, axis: number, shape: Shape): number {
  const rank = shape.length + 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new GatedError(
      op,
      `axis ${String(axis)} is out of range for inserting an axis into shape ${formatShape(shape)}: valid axes are [${-rank}, ${rank - 1}]`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}
