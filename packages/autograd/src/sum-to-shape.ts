import { shapesEqual, type Shape } from '@gated/backend-api';
import { reshape, sum, type Tensor } from '@gated/tensor';

/**
 * Undoes broadcasting: sums `grad` over the axes along which an input of `shape` was broadcast
 * (added leading axes and size-1 axes), returning a tensor of exactly `shape`. The one helper
 * every broadcasting op's rule uses.
 */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < grad.rank; axis++) {
    if (axis < lead || (shape[axis - lead] === 1 && grad.shape[axis] !== 1)) axes.push(axis);
  }
  return reshape(sum(grad, axes, true), shape);
}
