/**
 * Reductions over a set of axes. The input is walked in memory order as rows (see
 * `row-plan.ts`), each row either folding into one output element (a reduced innermost axis) or
 * updating a run of output elements (a kept innermost axis), so both `sum(x, -1)` and
 * `sum(x, 0)` stream through memory. float32 sums and products accumulate in doubles and round
 * once; int32 sum and product wrap like int32 arithmetic.
 */
import { contiguousStrides, sizeOf, type ReduceOp, type Shape, type TypedArray } from '@gated/backend-api';
import { planRows, type RowPlan } from './row-plan.js';

const IDENTITY: Readonly<Record<ReduceOp, number>> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

/** Folds rows into a double accumulator: float32 sum/prod, and max/min of either dtype (exact). */
function foldDouble(op: ReduceOp, acc: Float64Array, x: Float32Array | Int32Array, plan: RowPlan, folds: boolean): void {
  const { rows, length } = plan;
  const [offX, offOut] = plan.offsets as [Int32Array, Int32Array];
  for (let r = 0; r < rows; r++) {
    const start = offX[r]!;
    const end = start + length;
    let o = offOut[r]!;
    if (folds) {
      let s = acc[o]!;
      switch (op) {
        case 'sum':
          for (let i = start; i < end; i++) s += x[i]!;
          break;
        case 'prod':
          for (let i = start; i < end; i++) s *= x[i]!;
          break;
        case 'max':
          for (let i = start; i < end; i++) s = Math.max(s, x[i]!);
          break;
        case 'min':
          for (let i = start; i < end; i++) s = Math.min(s, x[i]!);
          break;
      }
      acc[o] = s;
    } else {
      switch (op) {
        case 'sum':
          for (let i = start; i < end; i++, o++) acc[o] = acc[o]! + x[i]!;
          break;
        case 'prod':
          for (let i = start; i < end; i++, o++) acc[o] = acc[o]! * x[i]!;
          break;
        case 'max':
          for (let i = start; i < end; i++, o++) acc[o] = Math.max(acc[o]!, x[i]!);
          break;
        case 'min':
          for (let i = start; i < end; i++, o++) acc[o] = Math.min(acc[o]!, x[i]!);
          break;
      }
    }
  }
}

/** Folds int32 rows with wrapping sum or product. */
function foldInt(op: 'sum' | 'prod', acc: Int32Array, x: Int32Array, plan: RowPlan, folds: boolean): void {
  const { rows, length } = plan;
  const [offX, offOut] = plan.offsets as [Int32Array, Int32Array];
  const sum = op === 'sum';
  for (let r = 0; r < rows; r++) {
    const start = offX[r]!;
    const end = start + length;
    let o = offOut[r]!;
    if (folds) {
      let s = acc[o]!;
      if (sum) for (let i = start; i < end; i++) s = (s + x[i]!) | 0;
      else for (let i = start; i < end; i++) s = Math.imul(s, x[i]!);
      acc[o] = s;
    } else if (sum) {
      for (let i = start; i < end; i++, o++) acc[o] = (acc[o]! + x[i]!) | 0;
    } else {
      for (let i = start; i < end; i++, o++) acc[o] = Math.imul(acc[o]!, x[i]!);
    }
  }
}

/** Reduces the sorted, distinct `axes` of `x` (float32 or int32); the result drops those axes. */
export function reduce(op: ReduceOp, x: Float32Array | Int32Array, shape: Shape, axes: readonly number[]): TypedArray {
  const outShape = shape.filter((_, axis) => !axes.includes(axis));
  const outSize = sizeOf(outShape);
  const keptStrides = contiguousStrides(outShape);
  const outStrides: number[] = [];
  for (let axis = 0, kept = 0; axis < shape.length; axis++) {
    outStrides.push(axes.includes(axis) ? 0 : keptStrides[kept++]!);
  }
  const plan = planRows(shape, [contiguousStrides(shape), outStrides]);
  const folds = plan.innerStrides[1] === 0;
  if (x instanceof Int32Array && (op === 'sum' || op === 'prod')) {
    const acc = new Int32Array(outSize).fill(IDENTITY[op]);
    foldInt(op, acc, x, plan, folds);
    return acc;
  }
  const acc = new Float64Array(outSize).fill(IDENTITY[op]);
  foldDouble(op, acc, x, plan, folds);
  return x instanceof Int32Array ? Int32Array.from(acc) : Float32Array.from(acc);
}
