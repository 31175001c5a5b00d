import { GatedError, isPermutation, normalizeAxis } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

/** Reorders axes: output axis i is input axis `perm[i]`. A view (no copy). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  assertLiveTensor('permute', x);
  const normalized = perm.map((axis) => (Number.isInteger(axis) && axis < 0 ? axis + x.rank : axis));
  if (!isPermutation(normalized, x.rank)) {
    throw new GatedError('permute', `[${perm.join(',')}] is not a permutation of the ${x.rank} axes of [${x.shape.join(',')}]`);
  }
  return ENGINE.runOp('permute', [x], { perm: normalized }, () =>
    ENGINE.view(
      x,
      normalized.map((axis) => x.shape[axis]!),
      normalized.map((axis) => x.strides[axis]!),
      x.offset,
    ),
  );
}

/** Swaps two axes (the last two by default: the matrix transpose). A view. */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  assertLiveTensor('transpose', x);
  const a = normalizeAxis('transpose', axis0, x.shape);
  const b = normalizeAxis('transpose', axis1, x.shape);
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}
