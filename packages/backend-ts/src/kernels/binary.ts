/**
 * Elementwise binary kernels with numpy broadcasting. Inputs are walked as rows (see
 * `row-plan.ts`); same-shape and scalar operands skip the plan and run as one row. Each dtype has
 * one row function whose `switch` selects a specialised loop once per row.
 */
import { GatedError, broadcastStrides, sizeOf, type BinaryOp, type Shape, type TypedArray } from '@gated/backend-api';
import { planRows } from './row-plan.js';

/** C's `powf` where it differs from `Math.pow`: a power of 1, or of -1 to ±∞, is 1. */
function powC(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual']);

function rowFloat(
  op: BinaryOp,
  out: Float32Array,
  o: number,
  n: number,
  a: Float32Array,
  ia: number,
  sa: number,
  b: Float32Array,
  ib: number,
  sb: number,
): void {
  const end = o + n;
  switch (op) {
    case 'add':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! + b[ib]!;
      return;
    case 'sub':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! - b[ib]!;
      return;
    case 'mul':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! * b[ib]!;
      return;
    case 'div':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! / b[ib]!;
      return;
    case 'pow':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = powC(a[ia]!, b[ib]!);
      return;
    case 'maximum':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.max(a[ia]!, b[ib]!);
      return;
    case 'minimum':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.min(a[ia]!, b[ib]!);
      return;
    default:
      throw new GatedError('binary', `${op} is not a float32 arithmetic op`);
  }
}

function rowInt(
  op: BinaryOp,
  out: Int32Array,
  o: number,
  n: number,
  a: Int32Array,
  ia: number,
  sa: number,
  b: Int32Array,
  ib: number,
  sb: number,
): void {
  const end = o + n;
  switch (op) {
    case 'add':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = (a[ia]! + b[ib]!) | 0;
      return;
    case 'sub':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = (a[ia]! - b[ib]!) | 0;
      return;
    case 'mul':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = Math.imul(a[ia]!, b[ib]!);
      return;
    case 'maximum':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! > b[ib]! ? a[ia]! : b[ib]!;
      return;
    case 'minimum':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! < b[ib]! ? a[ia]! : b[ib]!;
      return;
    default:
      throw new GatedError('binary', `${op} is not an int32 arithmetic op`);
  }
}

/** Comparisons (any dtype; NaN compares false except under notEqual) and logical ops (bool). */
function rowBool(
  op: BinaryOp,
  out: Uint8Array,
  o: number,
  n: number,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
): void {
  const end = o + n;
  switch (op) {
    case 'equal':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! === b[ib]! ? 1 : 0;
      return;
    case 'notEqual':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! !== b[ib]! ? 1 : 0;
      return;
    case 'less':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! < b[ib]! ? 1 : 0;
      return;
    case 'lessEqual':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! <= b[ib]! ? 1 : 0;
      return;
    case 'greater':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! > b[ib]! ? 1 : 0;
      return;
    case 'greaterEqual':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! >= b[ib]! ? 1 : 0;
      return;
    case 'logicalAnd':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! !== 0 && b[ib]! !== 0 ? 1 : 0;
      return;
    case 'logicalOr':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! !== 0 || b[ib]! !== 0 ? 1 : 0;
      return;
    default:
      throw new GatedError('binary', `${op} does not return bool`);
  }
}

type Row = (
  op: BinaryOp,
  out: TypedArray,
  o: number,
  n: number,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
) => void;

/**
 * `op(a, b)` broadcast to `outShape`. The caller has checked dtypes against `BINARY_TYPING`: both
 * inputs share one array type, which (with the op) selects the output type.
 */
export function binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape): TypedArray {
  const size = sizeOf(outShape);
  let out: TypedArray;
  let row: Row;
  if (COMPARISONS.has(op) || op === 'logicalAnd' || op === 'logicalOr') {
    out = new Uint8Array(size);
    row = rowBool as Row;
  } else if (a instanceof Int32Array) {
    out = new Int32Array(size);
    row = rowInt as Row;
  } else {
    out = new Float32Array(size);
    row = rowFloat as Row;
  }
  if (size === 0) return out;
  if (a.length === size && b.length === size) {
    row(op, out, 0, size, a, 0, 1, b, 0, 1);
  } else if (a.length === 1 || b.length === 1) {
    // One scalar and one operand of the output's size (or two scalars).
    row(op, out, 0, size, a, 0, a.length === 1 ? 0 : 1, b, 0, b.length === 1 ? 0 : 1);
  } else {
    const plan = planRows(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
    const [sa, sb] = plan.innerStrides as [number, number];
    const [offA, offB] = plan.offsets as [Int32Array, Int32Array];
    const n = plan.length;
    for (let r = 0; r < plan.rows; r++) row(op, out, r * n, n, a, offA[r]!, sa, b, offB[r]!, sb);
  }
  return out;
}
