/**
 * Shared pieces of the kernels: dtype codes, the fused multiply-add (relaxed SIMD where the
 * build enables it), fast vector activations for the LSTM kernels, and strided iteration plans.
 *
 * Plans. Elementwise kernels walk an n-d iteration space as rows. The host merges axes and writes
 * a plan into linear memory as i32s: `[rank, dims[rank], strides[ops][rank], counters[rank],
 * offsets[ops]]`. Strides and offsets are in elements; the output (when there is one) is
 * contiguous. `planNext` advances the odometer over the outer axes and updates the offsets.
 */

/** dtype codes, named as `DType` of @gated/backend-api (the host reads them from the module's exports). */
export enum DType {
  float32,
  int32,
  bool,
}

/** `a * b + c`; a single fused instruction in the relaxed-SIMD build. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// ---- fast f32x4 activations (LSTM kernels only; the unary kernels use float64 libm) ----------

/**
 * Vector constants live in a table in linear memory: V8 materialises a `v128.const` with four
 * or more instructions at every use, while a load from a constant address is one.
 */
const CONSTANTS = memory.data<f32>([
  88.7228391, 88.7228391, 88.7228391, 88.7228391, // 0: exp's upper clamp (e^88.72 is the largest float32)
  -87.3365447504, -87.3365447504, -87.3365447504, -87.3365447504, // 1: lower clamp (2^-126)
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 2: log2 e
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 3: 1.5·2^23, rounds to an integer in the low mantissa bits
  0.693359375, 0.693359375, 0.693359375, 0.693359375, // 4: ln 2, high part
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // 5: ln 2, low part
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 6..11: the polynomial
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0, // 12: one
  -2.0, -2.0, -2.0, -2.0, // 13: minus two
  -0.0, -0.0, -0.0, -0.0, // 14: the sign bit
  12582785.0, 12582785.0, 12582785.0, 12582785.0, // 15: 1.5·2^23 - 127, whose bits minus t's are n + 127
]);

@inline export function constant(index: i32): v128 {
  return v128.load(CONSTANTS + (<usize>index << 4));
}

@inline export function one(): v128 {
  return constant(12);
}

/**
 * e^x for 4 lanes, Cephes' expf polynomial (about 1 ulp). Arguments are clamped so that the
 * result spans the float32 range (e^88.72 and beyond saturate to +∞, tiny results stop at
 * 2^-126); NaN stays NaN. Every instruction maps onto one x64 SSE instruction: pseudo-min/max
 * (whose argument order keeps NaN), and n = round(x·log2 e) through the 1.5·2^23 trick instead
 * of round and convert.
 */
@inline export function vexp(x: v128): v128 {
  x = f32x4.pmin(x, constant(0));
  x = f32x4.pmax(x, constant(1));
  const rounder = constant(3);
  const t = madd(x, constant(2), rounder);
  const n = f32x4.sub(t, rounder);
  let r = f32x4.sub(x, f32x4.mul(n, constant(4)));
  r = f32x4.sub(r, f32x4.mul(n, constant(5)));
  let p = constant(6);
  p = madd(p, r, constant(7));
  p = madd(p, r, constant(8));
  p = madd(p, r, constant(9));
  p = madd(p, r, constant(10));
  p = madd(p, r, constant(11));
  const r2 = f32x4.mul(r, r);
  p = madd(p, r2, f32x4.add(r, one()));
  // 2^n: n sits in the low bits of t; move n + 127 into the exponent field.
  const scale = i32x4.shl(i32x4.sub(t, constant(15)), 23);
  return f32x4.mul(p, scale);
}

/**
 * σ(x) = 1 / (1 + e^-x) of four vectors at once, stored at `d`, `d + stride`, `d + 2·stride` and
 * `d + 3·stride`: `vexp`'s arithmetic with the four computations interleaved stage by stage. One
 * σ is a chain of about 25 dependent operations; in the order written here the core always has
 * independent work to issue, and the LSTM cell, which needs four, ran about 1.5× faster than
 * with four σ computed one after the other (Zen 4, V8 11).
 */
@inline export function vsigmoid4(x0: v128, x1: v128, x2: v128, x3: v128, d: usize, stride: usize): void {
  const upper = constant(0), lower = constant(1), rounder = constant(3), o = one();
  x0 = f32x4.pmax(f32x4.pmin(f32x4.neg(x0), upper), lower);
  x1 = f32x4.pmax(f32x4.pmin(f32x4.neg(x1), upper), lower);
  x2 = f32x4.pmax(f32x4.pmin(f32x4.neg(x2), upper), lower);
  x3 = f32x4.pmax(f32x4.pmin(f32x4.neg(x3), upper), lower);
  let c = constant(2);
  const t0 = madd(x0, c, rounder), t1 = madd(x1, c, rounder), t2 = madd(x2, c, rounder), t3 = madd(x3, c, rounder);
  const n0 = f32x4.sub(t0, rounder), n1 = f32x4.sub(t1, rounder), n2 = f32x4.sub(t2, rounder), n3 = f32x4.sub(t3, rounder);
  const high = constant(4), low = constant(5);
  const r0 = f32x4.sub(f32x4.sub(x0, f32x4.mul(n0, high)), f32x4.mul(n0, low));
  const r1 = f32x4.sub(f32x4.sub(x1, f32x4.mul(n1, high)), f32x4.mul(n1, low));
  const r2 = f32x4.sub(f32x4.sub(x2, f32x4.mul(n2, high)), f32x4.mul(n2, low));
  const r3 = f32x4.sub(f32x4.sub(x3, f32x4.mul(n3, high)), f32x4.mul(n3, low));
  // The polynomial, written out: Binaryen keeps a loop over the coefficients as a loop.
  c = constant(6);
  let k = constant(7);
  let p0 = madd(c, r0, k), p1 = madd(c, r1, k), p2 = madd(c, r2, k), p3 = madd(c, r3, k);
  k = constant(8);
  p0 = madd(p0, r0, k); p1 = madd(p1, r1, k); p2 = madd(p2, r2, k); p3 = madd(p3, r3, k);
  k = constant(9);
  p0 = madd(p0, r0, k); p1 = madd(p1, r1, k); p2 = madd(p2, r2, k); p3 = madd(p3, r3, k);
  k = constant(10);
  p0 = madd(p0, r0, k); p1 = madd(p1, r1, k); p2 = madd(p2, r2, k); p3 = madd(p3, r3, k);
  k = constant(11);
  p0 = madd(p0, r0, k); p1 = madd(p1, r1, k); p2 = madd(p2, r2, k); p3 = madd(p3, r3, k);
  p0 = madd(p0, f32x4.mul(r0, r0), f32x4.add(r0, o));
  p1 = madd(p1, f32x4.mul(r1, r1), f32x4.add(r1, o));
  p2 = madd(p2, f32x4.mul(r2, r2), f32x4.add(r2, o));
  p3 = madd(p3, f32x4.mul(r3, r3), f32x4.add(r3, o));
  c = constant(15);
  v128.store(d, f32x4.div(o, f32x4.add(o, f32x4.mul(p0, i32x4.shl(i32x4.sub(t0, c), 23)))));
  v128.store(d + stride, f32x4.div(o, f32x4.add(o, f32x4.mul(p1, i32x4.shl(i32x4.sub(t1, c), 23)))));
  v128.store(d + stride * 2, f32x4.div(o, f32x4.add(o, f32x4.mul(p2, i32x4.shl(i32x4.sub(t2, c), 23)))));
  v128.store(d + stride * 3, f32x4.div(o, f32x4.add(o, f32x4.mul(p3, i32x4.shl(i32x4.sub(t3, c), 23)))));
}

/** tanh(x) = sign(x)·(1 - e)/(1 + e) with e = e^(-2|x|), which never overflows. */
@inline export function vtanh(x: v128): v128 {
  const e = vexp(f32x4.mul(f32x4.abs(x), constant(13)));
  const o = one();
  const t = f32x4.div(f32x4.sub(o, e), f32x4.add(o, e));
  // Copy the sign bit of x onto t (NaN stays NaN).
  return v128.bitselect(x, t, constant(14));
}

/**
 * Transposes the 4×4 block whose rows are r0..r3 and stores its columns at dst, dst + stride,
 * dst + 2·stride, dst + 3·stride.
 */
@inline export function storeTransposed(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + stride * 2, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + stride * 3, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

// ---- plans -----------------------------------------------------------------------------------

@inline export function planRank(plan: usize): i32 {
  return load<i32>(plan);
}

@inline export function planDim(plan: usize, axis: i32): i32 {
  return load<i32>(plan + 4 + (<usize>axis << 2));
}

@inline export function planStride(plan: usize, op: i32, axis: i32): i32 {
  const rank = load<i32>(plan);
  return load<i32>(plan + 4 + (<usize>(rank * (1 + op) + axis) << 2));
}

/** Address of operand `op`'s current offset (elements). */
@inline export function planOffsetPtr(plan: usize, ops: i32, op: i32): usize {
  const rank = load<i32>(plan);
  return plan + 4 + (<usize>(rank * (2 + ops) + op) << 2);
}

/** Number of rows (the product of every axis but the last). */
export function planRows(plan: usize): i32 {
  const rank = load<i32>(plan);
  let rows = 1;
  for (let axis = 0; axis < rank - 1; axis++) rows *= planDim(plan, axis);
  return rows;
}

/** Moves to the next row: advances the odometer over the outer axes and every operand's offset. */
export function planNext(plan: usize, ops: i32): void {
  const rank = load<i32>(plan);
  const counters = plan + 4 + (<usize>(rank * (1 + ops)) << 2);
  const offsets = counters + (<usize>rank << 2);
  for (let axis = rank - 2; axis >= 0; axis--) {
    const dim = planDim(plan, axis);
    const slot = counters + (<usize>axis << 2);
    const count = load<i32>(slot) + 1;
    if (count < dim) {
      store<i32>(slot, count);
      for (let op = 0; op < ops; op++) {
        const p = offsets + (<usize>op << 2);
        store<i32>(p, load<i32>(p) + planStride(plan, op, axis));
      }
      return;
    }
    store<i32>(slot, 0);
    for (let op = 0; op < ops; op++) {
      const p = offsets + (<usize>op << 2);
      store<i32>(p, load<i32>(p) - planStride(plan, op, axis) * (dim - 1));
    }
  }
}
