/** gather and scatterAdd along one axis of an [outer, size, inner] view, with int32 indices (checked by the host). */
import { DType } from './common';

/** out[o, j, :] = x[o, indices[j], :]; `width` is bytes per element (4 or 1). */
export function gather(width: i32, out: usize, x: usize, outer: i32, size: i32, inner: i32, indices: usize, count: i32): void {
  const slice = <usize>inner * <usize>width;
  let dst = out;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>size * slice;
    for (let j = 0; j < count; j++) {
      const src = base + <usize>load<i32>(indices + (<usize>j << 2)) * slice;
      if (width == 4 && inner == 1) store<i32>(dst, load<i32>(src));
      else memory.copy(dst, src, slice);
      dst += slice;
    }
  }
}

/**
 * Adds `updates` [outer, count, inner] into a zero [outer, size, inner] at the indices. float32
 * accumulates in the float64 `acc` (outer·size·inner slots) and rounds once; int32 wraps.
 */
export function scatterAdd(dtype: i32, out: usize, updates: usize, outer: i32, size: i32, inner: i32, indices: usize, count: i32, acc: usize): void {
  const total = outer * size * inner;
  if (dtype == DType.float32) {
    memory.fill(acc, 0, <usize>total << 3);
    let src = updates;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        let dst = acc + (<usize>((o * size + load<i32>(indices + (<usize>j << 2))) * inner) << 3);
        for (let t = 0; t < inner; t++) {
          store<f64>(dst, load<f64>(dst) + <f64>load<f32>(src));
          dst += 8;
          src += 4;
        }
      }
    }
    for (let i = 0; i < total; i++) store<f32>(out + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
  } else {
    memory.fill(out, 0, <usize>total << 2);
    let src = updates;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        let dst = out + (<usize>((o * size + load<i32>(indices + (<usize>j << 2))) * inner) << 2);
        for (let t = 0; t < inner; t++) {
          store<i32>(dst, load<i32>(dst) + load<i32>(src));
          dst += 4;
          src += 4;
        }
      }
    }
  }
}
