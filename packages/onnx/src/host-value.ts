/**
 * Host values: the small integer and float arrays an ONNX graph computes around its layers
 * (shapes, lengths, permutations, zero states), kept in JavaScript because Gated reads device
 * tensors back only asynchronously and has no int64 dtype. Integers are held as float64, exact up
 * to 2^53 (ONNX's int64 "to the end" sentinels are far past any real extent, which is all they
 * mean). Every helper here allocates at most {@link MAX_HOST_ELEMENTS} elements.
 */
import { GatedError, formatShape } from '@gated/backend-api';

/** A host array: `float` data in a Float32Array, `int` (and bool) data as exact integers in a Float64Array. */
export interface HostValue {
  readonly kind: 'host';
  readonly type: 'float' | 'int';
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/** The most elements one host value may have (64 Mi): a graph asking for more is refused, not allocated. */
export const MAX_HOST_ELEMENTS = 1 << 26;

/** Product of `shape`, refusing anything past {@link MAX_HOST_ELEMENTS} before it is allocated. */
export function hostCount(op: string, shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new GatedError(op, `invalid dimension ${String(d)} in shape ${formatShape(shape)}`);
    count *= d;
    if (count > MAX_HOST_ELEMENTS) {
      throw new GatedError(op, `shape ${formatShape(shape)} has more than ${MAX_HOST_ELEMENTS} elements: refused rather than allocated`);
    }
  }
  return count;
}

export function hostValue(type: 'float' | 'int', shape: readonly number[], data: Float32Array | Float64Array): HostValue {
  return { kind: 'host', type, shape: [...shape], data };
}

/** A zero-filled host value of `shape` (checked against the limit first). */
export function hostZeros(op: string, type: 'float' | 'int', shape: readonly number[]): HostValue {
  const count = hostCount(op, shape);
  return hostValue(type, shape, type === 'float' ? new Float32Array(count) : new Float64Array(count));
}

/** An int host vector. */
export function hostInts(values: readonly number[], shape: readonly number[] = [values.length]): HostValue {
  return hostValue('int', shape, Float64Array.from(values));
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis]!;
  }
  return strides;
}

/**
 * A new host value of `shape` whose element at each output index comes from `source` at the flat
 * index `pick(index)` returns (the one loop behind transpose, slice, gather, expand and concat).
 */
export function mapHost(op: string, source: HostValue, shape: readonly number[], pick: (index: readonly number[]) => number): HostValue {
  const out = hostZeros(op, source.type, shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    out.data[flat] = source.data[pick(index)]!;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}

/** `value` as plain numbers (for shapes, axes, lengths). */
export function hostNumbers(value: HostValue): number[] {
  return Array.from(value.data);
}
