/** Reference gather and its adjoint, scatterAdd (the embedding lookup and its gradient). */
import { NDArray, refAxis, shapeText, unravel } from './ndarray.js';

function checkIndex(index: number, dim: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= dim) throw new Error(`reference: index ${index} out of range [0, ${dim})`);
}

/**
 * Entries of `x` along `axis` selected by int32 `indices` of any shape: the result's shape is
 * `x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]`.
 */
export function gather(x: NDArray, indices: NDArray, axis = 0): NDArray {
  const a = refAxis(axis, x.rank);
  for (const i of indices.data) checkIndex(i, x.shape[a]!);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return NDArray.build(shape, x.dtype, (index) => {
    const which = indices.at(index.slice(a, a + indices.rank));
    return x.at([...index.slice(0, a), which, ...index.slice(a + indices.rank)]);
  });
}

/** Rows of `x` along `axis` at 1-D `indices`. */
export function indexSelect(x: NDArray, axis: number, indices: NDArray): NDArray {
  if (indices.rank !== 1) throw new Error('reference: indexSelect needs 1-D indices');
  return gather(x, indices, axis);
}

/**
 * A zero array of `shape` into which each slice of `updates` is added at `indices[j]` along
 * `axis`; repeated indices accumulate (int32 sums wrap).
 */
export function scatterAdd(updates: NDArray, indices: NDArray, axis: number, shape: readonly number[]): NDArray {
  const a = refAxis(axis, shape.length);
  const expected = [...shape.slice(0, a), ...indices.shape, ...shape.slice(a + 1)];
  if (expected.length !== updates.rank || expected.some((d, i) => d !== updates.shape[i])) {
    throw new Error(`reference: scatterAdd updates ${shapeText(updates.shape)} do not match ${shapeText(expected)}`);
  }
  for (const i of indices.data) checkIndex(i, shape[a]!);
  const out = NDArray.full(shape, 0, updates.dtype);
  const outStrides = out.strides;
  const accumulate = new Float64Array(out.size);
  for (let flat = 0; flat < updates.size; flat++) {
    const index = unravel(flat, updates.shape);
    const which = indices.at(index.slice(a, a + indices.rank));
    const target = [...index.slice(0, a), which, ...index.slice(a + indices.rank)];
    const position = target.reduce((sum, v, i) => sum + v * outStrides[i]!, 0);
    accumulate[position] = accumulate[position]! + updates.data[flat]!;
  }
  return NDArray.of(accumulate, shape, updates.dtype);
}
