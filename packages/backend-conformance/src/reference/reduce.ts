/**
 * Reference reductions: sum, prod, max, min and mean over any set of axes; argmax and argmin
 * over one axis; and the softmax family. Float sums accumulate in float64 (so the reference is
 * the exactly rounded answer a float32 backend approximates); int32 sums and products wrap to
 * 32 bits; max and min propagate NaN.
 */
import { NDArray, refAxis, shapeText, unravel } from './ndarray.js';

export type RefReduceOp = 'sum' | 'prod' | 'max' | 'min';
export type RefAxes = number | readonly number[] | undefined;

/** Sorted, distinct, non-negative axes; `undefined` means every axis. */
export function refAxes(axes: RefAxes, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = (typeof axes === 'number' ? [axes] : [...axes]).map((a) => refAxis(a, rank));
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  if (sorted.length !== list.length) throw new Error('reference: repeated axis');
  return sorted;
}

function outputShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((dim, axis) => {
    if (!axes.includes(axis)) out.push(dim);
    else if (keepDims) out.push(1);
  });
  return out;
}

/**
 * Visits every element of `x`, handing `step` the flat output position (the input index with the
 * reduced axes dropped) and the value. Returns the output shape with and without kept axes.
 */
function groups(x: NDArray, axes: readonly number[], step: (out: number, value: number) => void): number[] {
  const kept = outputShape(x.shape, axes, false);
  const keptStrides = new Array<number>(kept.length).fill(1);
  for (let i = kept.length - 2; i >= 0; i--) keptStrides[i] = keptStrides[i + 1]! * kept[i + 1]!;
  for (let flat = 0; flat < x.size; flat++) {
    const index = unravel(flat, x.shape);
    let out = 0;
    let k = 0;
    index.forEach((value, axis) => {
      if (!axes.includes(axis)) out += value * keptStrides[k++]!;
    });
    step(out, x.data[flat]!);
  }
  return kept;
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * `op` over `axes` (all by default). Empty reductions give the identity (sum 0, prod 1); max and
 * min of nothing are refused, as in the tensor API.
 */
export function reduce(op: RefReduceOp, x: NDArray, axes?: RefAxes, keepDims = false): NDArray {
  if (x.dtype === 'bool') throw new Error(`reference: ${op} of bool`);
  const list = refAxes(axes, x.rank);
  const outShape = outputShape(x.shape, list, false);
  const outSize = sizeOfShape(outShape);
  const int = x.dtype === 'int32';
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : NaN;
  const acc = new Float64Array(outSize).fill(init);
  const seen = new Uint8Array(outSize);
  groups(x, list, (out, v) => {
    const a = acc[out]!;
    switch (op) {
      case 'sum':
        acc[out] = a + v;
        break;
      case 'prod':
        acc[out] = int ? Math.imul(a, v) : a * v;
        break;
      default:
        if (!seen[out]) acc[out] = v;
        else if (Number.isNaN(a) || Number.isNaN(v)) acc[out] = NaN;
        else acc[out] = op === 'max' ? Math.max(a, v) : Math.min(a, v);
    }
    seen[out] = 1;
  });
  if ((op === 'max' || op === 'min') && outSize > 0 && seen.includes(0)) {
    throw new Error(`reference: ${op} over an empty axis of ${shapeText(x.shape)}`);
  }
  return NDArray.of(acc, outputShape(x.shape, list, keepDims), x.dtype);
}

/** The number of elements each output of a reduction over `axes` combines. */
export function reductionCount(shape: readonly number[], axes?: RefAxes): number {
  return refAxes(axes, shape.length).reduce((p, a) => p * shape[a]!, 1);
}

/** Mean over `axes` (float32): the float64 sum divided by the count; the mean of nothing is NaN. */
export function mean(x: NDArray, axes?: RefAxes, keepDims = false): NDArray {
  assertFloat('mean', x);
  const list = refAxes(axes, x.rank);
  const count = reductionCount(x.shape, list);
  const acc = new Float64Array(sizeOfShape(outputShape(x.shape, list, false)));
  groups(x, list, (out, v) => {
    acc[out] = acc[out]! + v;
  });
  return NDArray.of(
    acc.map((v) => v / count),
    outputShape(x.shape, list, keepDims),
  );
}

/** Also the sum of |x| over the same axes (float64): the scale of a sum's rounding error. */
export function absSum(x: NDArray, axes?: RefAxes, keepDims = false): NDArray {
  const list = refAxes(axes, x.rank);
  const acc = new Float64Array(sizeOfShape(outputShape(x.shape, list, keepDims)));
  groups(x, list, (out, v) => {
    acc[out] = acc[out]! + Math.abs(v);
  });
  return new NDArray(acc, outputShape(x.shape, list, keepDims), 'float32');
}

export type RefArgReduceOp = 'argmax' | 'argmin';

/**
 * int32 index of the extreme element along `axis` (of the flattened array when omitted). NaN
 * counts as the extreme in both directions; ties resolve to the first index.
 */
export function argReduce(op: RefArgReduceOp, x: NDArray, axis?: number, keepDims = false): NDArray {
  if (axis === undefined) {
    const flat = new NDArray(x.data, [x.size], x.dtype);
    const index = argReduce(op, flat, 0, false);
    return keepDims
      ? new NDArray(
          index.data,
          x.shape.map(() => 1),
          'int32',
        )
      : index;
  }
  const a = refAxis(axis, x.rank);
  const dim = x.shape[a]!;
  if (dim === 0) throw new Error('reference: arg-reduction over an empty axis');
  const outShape = x.shape.map((d, i) => (i === a ? 1 : d));
  const result = NDArray.build(outShape, 'int32', (index) => {
    let best = 0;
    let bestValue = x.at(index.map((v, i) => (i === a ? 0 : v)));
    for (let j = 1; j < dim && !Number.isNaN(bestValue); j++) {
      const v = x.at(index.map((value, i) => (i === a ? j : value)));
      const better = Number.isNaN(v) || (op === 'argmax' ? v > bestValue : v < bestValue);
      if (better) {
        best = j;
        bestValue = v;
      }
    }
    return best;
  });
  return keepDims
    ? result
    : new NDArray(
        result.data,
        x.shape.filter((_, i) => i !== a),
        'int32',
      );
}

/**
 * The stabilising shift of the softmax family along `axes`: the max, replaced by 0 where it is
 * not finite (what `@gated/tensor` documents, so that `∞ - ∞` never appears).
 */
function shiftAt(x: NDArray, axes: readonly number[], index: readonly number[]): number {
  const values = groupValues(x, axes, index);
  if (values.some((v) => Number.isNaN(v))) return 0;
  const m = Math.max(-Infinity, ...values);
  return Number.isFinite(m) ? m : 0;
}

/** The values of `x` that share `index` outside `axes` (the group one output reduces). */
function groupValues(x: NDArray, axes: readonly number[], index: readonly number[]): number[] {
  const dims = axes.map((a) => x.shape[a]!);
  const count = sizeOfShape(dims);
  const values: number[] = [];
  for (let k = 0; k < count; k++) {
    const inner = unravel(k, dims);
    const at = [...index];
    axes.forEach((a, j) => (at[a] = inner[j]!));
    values.push(x.at(at));
  }
  return values;
}

/** `Σ exp(x - m)` over the group of `index`, in float64. */
function sumExp(x: NDArray, axes: readonly number[], index: readonly number[], m: number): number {
  return groupValues(x, axes, index).reduce((total, v) => total + Math.exp(v - m), 0);
}

/** `log Σ exp(x)` over the group of `index`, computed in float64 with the documented shift. */
function logSumExpAt(x: NDArray, axes: readonly number[], index: readonly number[]): number {
  const m = shiftAt(x, axes, index);
  return Math.log(sumExp(x, axes, index, m)) + m;
}

function assertFloat(op: string, x: NDArray): void {
  if (x.dtype !== 'float32') throw new Error(`reference: ${op} of ${x.dtype}`);
}

/** `exp(x - m) / Σ exp(x - m)` along `axis`. */
export function softmax(x: NDArray, axis = -1): NDArray {
  assertFloat('softmax', x);
  const a = refAxis(axis, x.rank);
  return NDArray.build(x.shape, 'float32', (index) => {
    const m = shiftAt(x, [a], index);
    return Math.exp(x.at(index) - m) / sumExp(x, [a], index, m);
  });
}

/** `(x - m) - log Σ exp(x - m)` along `axis`. */
export function logSoftmax(x: NDArray, axis = -1): NDArray {
  assertFloat('logSoftmax', x);
  const a = refAxis(axis, x.rank);
  return NDArray.build(x.shape, 'float32', (index) => {
    const m = shiftAt(x, [a], index);
    return x.at(index) - m - Math.log(sumExp(x, [a], index, m));
  });
}

/** `log Σ exp(x)` over `axes` (all by default); over nothing it is -∞. */
export function logSumExp(x: NDArray, axes?: RefAxes, keepDims = false): NDArray {
  assertFloat('logSumExp', x);
  const list = refAxes(axes, x.rank);
  const kept = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const result = NDArray.build(kept, 'float32', (index) => logSumExpAt(x, list, index));
  return new NDArray(result.data, outputShape(x.shape, list, keepDims), 'float32');
}
