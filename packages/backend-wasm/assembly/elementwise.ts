/**
 * Elementwise kernels: fill, cast, unary, binary (numpy broadcasting through a plan), where and
 * strided copies. float32 arithmetic (+ - * / sqrt, min/max, rounding) is IEEE float32, which
 * equals float64-then-round for these ops; transcendentals run in float64 libm and round once, as
 * the reference backend does. int32 arithmetic wraps. Op codes are the `Unary` and `Binary` enums
 * below, which the host reads by name.
 */
import { DType, planNext, planOffsetPtr, planRows, planStride, planDim, planRank } from './common';

// ---- fill and cast ---------------------------------------------------------------------------

/** `count` 32-bit words (float32 or int32 bits) equal to `bits`. */
export function fill32(out: usize, count: i32, bits: i32): void {
  const v = i32x4.splat(bits);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), v);
  for (; i < count; i++) store<i32>(out + (<usize>i << 2), bits);
}

export function fill8(out: usize, count: i32, value: i32): void {
  memory.fill(out, <u8>value, <usize>count);
}

/**
 * dtype conversion. float → int32 truncates toward zero, NaN → 0, saturating (`trunc_sat`);
 * anything → bool is `x != 0` (NaN → true); int32 → float32 rounds to nearest.
 */
export function cast(from: i32, to: i32, out: usize, x: usize, count: i32): void {
  if (from == to) {
    memory.copy(out, x, <usize>count << (from == DType.bool ? 0 : 2));
    return;
  }
  let i = 0;
  if (from == DType.float32 && to == DType.int32) {
    for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), i32x4.trunc_sat_f32x4_s(v128.load(x + (<usize>i << 2))));
    for (; i < count; i++) store<i32>(out + (<usize>i << 2), <i32>load<f32>(x + (<usize>i << 2)));
  } else if (from == DType.int32 && to == DType.float32) {
    for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), f32x4.convert_i32x4_s(v128.load(x + (<usize>i << 2))));
    for (; i < count; i++) store<f32>(out + (<usize>i << 2), <f32>load<i32>(x + (<usize>i << 2)));
  } else if (to == DType.bool) {
    if (from == DType.float32) for (; i < count; i++) store<u8>(out + <usize>i, load<f32>(x + (<usize>i << 2)) != 0 ? 1 : 0);
    else for (; i < count; i++) store<u8>(out + <usize>i, load<i32>(x + (<usize>i << 2)) != 0 ? 1 : 0);
  } else if (to == DType.float32) {
    for (; i < count; i++) store<f32>(out + (<usize>i << 2), <f32>load<u8>(x + <usize>i));
  } else {
    for (; i < count; i++) store<i32>(out + (<usize>i << 2), <i32>load<u8>(x + <usize>i));
  }
}

// ---- unary -----------------------------------------------------------------------------------

/**
 * Unary op codes, named exactly as `UNARY_OPS` of @gated/backend-api: the host reads each code
 * from the module's exports (`Unary.sin`) when it loads the module.
 */
export enum Unary {
  neg,
  abs,
  sign,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  rsqrt,
  square,
  reciprocal,
  sigmoid,
  tanh,
  relu,
  sin,
  cos,
  floor,
  ceil,
  round,
  logicalNot,
  isNaN,
  isFinite,
}

@inline function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

@inline function unaryScalar(op: i32, x: f32): f32 {
  const d = <f64>x;
  switch (op) {
    case Unary.sign: return x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x;
    case Unary.exp: return <f32>Math.exp(d);
    case Unary.log: return <f32>Math.log(d);
    case Unary.log1p: return <f32>Math.log1p(d);
    case Unary.expm1: return <f32>Math.expm1(d);
    case Unary.rsqrt: return <f32>(1 / Math.sqrt(d));
    case Unary.sigmoid: return <f32>sigmoid64(d);
    case Unary.tanh: return <f32>Math.tanh(d);
    case Unary.sin: return <f32>Math.sin(d);
    case Unary.cos: return <f32>Math.cos(d);
    default: return x;
  }
}

/** Float ops with an exact float32 vector form. */
@inline function unaryVector(op: i32, v: v128): v128 {
  switch (op) {
    case Unary.neg: return f32x4.neg(v);
    case Unary.abs: return f32x4.abs(v);
    case Unary.sqrt: return f32x4.sqrt(v);
    case Unary.square: return f32x4.mul(v, v);
    case Unary.reciprocal: return f32x4.div(f32x4.splat(1), v);
    case Unary.floor: return f32x4.floor(v);
    case Unary.ceil: return f32x4.ceil(v);
    case Unary.round: return f32x4.nearest(v);
    default: {
      // relu keeps NaN: x > 0 or x != x selects x, else +0.
      const keep = v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v));
      return v128.and(v, keep);
    }
  }
}

@inline function unaryVectorLoop(op: i32, out: usize, x: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), unaryVector(op, v128.load(x + (<usize>i << 2))));
  if (i < count) {
    // The tail through one padded vector: lanes past `count` are computed and dropped.
    for (let j = i; j < count; j++) {
      const v = unaryVector(op, f32x4.splat(load<f32>(x + (<usize>j << 2))));
      store<f32>(out + (<usize>j << 2), f32x4.extract_lane(v, 0));
    }
  }
}

@inline function unaryScalarLoop(op: i32, out: usize, x: usize, count: i32): void {
  for (let i = 0; i < count; i++) store<f32>(out + (<usize>i << 2), unaryScalar(op, load<f32>(x + (<usize>i << 2))));
}

export function unaryF32(op: i32, out: usize, x: usize, count: i32): void {
  switch (op) {
    case Unary.neg: unaryVectorLoop(Unary.neg, out, x, count); break;
    case Unary.abs: unaryVectorLoop(Unary.abs, out, x, count); break;
    case Unary.sqrt: unaryVectorLoop(Unary.sqrt, out, x, count); break;
    case Unary.square: unaryVectorLoop(Unary.square, out, x, count); break;
    case Unary.reciprocal: unaryVectorLoop(Unary.reciprocal, out, x, count); break;
    case Unary.floor: unaryVectorLoop(Unary.floor, out, x, count); break;
    case Unary.ceil: unaryVectorLoop(Unary.ceil, out, x, count); break;
    case Unary.round: unaryVectorLoop(Unary.round, out, x, count); break;
    case Unary.relu: unaryVectorLoop(Unary.relu, out, x, count); break;
    case Unary.sign: unaryScalarLoop(Unary.sign, out, x, count); break;
    case Unary.exp: unaryScalarLoop(Unary.exp, out, x, count); break;
    case Unary.log: unaryScalarLoop(Unary.log, out, x, count); break;
    case Unary.log1p: unaryScalarLoop(Unary.log1p, out, x, count); break;
    case Unary.expm1: unaryScalarLoop(Unary.expm1, out, x, count); break;
    case Unary.rsqrt: unaryScalarLoop(Unary.rsqrt, out, x, count); break;
    case Unary.sigmoid: unaryScalarLoop(Unary.sigmoid, out, x, count); break;
    case Unary.tanh: unaryScalarLoop(Unary.tanh, out, x, count); break;
    case Unary.sin: unaryScalarLoop(Unary.sin, out, x, count); break;
    case Unary.cos: unaryScalarLoop(Unary.cos, out, x, count); break;
    case Unary.isNaN:
      for (let i = 0; i < count; i++) {
        const v = load<f32>(x + (<usize>i << 2));
        store<u8>(out + <usize>i, v != v ? 1 : 0);
      }
      break;
    case Unary.isFinite:
      for (let i = 0; i < count; i++) {
        const v = load<f32>(x + (<usize>i << 2));
        store<u8>(out + <usize>i, v - v == 0 ? 1 : 0);
      }
      break;
    default: break;
  }
}

export function unaryI32(op: i32, out: usize, x: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const v = load<i32>(x + (<usize>i << 2));
    let r: i32;
    switch (op) {
      case Unary.neg: r = 0 - v; break;
      case Unary.abs: r = v < 0 ? 0 - v : v; break;
      case Unary.sign: r = v > 0 ? 1 : v < 0 ? -1 : 0; break;
      case Unary.square: r = v * v; break;
      default: r = v > 0 ? v : 0; break;
    }
    store<i32>(out + (<usize>i << 2), r);
  }
}

export function logicalNot(out: usize, x: usize, count: i32): void {
  for (let i = 0; i < count; i++) store<u8>(out + <usize>i, load<u8>(x + <usize>i) == 0 ? 1 : 0);
}

// ---- binary ----------------------------------------------------------------------------------

/** Binary op codes, named exactly as `BINARY_OPS` of @gated/backend-api (read like `Unary`). */
export enum Binary {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  equal,
  notEqual,
  less,
  lessEqual,
  greater,
  greaterEqual,
  logicalAnd,
  logicalOr,
}

/**
 * C's pow, as PyTorch: pow(1, y) and pow(x, ±0) are 1 for every y and x (NaN included) and
 * pow(-1, ±∞) is 1, where AssemblyScript's Math.pow follows JavaScript and gives NaN.
 */
@inline function powC(x: f64, y: f64): f64 {
  if (x == 1 || y == 0) return 1;
  if (x == -1 && (y == Infinity || y == -Infinity)) return 1;
  return Math.pow(x, y);
}

@inline function floatOp(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case Binary.add: return a + b;
    case Binary.sub: return a - b;
    case Binary.mul: return a * b;
    case Binary.div: return a / b;
    case Binary.pow: return <f32>powC(<f64>a, <f64>b);
    case Binary.maximum: return max(a, b);
    default: return min(a, b);
  }
}

@inline function floatVector(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case Binary.add: return f32x4.add(a, b);
    case Binary.sub: return f32x4.sub(a, b);
    case Binary.mul: return f32x4.mul(a, b);
    case Binary.div: return f32x4.div(a, b);
    case Binary.maximum: return f32x4.max(a, b);
    default: return f32x4.min(a, b);
  }
}

@inline function intOp(op: i32, a: i32, b: i32): i32 {
  switch (op) {
    case Binary.add: return a + b;
    case Binary.sub: return a - b;
    case Binary.mul: return a * b;
    case Binary.maximum: return a > b ? a : b;
    default: return a < b ? a : b;
  }
}

@inline function intVector(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case Binary.add: return i32x4.add(a, b);
    case Binary.sub: return i32x4.sub(a, b);
    case Binary.mul: return i32x4.mul(a, b);
    case Binary.maximum: return i32x4.max_s(a, b);
    default: return i32x4.min_s(a, b);
  }
}

/** One row of float32 arithmetic: strides 1 or 0 take the vector path. */
@inline function floatRow(op: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32, n: i32): void {
  let i = 0;
  if (op != Binary.pow) {
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, floatVector(op, v128.load(a + o), v128.load(b + o)));
      }
    } else if (sa == 1 && sb == 0) {
      const vb = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, floatVector(op, v128.load(a + o), vb));
      }
    } else if (sa == 0 && sb == 1) {
      const va = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, floatVector(op, va, v128.load(b + o)));
      }
    }
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), floatOp(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
  }
}

@inline function intRow(op: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, intVector(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 1 && sb == 0) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, intVector(op, v128.load(a + o), vb));
    }
  } else if (sa == 0 && sb == 1) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, intVector(op, va, v128.load(b + o)));
    }
  }
  for (; i < n; i++) {
    store<i32>(out + (<usize>i << 2), intOp(op, load<i32>(a + (<usize>(i * sa) << 2)), load<i32>(b + (<usize>(i * sb) << 2))));
  }
}

@inline function loadAs(dtype: i32, p: usize, i: i32): f64 {
  if (dtype == DType.float32) return <f64>load<f32>(p + (<usize>i << 2));
  if (dtype == DType.int32) return <f64>load<i32>(p + (<usize>i << 2));
  return <f64>load<u8>(p + <usize>i);
}

@inline function compare(op: i32, a: f64, b: f64): bool {
  switch (op) {
    case Binary.equal: return a == b;
    case Binary.notEqual: return a != b;
    case Binary.less: return a < b;
    case Binary.lessEqual: return a <= b;
    case Binary.greater: return a > b;
    case Binary.greaterEqual: return a >= b;
    case Binary.logicalAnd: return a != 0 && b != 0;
    default: return a != 0 || b != 0;
  }
}

@inline function compareRow(op: i32, dtype: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(out + <usize>i, compare(op, loadAs(dtype, a, i * sa), loadAs(dtype, b, i * sb)) ? 1 : 0);
}

function binaryRow(op: i32, dtype: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32, n: i32): void {
  if (op >= Binary.equal) {
    switch (dtype) {
      case DType.float32:
        switch (op) {
          case Binary.equal: compareRow(Binary.equal, DType.float32, out, a, sa, b, sb, n); break;
          case Binary.notEqual: compareRow(Binary.notEqual, DType.float32, out, a, sa, b, sb, n); break;
          case Binary.less: compareRow(Binary.less, DType.float32, out, a, sa, b, sb, n); break;
          case Binary.lessEqual: compareRow(Binary.lessEqual, DType.float32, out, a, sa, b, sb, n); break;
          case Binary.greater: compareRow(Binary.greater, DType.float32, out, a, sa, b, sb, n); break;
          default: compareRow(Binary.greaterEqual, DType.float32, out, a, sa, b, sb, n); break;
        }
        break;
      case DType.int32:
        switch (op) {
          case Binary.equal: compareRow(Binary.equal, DType.int32, out, a, sa, b, sb, n); break;
          case Binary.notEqual: compareRow(Binary.notEqual, DType.int32, out, a, sa, b, sb, n); break;
          case Binary.less: compareRow(Binary.less, DType.int32, out, a, sa, b, sb, n); break;
          case Binary.lessEqual: compareRow(Binary.lessEqual, DType.int32, out, a, sa, b, sb, n); break;
          case Binary.greater: compareRow(Binary.greater, DType.int32, out, a, sa, b, sb, n); break;
          default: compareRow(Binary.greaterEqual, DType.int32, out, a, sa, b, sb, n); break;
        }
        break;
      default:
        switch (op) {
          case Binary.equal: compareRow(Binary.equal, DType.bool, out, a, sa, b, sb, n); break;
          case Binary.notEqual: compareRow(Binary.notEqual, DType.bool, out, a, sa, b, sb, n); break;
          case Binary.less: compareRow(Binary.less, DType.bool, out, a, sa, b, sb, n); break;
          case Binary.lessEqual: compareRow(Binary.lessEqual, DType.bool, out, a, sa, b, sb, n); break;
          case Binary.greater: compareRow(Binary.greater, DType.bool, out, a, sa, b, sb, n); break;
          case Binary.greaterEqual: compareRow(Binary.greaterEqual, DType.bool, out, a, sa, b, sb, n); break;
          case Binary.logicalAnd: compareRow(Binary.logicalAnd, DType.bool, out, a, sa, b, sb, n); break;
          default: compareRow(Binary.logicalOr, DType.bool, out, a, sa, b, sb, n); break;
        }
        break;
    }
    return;
  }
  if (dtype == DType.float32) {
    switch (op) {
      case Binary.add: floatRow(Binary.add, out, a, sa, b, sb, n); break;
      case Binary.sub: floatRow(Binary.sub, out, a, sa, b, sb, n); break;
      case Binary.mul: floatRow(Binary.mul, out, a, sa, b, sb, n); break;
      case Binary.div: floatRow(Binary.div, out, a, sa, b, sb, n); break;
      case Binary.pow: floatRow(Binary.pow, out, a, sa, b, sb, n); break;
      case Binary.maximum: floatRow(Binary.maximum, out, a, sa, b, sb, n); break;
      default: floatRow(Binary.minimum, out, a, sa, b, sb, n); break;
    }
  } else {
    switch (op) {
      case Binary.add: intRow(Binary.add, out, a, sa, b, sb, n); break;
      case Binary.sub: intRow(Binary.sub, out, a, sa, b, sb, n); break;
      case Binary.mul: intRow(Binary.mul, out, a, sa, b, sb, n); break;
      case Binary.maximum: intRow(Binary.maximum, out, a, sa, b, sb, n); break;
      default: intRow(Binary.minimum, out, a, sa, b, sb, n); break;
    }
  }
}

/** `op(a, b)` over a two-operand plan; the output is contiguous. */
export function binary(op: i32, dtype: i32, out: usize, a: usize, b: usize, plan: usize): void {
  const inWidth: usize = dtype == DType.bool ? 0 : 2;
  const outWidth: usize = op >= Binary.equal ? 0 : 2;
  const rows = planRows(plan);
  const n = planDim(plan, planRank(plan) - 1);
  const sa = planStride(plan, 0, planRank(plan) - 1);
  const sb = planStride(plan, 1, planRank(plan) - 1);
  const offA = planOffsetPtr(plan, 2, 0);
  const offB = planOffsetPtr(plan, 2, 1);
  let o: usize = out;
  const rowBytes = <usize>n << outWidth;
  for (let r = 0; r < rows; r++) {
    binaryRow(op, dtype, o, a + (<usize>load<i32>(offA) << inWidth), sa, b + (<usize>load<i32>(offB) << inWidth), sb, n);
    o += rowBytes;
    planNext(plan, 2);
  }
}

// ---- where and strided copy ------------------------------------------------------------------

/** `cond ? a : b` over a three-operand plan (cond, a, b); `width` is 4 or 1 bytes per element. */
export function where(width: i32, out: usize, cond: usize, a: usize, b: usize, plan: usize): void {
  const rows = planRows(plan);
  const last = planRank(plan) - 1;
  const n = planDim(plan, last);
  const sc = planStride(plan, 0, last);
  const sa = planStride(plan, 1, last);
  const sb = planStride(plan, 2, last);
  const offC = planOffsetPtr(plan, 3, 0);
  const offA = planOffsetPtr(plan, 3, 1);
  const offB = planOffsetPtr(plan, 3, 2);
  let o: usize = out;
  for (let r = 0; r < rows; r++) {
    const c = cond + <usize>load<i32>(offC);
    if (width == 4) {
      const pa = a + (<usize>load<i32>(offA) << 2);
      const pb = b + (<usize>load<i32>(offB) << 2);
      for (let i = 0; i < n; i++) {
        const v = load<u8>(c + <usize>(i * sc)) != 0 ? load<i32>(pa + (<usize>(i * sa) << 2)) : load<i32>(pb + (<usize>(i * sb) << 2));
        store<i32>(o + (<usize>i << 2), v);
      }
      o += <usize>n << 2;
    } else {
      const pa = a + <usize>load<i32>(offA);
      const pb = b + <usize>load<i32>(offB);
      for (let i = 0; i < n; i++) {
        store<u8>(o + <usize>i, load<u8>(c + <usize>(i * sc)) != 0 ? load<u8>(pa + <usize>(i * sa)) : load<u8>(pb + <usize>(i * sb)));
      }
      o += <usize>n;
    }
    planNext(plan, 3);
  }
}

/** Materialises a one-operand plan (any strides, offsets already in the plan) contiguously. */
export function stridedCopy(width: i32, out: usize, x: usize, plan: usize): void {
  const rows = planRows(plan);
  const last = planRank(plan) - 1;
  const n = planDim(plan, last);
  const sx = planStride(plan, 0, last);
  const offX = planOffsetPtr(plan, 1, 0);
  let o: usize = out;
  for (let r = 0; r < rows; r++) {
    const start = load<i32>(offX);
    if (width == 4) {
      if (sx == 1) {
        memory.copy(o, x + (<usize>start << 2), <usize>n << 2);
      } else {
        for (let i = 0; i < n; i++) store<i32>(o + (<usize>i << 2), load<i32>(x + (<usize>(start + i * sx) << 2)));
      }
      o += <usize>n << 2;
    } else {
      if (sx == 1) {
        memory.copy(o, x + <usize>start, <usize>n);
      } else {
        for (let i = 0; i < n; i++) store<u8>(o + <usize>i, load<u8>(x + <usize>(start + i * sx)));
      }
      o += <usize>n;
    }
    planNext(plan, 1);
  }
}

/** Copies `outer` chunks of `chunkBytes` from contiguous `x` into `out`, one every `outRowBytes`. */
export function copyChunks(out: usize, outRowBytes: i32, x: usize, chunkBytes: i32, outer: i32): void {
  for (let o = 0; o < outer; o++) {
    memory.copy(out + <usize>o * <usize>outRowBytes, x + <usize>o * <usize>chunkBytes, <usize>chunkBytes);
  }
}
