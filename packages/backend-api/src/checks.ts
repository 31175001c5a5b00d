/**
 * Argument checks shared by the checked backend layer (checked-kernels.ts) and the tensor ops:
 * each is O(rank) or O(indices), never O(elements), and throws a GatedError naming the op.
 * `checkLengths` and `checkIndices` check buffer contents, for backends that read them cheaply.
 */
import { describeValue } from './convert.js';
import type { DType } from './dtype.js';
import { isDType } from './dtype.js';
import { GatedError, formatShape } from './errors.js';
import type { Shape } from './shape.js';

/** Throws unless `size` is an element count a buffer can have. */
export function checkSize(op: string, size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > 0x7fffffff) {
    throw new GatedError(op, `size must be an integer in [0, 2^31-1], got ${size}`);
  }
}

export function checkDType(op: string, dtype: unknown): asserts dtype is DType {
  if (!isDType(dtype)) throw new GatedError(op, `unknown dtype ${String(dtype)}`);
}

/** Throws unless `dtype` is one of `allowed`; `what` names the operand in the message. */
export function checkAllowed(op: string, what: string, dtype: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(dtype)) throw new GatedError(op, `${what} must be ${allowed.join(' or ')}, got ${dtype}`);
}

/** Throws unless `shape` (of operand `what`) broadcasts to `outShape` under numpy rules. */
export function checkBroadcast(op: string, what: string, shape: Shape, outShape: Shape): void {
  const shift = outShape.length - shape.length;
  let ok = shift >= 0;
  for (let axis = 0; ok && axis < shape.length; axis++) {
    ok = shape[axis] === 1 || shape[axis] === outShape[axis + shift];
  }
  if (!ok) throw new GatedError(op, `${what} of shape ${formatShape(shape)} does not broadcast to ${formatShape(outShape)}`);
}

/** Throws unless `axis` is an integer in [0, rank). */
export function checkAxis(op: string, axis: number, rank: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw new GatedError(op, `axis ${axis} is out of range for rank ${rank}`);
  }
}

/** Throws unless `shape` equals `expected`. */
export function checkShape(op: string, what: string, shape: Shape, expected: Shape): void {
  if (shape.length !== expected.length || shape.some((dim, axis) => dim !== expected[axis])) {
    throw new GatedError(op, `${what} must have shape ${formatShape(expected)}, got ${formatShape(shape)}`);
  }
}

/** The validated dimensions of a batched matmul (see `Backend.matmul`). */
export interface MatmulDims {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The broadcast batch axes: `outShape` without its last two. */
  readonly batch: Shape;
}

/** Checks a matmul's operand and output shapes against each other; returns its dimensions. */
export function checkMatmulShapes(a: Shape, b: Shape, transposeA: boolean, transposeB: boolean, outShape: Shape): MatmulDims {
  const ra = a.length;
  const rb = b.length;
  if (ra < 2 || rb < 2 || outShape.length < 2) {
    throw new GatedError('matmul', `operands need rank >= 2, got ${formatShape(a)} and ${formatShape(b)}`);
  }
  const m = a[transposeA ? ra - 1 : ra - 2]!;
  const k = a[transposeA ? ra - 2 : ra - 1]!;
  const kB = b[transposeB ? rb - 1 : rb - 2]!;
  const n = b[transposeB ? rb - 2 : rb - 1]!;
  if (k !== kB) throw new GatedError('matmul', `inner dimensions differ: ${formatShape(a)} x ${formatShape(b)}`);
  const batch = outShape.slice(0, -2);
  checkShape('matmul', 'the output', outShape, [...batch, m, n]);
  checkBroadcast('matmul', 'the batch axes of a', a.slice(0, -2), batch);
  checkBroadcast('matmul', 'the batch axes of b', b.slice(0, -2), batch);
  return { m, k, n, batch };
}

/** Throws unless `axes` are sorted, distinct axes of a tensor of rank `rank`. */
export function checkReduceAxes(op: string, axes: readonly number[], rank: number): void {
  for (let i = 0; i < axes.length; i++) {
    checkAxis(op, axes[i]!, rank);
    if (i > 0 && axes[i]! <= axes[i - 1]!) throw new GatedError(op, `axes must be sorted and distinct, got [${axes.join(',')}]`);
  }
}

/** Throws unless the inputs' shapes join along `axis` into `outShape`. */
export function checkConcatShapes(inputs: readonly Shape[], axis: number, outShape: Shape): void {
  if (inputs.length === 0) throw new GatedError('concat', 'needs at least one input');
  checkAxis('concat', axis, outShape.length);
  let joined = 0;
  inputs.forEach((shape, i) => {
    checkShape(
      'concat',
      `input ${i}`,
      shape,
      outShape.map((dim, d) => (d === axis ? shape[axis]! : dim)),
    );
    joined += shape[axis]!;
  });
  if (joined !== outShape[axis]) {
    throw new GatedError('concat', `inputs join to ${joined} along axis ${axis}, not ${outShape[axis]!}`);
  }
}

/** Throws unless `updates` has the shape a gather of `indices` from `outShape` along `axis` would. */
export function checkScatterAddShapes(updates: Shape, indices: Shape, axis: number, outShape: Shape): void {
  checkAxis('scatterAdd', axis, outShape.length);
  checkShape('scatterAdd', 'updates', updates, [...outShape.slice(0, axis), ...indices, ...outShape.slice(axis + 1)]);
}

/** Throws unless every sequence length lies in [1, steps]. */
export function checkLengths(op: string, lengths: ArrayLike<number>, steps: number): void {
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i]!;
    if (length < 1 || length > steps) throw new GatedError(op, `lengths must lie in [1, ${steps}], got ${length}`);
  }
}

/**
 * Throws unless every index lies in `[0, size)`, naming the first one that does not. For
 * backends that check gather and scatterAdd indices (every CPU backend; see `Backend.gather`).
 */
export function checkIndices(op: string, indices: ArrayLike<number>, axis: number, size: number): void {
  for (let j = 0; j < indices.length; j++) {
    const index = indices[j]!;
    if (index < 0 || index >= size) throw new GatedError(op, `index ${index} is out of range for axis ${axis} of size ${size}`);
  }
}

/**
 * Throws unless `options` (an options argument a caller may fill with anything) is an object, or
 * undefined where it is not `required`: `null`, a number or a string would otherwise fail as a
 * TypeError on the first read.
 */
export function checkOptions(op: string, options: unknown, required = false): void {
  if ((required || options !== undefined) && (options === null || typeof options !== 'object')) {
    throw new GatedError(op, `options must be an object, got ${describeValue(options)}`);
  }
}
