/**
 * Shape arithmetic shared by the tensor engine and every backend: sizes, row-major strides,
 * numpy broadcasting, axis normalisation. Everything here validates and throws a GatedError
 * naming the op, so callers can pass user input straight in.
 */
import { describeValue } from './convert.js';
import { GatedError, formatShape } from './errors.js';

/** A tensor shape: one non-negative integer per axis; `[]` is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar, 0 if any axis is 0). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major (C order) strides of a contiguous tensor of this shape, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Throws unless `shape` is an array of finite, non-negative integers (at most 2^31 - 1 elements
 * in all, the limit every backend indexes with 32-bit integers).
 */
export function assertValidShape(op: string, shape: unknown): asserts shape is Shape {
  if (!Array.isArray(shape)) {
    throw new GatedError(op, `shape must be an array of integers, got ${describeValue(shape)}`);
  }
  for (const dim of shape as unknown[]) {
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) {
      throw new GatedError(
        op,
        `shape values must be finite non-negative integers, got [${(shape as unknown[]).map(describeValue).join(',')}]`,
      );
    }
  }
  if (sizeOf(shape as number[]) > 0x7fffffff) {
    throw new GatedError(op, `shape ${formatShape(shape as number[])} has more than 2^31-1 elements`);
  }
}

/**
 * numpy broadcasting of two shapes: axes are aligned from the right; each pair must be equal or
 * one of them 1.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new GatedError(op, `shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Broadcasts any number of shapes (see {@link broadcastShapes}). */
export function broadcastAll(op: string, shapes: readonly Shape[]): number[] {
  let out: number[] = [];
  for (const shape of shapes) out = broadcastShapes(op, out, shape);
  return out;
}

/**
 * Strides, in elements, to read a contiguous tensor of shape `shape` as if broadcast to
 * `outShape`: 0 on broadcast axes. The result has `outShape.length` entries.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = contiguousStrides(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const shift = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + shift] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

/**
 * Maps a possibly negative axis into `[0, rank)`; throws on anything else. Pass the tensor's
 * shape (rather than its rank) so the error can name it.
 */
export function normalizeAxis(op: string, axis: number, rankOrShape: number | Shape): number {
  const rank = typeof rankOrShape === 'number' ? rankOrShape : rankOrShape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    const range = rank === 0 ? 'none (the tensor is a scalar)' : `[${-rank}, ${rank - 1}]`;
    const of = typeof rankOrShape === 'number' ? `rank ${rank}` : `shape ${formatShape(rankOrShape)}`;
    throw new GatedError(op, `axis ${describeValue(axis)} is out of range for ${of}: valid axes are ${range}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises a list of axes (or one axis, or undefined for all axes) into sorted, unique,
 * non-negative axes. Repeated axes are an error, as in numpy.
 */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rankOrShape: number | Shape): number[] {
  const rank = typeof rankOrShape === 'number' ? rankOrShape : rankOrShape.length;
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const given: unknown = axes;
  if (typeof given !== 'number' && !Array.isArray(given)) {
    throw new GatedError(op, `axes must be an axis or an array of axes, got ${describeValue(given)}`);
  }
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((axis) => normalizeAxis(op, axis, rankOrShape));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new GatedError(op, `axis ${sorted[i]!} is repeated in [${list.join(',')}]`);
  }
  return sorted;
}

/** The shape left after reducing `axes` (sorted, normalised), with or without kept size-1 axes. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else {
      out.push(shape[i]!);
    }
  }
  return out;
}

/** True when `perm` is a permutation of `0..rank-1`. */
export function isPermutation(perm: readonly number[], rank: number): boolean {
  if (perm.length !== rank) return false;
  const seen = new Array<boolean>(rank).fill(false);
  for (const p of perm) {
    if (!Number.isInteger(p) || p < 0 || p >= rank || seen[p]) return false;
    seen[p] = true;
  }
  return true;
}

/** Sizes of the axes before `axis` and after it: a tensor as `[outer, shape[axis], inner]`. */
export function outerInner(shape: Shape, axis: number): [outer: number, inner: number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, inner];
}

/** An n-d iteration space with its axes merged (see {@link mergeAxes}). */
export interface MergedAxes {
  /** The merged axes' sizes (at least one axis: `[1]` for a scalar). */
  readonly dims: number[];
  /** Per operand, one stride (in elements) per merged axis. */
  readonly strides: number[][];
}

/**
 * How a kernel walks `shape` read through one stride list per operand (`strides[k].length ===
 * shape.length`), with as few axes as possible: axes of size 1 are dropped, and neighbouring axes
 * that every operand steps through contiguously are merged, so a same-shape add is one long row
 * and `[N, M] + [M]` is N rows of M. Backends build their row loops and plans on it.
 *
 * @example
 * ```ts
 * mergeAxes([2, 3], [contiguousStrides([2, 3]), broadcastStrides([3], [2, 3])]);
 * // { dims: [2, 3], strides: [[3, 1], [0, 1]] }
 * ```
 */
export function mergeAxes(shape: Shape, strides: readonly (readonly number[])[]): MergedAxes {
  const dims: number[] = [];
  const steps: number[][] = strides.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const dim = shape[axis]!;
    if (dim === 1) continue;
    const last = dims.length - 1;
    let mergeable = last >= 0;
    for (let k = 0; k < strides.length && mergeable; k++) mergeable = steps[k]![last] === strides[k]![axis]! * dim;
    if (mergeable) {
      dims[last] = dims[last]! * dim;
      for (let k = 0; k < strides.length; k++) steps[k]![last] = strides[k]![axis]!;
    } else {
      dims.push(dim);
      for (let k = 0; k < strides.length; k++) steps[k]!.push(strides[k]![axis]!);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    for (const s of steps) s.push(0);
  }
  return { dims, strides: steps };
}
