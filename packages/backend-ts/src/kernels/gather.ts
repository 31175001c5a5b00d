/**
 * `gather`: selects slices along an axis by int32 indices. Every index is checked before anything
 * is copied, so a bad index never leaves a half-written result behind.
 */
import { GatedError, allocArray, type DType, type Shape, type TypedArray } from '@gated/backend-api';

/** Throws the GatedError `op` reports for the first index outside `[0, size)`. */
export function checkIndices(op: string, indices: Int32Array, axis: number, size: number): void {
  for (let j = 0; j < indices.length; j++) {
    const index = indices[j]!;
    if (index < 0 || index >= size) {
      throw new GatedError(op, `index ${index} is out of range for axis ${axis} of size ${size}`);
    }
  }
}

/** Sizes of the axes before `axis` and after it. */
export function outerInner(shape: Shape, axis: number): [outer: number, inner: number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, inner];
}

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
