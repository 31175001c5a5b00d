/**
 * fill, cast, unary, binary, where and stridedCopy: one dispatch each through the elementwise
 * template. Float semantics come from `wgsl/math.ts` (NaN, ±∞, ±0 and subnormals decided on the
 * bits); int32 arithmetic runs in u32, which wraps modulo 2^32 as the contract asks.
 */
import {
  BINARY_TYPING,
  UNARY_TYPING,
  broadcastStrides,
  contiguousStrides,
  sizeOf,
  type BinaryOp,
  type DType,
  type Shape,
  type StridedSpec,
  type UnaryOp,
} from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import { f32Bits } from '../runtime/uniforms.js';
import { offsetCode, toBits } from '../wgsl/access.js';
import { elementwiseGroups } from '../wgsl/elementwise.js';
import { collapse, elementwiseKernel, walkArrays, type ElementwiseKernel } from './layout.js';

/** Records `kernel` over `n` outputs into `out`. */
export function runElementwise(
  ctx: GpuContext,
  op: string,
  kernel: ElementwiseKernel,
  inputs: readonly WebGpuBuffer[],
  out: WebGpuBuffer,
  values: Record<string, number | readonly number[]>,
): void {
  if (out.size === 0) return;
  const resources = [...inputs.map((b) => ctx.bind(b)), ctx.bind(out)];
  ctx.run(op, kernel.source, resources, kernel.uniforms.pack({ n: out.size, ...values }), elementwiseGroups(out.size, out.dtype));
}

// ---- fill -----------------------------------------------------------------------------------

/** The stored bits of `value` in `dtype` (int32 truncates and saturates as `cast` does). */
export function valueBits(dtype: DType, value: number): number {
  if (dtype === 'float32') return f32Bits(value);
  if (dtype === 'bool') return value !== 0 ? 1 : 0;
  if (value !== value) return 0;
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(value))) >>> 0;
}

export function fill(ctx: GpuContext, dtype: DType, size: number, value: number): WebGpuBuffer {
  const out = ctx.output('fill', dtype, size);
  const bits = valueBits(dtype, value);
  if (bits === 0) {
    ctx.recorder.clear(out.gpu, 0, out.bindBytes);
    return out;
  }
  const kernel = elementwiseKernel(
    `fill/${dtype}`,
    {
      scalars: [
        ['n', 'u32'],
        ['bits', 'u32'],
      ],
    },
    () => ({
      inputs: [],
      output: dtype,
      body: '  return P.bits;',
    }),
  );
  runElementwise(ctx, 'fill', kernel, [], out, { bits });
  return out;
}

// ---- cast -----------------------------------------------------------------------------------

const CONVERSIONS = /* wgsl */ `
// float -> int32: truncate toward zero, NaN -> 0, saturate.
fn f32_to_i32(x: f32) -> i32 {
  if (f_isnan(x)) { return 0i; }
  if (x >= 2147483648.0) { return 2147483647i; }
  if (x <= -2147483648.0) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}
// int32 -> float32 rounded to nearest even (WGSL leaves the rounding direction to the driver).
fn i32_to_f32(x: i32) -> f32 {
  let negative = x < 0i;
  let v = select(bitcast<u32>(x), 0u - bitcast<u32>(x), negative);
  var f: f32;
  if (v < 16777216u) {
    f = f32(v);
  } else {
    let shift = 31u - countLeadingZeros(v) - 23u;
    var mantissa = v >> shift;
    let rest = v & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (mantissa & 1u) == 1u)) { mantissa = mantissa + 1u; }
    f = f32(mantissa) * bitcast<f32>((127u + shift) << 23u);
  }
  return select(f, -f, negative);
}
`;

function castExpression(from: DType, to: DType): string {
  if (to === 'bool') {
    if (from === 'float32') return 'u32((x_bits & 0x7fffffffu) != 0u)';
    return 'u32(x_bits != 0u)';
  }
  if (to === 'int32') return from === 'float32' ? 'bitcast<u32>(f32_to_i32(bitcast<f32>(x_bits)))' : 'x_bits';
  return from === 'int32' ? 'bitcast<u32>(i32_to_f32(bitcast<i32>(x_bits)))' : 'bitcast<u32>(f32(x_bits))';
}

export function cast(ctx: GpuContext, x: WebGpuBuffer, dtype: DType): WebGpuBuffer {
  const out = ctx.output('cast', dtype, x.size);
  if (x.dtype === dtype) {
    ctx.recorder.copy(x.gpu, 0, out.gpu, 0, Math.ceil(x.bytes / 4) * 4);
    return out;
  }
  const kernel = elementwiseKernel(`cast/${x.dtype}/${dtype}`, { scalars: [['n', 'u32']] }, () => ({
    inputs: [['x', x.dtype]],
    output: dtype,
    helpers: CONVERSIONS,
    body: `  let x_bits = raw_x(i);\n  return ${castExpression(x.dtype, dtype)};`,
  }));
  runElementwise(ctx, 'cast', kernel, [x], out, {});
  return out;
}

// ---- unary ----------------------------------------------------------------------------------

const FLOAT_UNARY: Partial<Record<UnaryOp, readonly [string, readonly string[]]>> = {
  neg: ['f_neg(x)', []],
  abs: ['f_abs(x)', []],
  sign: ['select(select(select(0.0, 1.0, f_key(x) > 0i), -1.0, f_key(x) < 0i), x, f_isnan(x))', []],
  exp: ['f_exp(x)', ['exp']],
  log: ['f_log(x)', ['log']],
  log1p: ['f_log1p(x)', ['log1p']],
  expm1: ['f_expm1(x)', ['expm1']],
  sqrt: ['f_sqrt(x)', ['sqrt']],
  rsqrt: ['f_rsqrt(x)', ['sqrt']],
  square: ['x * x', []],
  reciprocal: ['f_div(1.0, x)', ['div']],
  sigmoid: ['f_sigmoid(x)', ['sigmoid']],
  tanh: ['f_tanh(x)', ['tanh']],
  relu: ['select(0.0, x, f_key(x) > 0i || f_isnan(x))', []],
  sin: ['f_sin(x)', ['trig']],
  cos: ['f_cos(x)', ['trig']],
  floor: ['f_floor(x)', ['rounding']],
  ceil: ['f_ceil(x)', ['rounding']],
  round: ['f_round(x)', ['rounding']],
  isNaN: ['f_isnan(x)', []],
  isFinite: ['f_isfinite(x)', []],
};

const INT_UNARY: Partial<Record<UnaryOp, string>> = {
  neg: 'bitcast<i32>(0u - bitcast<u32>(x))',
  abs: 'select(x, bitcast<i32>(0u - bitcast<u32>(x)), x < 0i)',
  sign: 'select(select(0i, 1i, x > 0i), -1i, x < 0i)',
  square: 'bitcast<i32>(bitcast<u32>(x) * bitcast<u32>(x))',
  relu: 'max(x, 0i)',
};

export function unary(ctx: GpuContext, op: UnaryOp, x: WebGpuBuffer): WebGpuBuffer {
  const typing = UNARY_TYPING[op].output;
  const dtype: DType = typing === 'same' ? x.dtype : typing;
  let expression: string;
  let math: readonly string[] = [];
  if (x.dtype === 'float32') {
    const entry = FLOAT_UNARY[op]!;
    [expression, math] = entry;
  } else if (x.dtype === 'int32') {
    expression = INT_UNARY[op]!;
  } else {
    expression = 'u32(x == 0u)';
  }
  const out = ctx.output('unary', dtype, x.size);
  const kernel = elementwiseKernel(`unary/${op}/${x.dtype}`, { scalars: [['n', 'u32']] }, () => ({
    inputs: [['x', x.dtype]],
    output: dtype,
    math,
    body: `  let x = ld_x(i);\n  return ${toBits(dtype, expression)};`,
  }));
  runElementwise(ctx, 'unary', kernel, [x], out, {});
  return out;
}

// ---- binary ---------------------------------------------------------------------------------

const FLOAT_BINARY: Record<BinaryOp, readonly [string, readonly string[]]> = {
  add: ['a + b', []],
  sub: ['a - b', []],
  mul: ['a * b', []],
  div: ['f_div(a, b)', ['div']],
  pow: ['f_pow(a, b)', ['pow']],
  maximum: ['f_maximum(a, b)', []],
  minimum: ['f_minimum(a, b)', []],
  equal: ['!f_isnan(a) && !f_isnan(b) && f_key(a) == f_key(b)', []],
  notEqual: ['!(!f_isnan(a) && !f_isnan(b) && f_key(a) == f_key(b))', []],
  less: ['!f_isnan(a) && !f_isnan(b) && f_key(a) < f_key(b)', []],
  lessEqual: ['!f_isnan(a) && !f_isnan(b) && f_key(a) <= f_key(b)', []],
  greater: ['!f_isnan(a) && !f_isnan(b) && f_key(a) > f_key(b)', []],
  greaterEqual: ['!f_isnan(a) && !f_isnan(b) && f_key(a) >= f_key(b)', []],
  logicalAnd: ['', []],
  logicalOr: ['', []],
};

/** maximum/minimum: NaN wins; of two zeros, max prefers +0 and min -0 (as Math.max/min do). */
const EXTREMES = /* wgsl */ `
fn f_maximum(a: f32, b: f32) -> f32 {
  if (f_isnan(a)) { return a; }
  if (f_isnan(b)) { return b; }
  let ka = f_key(a);
  let kb = f_key(b);
  if (ka == kb) { return bitcast<f32>(bitcast<u32>(a) & bitcast<u32>(b)); }
  return select(b, a, ka > kb);
}
fn f_minimum(a: f32, b: f32) -> f32 {
  if (f_isnan(a)) { return a; }
  if (f_isnan(b)) { return b; }
  let ka = f_key(a);
  let kb = f_key(b);
  if (ka == kb) { return bitcast<f32>(bitcast<u32>(a) | bitcast<u32>(b)); }
  return select(b, a, ka < kb);
}
`;

const INT_BINARY: Partial<Record<BinaryOp, string>> = {
  add: 'bitcast<i32>(bitcast<u32>(a) + bitcast<u32>(b))',
  sub: 'bitcast<i32>(bitcast<u32>(a) - bitcast<u32>(b))',
  mul: 'bitcast<i32>(bitcast<u32>(a) * bitcast<u32>(b))',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
};

const COMPARE: Partial<Record<BinaryOp, string>> = {
  equal: 'a == b',
  notEqual: 'a != b',
  less: 'a < b',
  lessEqual: 'a <= b',
  greater: 'a > b',
  greaterEqual: 'a >= b',
  logicalAnd: '(a & b) != 0u',
  logicalOr: '(a | b) != 0u',
};

function binaryExpression(op: BinaryOp, dtype: DType, outDtype: DType): readonly [string, readonly string[]] {
  if (dtype === 'float32' && op !== 'logicalAnd' && op !== 'logicalOr') return FLOAT_BINARY[op];
  if (outDtype === 'bool') return [COMPARE[op]!, []];
  return [INT_BINARY[op]!, []];
}

/** Strides of an operand of `shape` broadcast to `outShape` (0 on broadcast axes). */
function walkStrides(shape: Shape, outShape: Shape): number[] {
  return broadcastStrides(shape, outShape);
}

export function binary(
  ctx: GpuContext,
  op: BinaryOp,
  a: WebGpuBuffer,
  aShape: Shape,
  b: WebGpuBuffer,
  bShape: Shape,
  outShape: Shape,
): WebGpuBuffer {
  const typing = BINARY_TYPING[op].output;
  const dtype: DType = typing === 'same' ? a.dtype : typing;
  const out = ctx.output('binary', dtype, sizeOf(outShape));
  const walk = collapse(outShape, [walkStrides(aShape, outShape), walkStrides(bShape, outShape)]);
  const rank = walk.shape.length;
  const [expression, math] = binaryExpression(op, a.dtype, dtype);
  const kernel = elementwiseKernel(
    `binary/${op}/${a.dtype}/${rank}`,
    { scalars: [['n', 'u32']], arrays: walkArrays(rank, ['a', 'b']) },
    () => ({
      inputs: [
        ['a', a.dtype],
        ['b', a.dtype],
      ],
      output: dtype,
      math,
      helpers: op === 'maximum' || op === 'minimum' ? EXTREMES : '',
      body: `${offsetCode('i', rank, 'shape', ['a', 'b'])}
  let a = ld_a(u32(o_a));
  let b = ld_b(u32(o_b));
  return ${toBits(dtype, expression)};`,
    }),
  );
  runElementwise(ctx, 'binary', kernel, [a, b], out, { shape: walk.shape, strides_a: walk.strides[0]!, strides_b: walk.strides[1]! });
  return out;
}

// ---- where ----------------------------------------------------------------------------------

export function where(
  ctx: GpuContext,
  cond: WebGpuBuffer,
  condShape: Shape,
  a: WebGpuBuffer,
  aShape: Shape,
  b: WebGpuBuffer,
  bShape: Shape,
  outShape: Shape,
): WebGpuBuffer {
  const out = ctx.output('where', a.dtype, sizeOf(outShape));
  const walk = collapse(outShape, [walkStrides(condShape, outShape), walkStrides(aShape, outShape), walkStrides(bShape, outShape)]);
  const rank = walk.shape.length;
  const kernel = elementwiseKernel(
    `where/${a.dtype}/${rank}`,
    { scalars: [['n', 'u32']], arrays: walkArrays(rank, ['c', 'a', 'b']) },
    () => ({
      inputs: [
        ['c', 'bool'],
        ['a', a.dtype],
        ['b', a.dtype],
      ],
      output: a.dtype,
      body: `${offsetCode('i', rank, 'shape', ['c', 'a', 'b'])}
  if (raw_c(u32(o_c)) != 0u) { return raw_a(u32(o_a)); }
  return raw_b(u32(o_b));`,
    }),
  );
  runElementwise(ctx, 'where', kernel, [cond, a, b], out, {
    shape: walk.shape,
    strides_c: walk.strides[0]!,
    strides_a: walk.strides[1]!,
    strides_b: walk.strides[2]!,
  });
  return out;
}

// ---- stridedCopy ----------------------------------------------------------------------------

export function stridedCopy(ctx: GpuContext, x: WebGpuBuffer, spec: StridedSpec): WebGpuBuffer {
  const size = sizeOf(spec.shape);
  const out = ctx.output('stridedCopy', x.dtype, size);
  const contiguous = spec.strides.every((s, axis) => s === contiguousStrides(spec.shape)[axis] || spec.shape[axis] === 1);
  if (contiguous && x.dtype !== 'bool') {
    ctx.recorder.copy(x.gpu, spec.offset * 4, out.gpu, 0, size * 4);
    return out;
  }
  const walk = collapse(spec.shape, [spec.strides]);
  const rank = walk.shape.length;
  const kernel = elementwiseKernel(
    `stridedCopy/${x.dtype}/${rank}`,
    {
      scalars: [
        ['n', 'u32'],
        ['base_x', 'i32'],
      ],
      arrays: walkArrays(rank, ['x']),
    },
    () => ({
      inputs: [['x', x.dtype]],
      output: x.dtype,
      body: `${offsetCode('i', rank, 'shape', ['x'], true)}\n  return raw_x(u32(o_x));`,
    }),
  );
  runElementwise(ctx, 'stridedCopy', kernel, [x], out, { base_x: spec.offset, shape: walk.shape, strides_x: walk.strides[0]! });
  return out;
}
