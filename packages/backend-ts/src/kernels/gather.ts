/**
 * `gather`: selects slices along an axis by int32 indices. Every index is checked before anything
 * is copied, so a bad index never leaves a half-written result behind.
 */
import { allocArray, checkIndices, outerInner, type DType, type Shape, type TypedArray } from '@gated/backend-api';

export function gather(x: TypedArray, dtype: DType, shape: Shape, indices: Int32Array, axis: number): TypedArray {
  const size = shape[axis]!;
  checkIndices('gather', indices, axis, size);
  const [outer, inner] = outerInner(shape, axis);
  const count = indices.length;
  const out = allocArray(dtype, outer * count * inner);
  if (out.length === 0) return out;
  for (let o = 0, dst = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let j = 0; j < count; j++, dst += inner) {
      const src = base + indices[j]! * inner;
      if (inner === 1) out[dst] = x[src]!;
      else for (let t = 0; t < inner; t++) out[dst + t] = x[src + t]!;
    }
  }
  return out;
}
