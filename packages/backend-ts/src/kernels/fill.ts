/** `fill`: a buffer of one value, converted to the dtype by the same rule as `cast`. */
import { allocArray, convertValue, type DType, type TypedArray } from '@gated/backend-api';

export function fill(dtype: DType, size: number, value: number): TypedArray {
  const out = allocArray(dtype, size);
  const stored = convertValue(value, dtype);
  if (stored !== 0 || Object.is(stored, -0)) out.fill(stored);
  return out;
}
