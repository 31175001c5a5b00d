/**
 * Elementwise reference ops: unary, binary (with broadcasting), where, cast and clip. Float math
 * runs in float64 and is rounded to float32 once, at the output; int32 arithmetic wraps to 32
 * bits; bools are 0/1.
 */
import { broadcastShape, broadcastTo } from './broadcast.js';
import { NDArray, canonical, type RefDType } from './ndarray.js';

export type RefBinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'equal'
  | 'notEqual'
  | 'less'
  | 'lessEqual'
  | 'greater'
  | 'greaterEqual'
  | 'logicalAnd'
  | 'logicalOr';

/** Rounds to the nearest integer, halves to even (numpy, PyTorch). NaN and ±∞ pass through. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  const rounded = fraction < 0.5 ? floor : fraction > 0.5 ? floor + 1 : floor % 2 === 0 ? floor : floor + 1;
  // IEEE roundToIntegralTiesToEven keeps the sign of a zero result: round(-0.4) is -0.
  return rounded === 0 ? Math.sign(x) * 0 : rounded;
}

/** `max(a, b)` where NaN wins. */
function maxNaN(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
}

function minNaN(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
}

/**
 * A unary op in the reference: which input dtypes it accepts, its output dtype, and its float64
 * function for each accepted dtype. The unary suite (suites/unary.ts) holds one per op, next to
 * the op's test cases, built with these helpers.
 */
export interface UnaryRule {
  /** Which input dtypes the op accepts. */
  readonly inputs: readonly RefDType[];
  /** The output dtype, or 'same'. */
  readonly output: RefDType | 'same';
  readonly float?: (x: number) => number;
  readonly int?: (x: number) => number;
  readonly bool?: (x: number) => number;
}

/** A float32-only op computing `fn` in float64. */
export const floatRule = (fn: (x: number) => number): UnaryRule => ({ inputs: ['float32'], output: 'same', float: fn });

/** A float32 and int32 op: `fn` in float64, `int` on 32-bit integers. */
export const numericRule = (fn: (x: number) => number, int: (x: number) => number): UnaryRule => ({
  inputs: ['float32', 'int32'],
  output: 'same',
  float: fn,
  int,
});

/** `rule` applied elementwise. Throws (a suite bug) for a dtype the op does not accept. */
export function unary(rule: UnaryRule, x: NDArray): NDArray {
  const fn = x.dtype === 'float32' ? rule.float : x.dtype === 'int32' ? rule.int : rule.bool;
  if (!fn) throw new Error(`reference: the op does not accept ${x.dtype}`);
  return x.map(fn, rule.output === 'same' ? x.dtype : rule.output);
}

type BinaryFn = (a: number, b: number) => number;

interface BinaryRule {
  readonly inputs: readonly RefDType[];
  readonly output: RefDType | 'same';
  readonly float?: BinaryFn;
  readonly int?: BinaryFn;
  readonly bool?: BinaryFn;
}

const compare = (fn: (a: number, b: number) => boolean): BinaryRule => {
  const wrapped: BinaryFn = (a, b) => (fn(a, b) ? 1 : 0);
  return { inputs: ['float32', 'int32', 'bool'], output: 'bool', float: wrapped, int: wrapped, bool: wrapped };
};

const BINARY_RULES: Record<RefBinaryOp, BinaryRule> = {
  add: { inputs: ['float32', 'int32'], output: 'same', float: (a, b) => a + b, int: (a, b) => (a + b) | 0 },
  sub: { inputs: ['float32', 'int32'], output: 'same', float: (a, b) => a - b, int: (a, b) => (a - b) | 0 },
  mul: { inputs: ['float32', 'int32'], output: 'same', float: (a, b) => a * b, int: Math.imul },
  maximum: { inputs: ['float32', 'int32'], output: 'same', float: maxNaN, int: maxNaN },
  minimum: { inputs: ['float32', 'int32'], output: 'same', float: minNaN, int: minNaN },
  div: { inputs: ['float32'], output: 'same', float: (a, b) => a / b },
  // C's powf, as PyTorch: 1 ** y and x ** 0 are 1 for every x and y, and (-1) ** ±∞ is 1.
  pow: {
    inputs: ['float32'],
    output: 'same',
    float: (a, b) => (a === 1 || b === 0 || (a === -1 && Math.abs(b) === Infinity) ? 1 : a ** b),
  },
  equal: compare((a, b) => a === b),
  notEqual: compare((a, b) => a !== b),
  less: compare((a, b) => a < b),
  lessEqual: compare((a, b) => a <= b),
  greater: compare((a, b) => a > b),
  greaterEqual: compare((a, b) => a >= b),
  logicalAnd: { inputs: ['bool'], output: 'bool', bool: (a, b) => (a !== 0 && b !== 0 ? 1 : 0) },
  logicalOr: { inputs: ['bool'], output: 'bool', bool: (a, b) => (a !== 0 || b !== 0 ? 1 : 0) },
};

/** Elementwise `op(a, b)` with numpy broadcasting; both operands must share a dtype. */
export function binary(op: RefBinaryOp, a: NDArray, b: NDArray): NDArray {
  if (a.dtype !== b.dtype) throw new Error(`reference: ${op} of ${a.dtype} and ${b.dtype}`);
  const rule = BINARY_RULES[op];
  const fn = a.dtype === 'float32' ? rule.float : a.dtype === 'int32' ? rule.int : rule.bool;
  if (!fn) throw new Error(`reference: ${op} does not accept ${a.dtype}`);
  const shape = broadcastShape(a.shape, b.shape);
  const left = broadcastTo(a, shape);
  const right = broadcastTo(b, shape);
  const dtype = rule.output === 'same' ? a.dtype : rule.output;
  return NDArray.build(shape, dtype, (_, i) => fn(left.data[i]!, right.data[i]!));
}

/** `cond ? a : b`, all three broadcast together; `cond` is bool, `a` and `b` share a dtype. */
export function where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
  if (cond.dtype !== 'bool' || a.dtype !== b.dtype) throw new Error('reference: where needs a bool condition and one value dtype');
  const shape = broadcastShape(cond.shape, a.shape, b.shape);
  const c = broadcastTo(cond, shape);
  const x = broadcastTo(a, shape);
  const y = broadcastTo(b, shape);
  return NDArray.build(shape, a.dtype, (_, i) => (c.data[i] !== 0 ? x.data[i]! : y.data[i]!));
}

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/**
 * Converts a value to `dtype`: float→int32 truncates toward zero with NaN → 0 and saturation at
 * the int32 range; anything→bool is `x !== 0` (so NaN → true); bool→number is 0 or 1.
 */
export function castValue(value: number, from: RefDType, to: RefDType): number {
  if (to === 'bool') return value !== 0 ? 1 : 0;
  if (to === 'float32') return Math.fround(value);
  if (from !== 'float32') return value | 0;
  if (Number.isNaN(value)) return 0;
  if (value >= INT32_MAX) return INT32_MAX;
  if (value <= INT32_MIN) return INT32_MIN;
  return Math.trunc(value);
}

/** Converts an array to another dtype (see {@link castValue}). */
export function cast(x: NDArray, dtype: RefDType): NDArray {
  return x.map((v) => castValue(v, x.dtype, dtype), dtype);
}

/** Clamps into `[lo, hi]`; NaN stays NaN. */
export function clip(x: NDArray, lo: number, hi: number): NDArray {
  if (x.dtype === 'bool') throw new Error('reference: clip of bool');
  const low = canonical(lo, x.dtype);
  const high = canonical(hi, x.dtype);
  return x.map((v) => minNaN(maxNaN(v, low), high));
}
