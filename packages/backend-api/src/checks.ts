/**
 * Cheap argument checks for backends. The engine validates shapes before it calls a
 * kernel, so these exist for direct callers (other engines, tests, the conformance suite): each is
 * O(rank) or O(indices), never O(elements), and throws a GatedError naming the backend method.
 */
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
