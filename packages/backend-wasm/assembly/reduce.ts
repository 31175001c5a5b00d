/**
 * Reductions. Every float32 sum and product accumulates in float64 and rounds once (as the
 * reference does), max and min propagate NaN, int32 sums and products wrap. The plan walks the
 * input (operand 0, contiguous) with the output's strides as operand 1 (0 on reduced axes); the
 * host passes an accumulator of the output's size (float64, or int32 for int32 sum/prod).
 */
import { DType, planDim, planNext, planOffsetPtr, planRank, planRows, planStride } from './common';

/** Reduction codes, named as `REDUCE_OPS` of @gated/backend-api (the host reads them by name). */
export enum Reduce {
  sum,
  prod,
  max,
  min,
}

/** Arg-reduction codes, named as `ARG_REDUCE_OPS`. */
export enum ArgReduce {
  argmax,
  argmin,
}

@inline function combine(op: i32, a: f64, b: f64): f64 {
  if (op == Reduce.sum) return a + b;
  if (op == Reduce.prod) return a * b;
  if (op == Reduce.max) return max(a, b);
  return min(a, b);
}

@inline function foldFloat(op: i32, dtype: i32, acc: usize, x: usize, plan: usize): void {
  const rows = planRows(plan);
  const last = planRank(plan) - 1;
  const n = planDim(plan, last);
  const sx = planStride(plan, 0, last);
  const so = planStride(plan, 1, last);
  const offX = planOffsetPtr(plan, 2, 0);
  const offO = planOffsetPtr(plan, 2, 1);
  for (let r = 0; r < rows; r++) {
    const xs = load<i32>(offX);
    const os = load<i32>(offO);
    if (so == 0) {
      const slot = acc + (<usize>os << 3);
      let s = load<f64>(slot);
      if (dtype == DType.float32) {
        if (op == Reduce.sum && sx == 1) {
          // Two float64 lanes per vector, two vectors in flight.
          let v0 = f64x2.splat(0), v1 = f64x2.splat(0);
          let i = 0;
          const p = x + (<usize>xs << 2);
          for (; i + 4 <= n; i += 4) {
            const v = v128.load(p + (<usize>i << 2));
            v0 = f64x2.add(v0, f64x2.promote_low_f32x4(v));
            v1 = f64x2.add(v1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
          }
          const v = f64x2.add(v0, v1);
          s += f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
          for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
        } else {
          for (let i = 0; i < n; i++) s = combine(op, s, <f64>load<f32>(x + (<usize>(xs + i * sx) << 2)));
        }
      } else {
        for (let i = 0; i < n; i++) s = combine(op, s, <f64>load<i32>(x + (<usize>(xs + i * sx) << 2)));
      }
      store<f64>(slot, s);
    } else if (dtype == DType.float32 && op == Reduce.sum && sx == 1 && so == 1) {
      // Rows added into a row of accumulators (a sum over leading axes), two lanes per f64x2.
      const p = x + (<usize>xs << 2);
      const slots = acc + (<usize>os << 3);
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(p + (<usize>i << 2));
        const slot = slots + (<usize>i << 3);
        v128.store(slot, f64x2.add(v128.load(slot), f64x2.promote_low_f32x4(v)));
        v128.store(slot, f64x2.add(v128.load(slot, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
      }
      for (; i < n; i++) {
        const slot = slots + (<usize>i << 3);
        store<f64>(slot, load<f64>(slot) + <f64>load<f32>(p + (<usize>i << 2)));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const slot = acc + (<usize>(os + i * so) << 3);
        const v = dtype == DType.float32 ? <f64>load<f32>(x + (<usize>(xs + i * sx) << 2)) : <f64>load<i32>(x + (<usize>(xs + i * sx) << 2));
        store<f64>(slot, combine(op, load<f64>(slot), v));
      }
    }
    planNext(plan, 2);
  }
}

@inline function foldInt(op: i32, acc: usize, x: usize, plan: usize): void {
  const rows = planRows(plan);
  const last = planRank(plan) - 1;
  const n = planDim(plan, last);
  const sx = planStride(plan, 0, last);
  const so = planStride(plan, 1, last);
  const offX = planOffsetPtr(plan, 2, 0);
  const offO = planOffsetPtr(plan, 2, 1);
  for (let r = 0; r < rows; r++) {
    const xs = load<i32>(offX);
    const os = load<i32>(offO);
    for (let i = 0; i < n; i++) {
      const slot = acc + (<usize>(os + i * so) << 2);
      const v = load<i32>(x + (<usize>(xs + i * sx) << 2));
      store<i32>(slot, op == Reduce.sum ? load<i32>(slot) + v : load<i32>(slot) * v);
    }
    planNext(plan, 2);
  }
}

/**
 * Reduces `x` (float32 or int32) into `out` (`outSize` elements) through `plan`. `acc` holds
 * `outSize` float64s, or int32s for int32 sum and prod.
 */
export function reduce(op: i32, dtype: i32, out: usize, outSize: i32, x: usize, plan: usize, acc: usize): void {
  if (dtype == DType.int32 && op <= Reduce.prod) {
    const identity = op == Reduce.sum ? 0 : 1;
    for (let i = 0; i < outSize; i++) store<i32>(acc + (<usize>i << 2), identity);
    if (op == Reduce.sum) foldInt(Reduce.sum, acc, x, plan);
    else foldInt(Reduce.prod, acc, x, plan);
    memory.copy(out, acc, <usize>outSize << 2);
    return;
  }
  const identity: f64 = op == Reduce.sum ? 0 : op == Reduce.prod ? 1 : op == Reduce.max ? -Infinity : Infinity;
  for (let i = 0; i < outSize; i++) store<f64>(acc + (<usize>i << 3), identity);
  if (dtype == DType.float32) {
    switch (op) {
      case Reduce.sum: foldFloat(Reduce.sum, DType.float32, acc, x, plan); break;
      case Reduce.prod: foldFloat(Reduce.prod, DType.float32, acc, x, plan); break;
      case Reduce.max: foldFloat(Reduce.max, DType.float32, acc, x, plan); break;
      default: foldFloat(3, DType.float32, acc, x, plan); break;
    }
    for (let i = 0; i < outSize; i++) store<f32>(out + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
  } else {
    if (op == Reduce.max) foldFloat(Reduce.max, DType.int32, acc, x, plan);
    else foldFloat(Reduce.min, DType.int32, acc, x, plan);
    for (let i = 0; i < outSize; i++) store<i32>(out + (<usize>i << 2), <i32>load<f64>(acc + (<usize>i << 3)));
  }
}

/**
 * argmax / argmin (`ArgReduce`) along the middle axis of an [outer, n, inner] view (n ≥ 1). NaN
 * counts as the extreme both ways and ties keep the first index. `best` holds `inner` float64s.
 */
export function argReduce(op: i32, dtype: i32, out: usize, x: usize, outer: i32, n: i32, inner: i32, best: usize): void {
  const width: usize = dtype == DType.bool ? 0 : 2;
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    const outBase = out + (<usize>(o * inner) << 2);
    for (let j = 0; j < inner; j++) {
      const i = base + j;
      const v = dtype == DType.float32 ? <f64>load<f32>(x + (<usize>i << 2)) : dtype == DType.int32 ? <f64>load<i32>(x + (<usize>i << 2)) : <f64>load<u8>(x + <usize>i);
      store<f64>(best + (<usize>j << 3), v);
      store<i32>(outBase + (<usize>j << 2), 0);
    }
    for (let k = 1; k < n; k++) {
      const row = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const i = row + j;
        const v = dtype == DType.float32 ? <f64>load<f32>(x + (<usize>i << 2)) : dtype == DType.int32 ? <f64>load<i32>(x + (<usize>i << 2)) : <f64>load<u8>(x + (<usize>i << width));
        const slot = best + (<usize>j << 3);
        const current = load<f64>(slot);
        if (current == current && (v != v || (op == ArgReduce.argmax ? v > current : v < current))) {
          store<f64>(slot, v);
          store<i32>(outBase + (<usize>j << 2), k);
        }
      }
    }
  }
}
