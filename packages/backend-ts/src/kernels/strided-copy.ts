/**
 * `stridedCopy`: materialises a view (any integer strides, including 0 and negative, plus an
 * offset; the checked layer made sure it stays inside `x`) into a new contiguous buffer. Axes the
 * view walks contiguously are merged first, so a contiguous slice is one block copy; rows with
 * unit stride are copied with `set`.
 */
import { allocArray, sizeOf, type DType, type Shape, type TypedArray } from '@gated/backend-api';
import { planRows } from './row-plan.js';

/** Rows at least this long are copied with `TypedArray.set` rather than an element loop. */
const BLOCK_COPY_MIN = 32;

export function stridedCopy(x: TypedArray, dtype: DType, shape: Shape, strides: readonly number[], offset: number): TypedArray {
  const size = sizeOf(shape);
  const out = allocArray(dtype, size);
  if (size === 0) return out;
  const plan = planRows(shape, [strides], [offset]);
  const step = plan.innerStrides[0]!;
  const starts = plan.offsets[0]!;
  const n = plan.length;
  if (step === 1 && n >= BLOCK_COPY_MIN) {
    for (let r = 0; r < plan.rows; r++) out.set(x.subarray(starts[r], starts[r]! + n), r * n);
  } else {
    for (let r = 0, o = 0; r < plan.rows; r++) {
      for (let i = 0, s = starts[r]!; i < n; i++, s += step) out[o++] = x[s]!;
    }
  }
  return out;
}
