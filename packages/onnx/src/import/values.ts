/**
 * What flows along a graph's edges while an imported model runs: device tensors (activations,
 * anything computed from the model's float inputs) or host values (shapes, lengths, small
 * constants). Ops pick host arithmetic when every input is on the host and the op is glue.
 */
import { GatedError } from '@gated/backend-api';
import { Tensor, tensor } from '@gated/tensor';
import type { HostValue } from '../host-value.js';

export type Value = Tensor | HostValue;

export function isHost(value: Value): value is HostValue {
  return !(value instanceof Tensor);
}

/** A host value as a device tensor: float32, or int32 for integers (refused outside int32's range). */
export function toDevice(op: string, value: Value): Tensor {
  if (!isHost(value)) return value;
  if (value.type === 'float') return tensor(Float32Array.from(value.data), { shape: [...value.shape] });
  const ints = new Int32Array(value.data.length);
  for (let i = 0; i < ints.length; i++) {
    const v = value.data[i]!;
    if (v < -2147483648 || v > 2147483647) throw new GatedError(op, `the integer ${v} does not fit int32, Gated's integer dtype`);
    ints[i] = v;
  }
  return tensor(ints, { shape: [...value.shape], dtype: 'int32' });
}

/** A value the op must read on the host (shapes, lengths, indices of glue ops). */
export function toHost(label: string, what: string, value: Value): HostValue {
  if (isHost(value)) return value;
  throw new GatedError(
    'importOnnx',
    `${label}: its ${what} must be known on the host (a constant, a shape, or an integer input such as lengths given as numbers), but it is computed on the device`,
  );
}

/** A host value's elements as plain numbers, checked to be integers. */
export function hostIntegers(label: string, what: string, value: Value): number[] {
  const host = toHost(label, what, value);
  const out = Array.from(host.data);
  if (out.some((v) => !Number.isFinite(v) || Math.trunc(v) !== v))
    throw new GatedError('importOnnx', `${label}: its ${what} must be integers, got [${out.join(', ')}]`);
  return out;
}

/** Normalizes an axis of a rank-`rank` value (negative counts from the end). */
export function axisOf(label: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    throw new GatedError('importOnnx', `${label}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}
