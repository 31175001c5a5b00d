import { GatedError, formatShape, normalizeAxes, normalizeAxis } from '@gated/backend-api';
import type { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';

/** Removes size-1 axes: the given ones (each must have size 1), or all of them. A view. */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  x.assertLive('squeeze');
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axis, x.rank);
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new GatedError('squeeze', `axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]!}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

/** Inserts a size-1 axis at `axis` (in `[-rank-1, rank]`). A view. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  x.assertLive('unsqueeze');
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}
