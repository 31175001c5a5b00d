/** `fill`: a buffer of one value, converted to the dtype by the same rule as `cast`. */
import { allocArray, type DType, type TypedArray } from '@gated/backend-api';
import { toDType } from './cast.js';

export function fill(dtype: DType, size: number, value: number): TypedArray {
  const out = allocArray(dtype, size);
  const stored = toDType(value, dtype);
  if (stored !== 0 || Object.is(stored, -0)) out.fill(stored);
  return out;
}
