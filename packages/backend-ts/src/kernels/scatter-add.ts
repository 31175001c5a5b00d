/**
 * `scatterAdd`, the adjoint of `gather`: slices of `updates` are added into a zero buffer at
 * their indices along an axis, repeated indices accumulating. float32 sums accumulate in doubles
 * and round once; int32 sums wrap. Indices are all checked before anything is written.
 */
import { checkIndices, outerInner, sizeOf, type Shape } from '@gated/backend-api';

export function scatterAdd(
  updates: Float32Array | Int32Array,
  indices: Int32Array,
  axis: number,
  outShape: Shape,
): Float32Array | Int32Array {
  const size = outShape[axis]!;
  checkIndices('scatterAdd', indices, axis, size);
  const [outer, inner] = outerInner(outShape, axis);
  const count = indices.length;
  const total = sizeOf(outShape);
  if (updates instanceof Int32Array) {
    const out = new Int32Array(total);
    for (let o = 0, src = 0; o < outer; o++) {
      const base = o * size * inner;
      for (let j = 0; j < count; j++, src += inner) {
        const dst = base + indices[j]! * inner;
        for (let t = 0; t < inner; t++) out[dst + t] = (out[dst + t]! + updates[src + t]!) | 0;
      }
    }
    return out;
  }
  const acc = new Float64Array(total);
  for (let o = 0, src = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let j = 0; j < count; j++, src += inner) {
      const dst = base + indices[j]! * inner;
      for (let t = 0; t < inner; t++) acc[dst + t] = acc[dst + t]! + updates[src + t]!;
    }
  }
  return Float32Array.from(acc);
}
