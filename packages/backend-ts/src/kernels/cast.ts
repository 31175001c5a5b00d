/**
 * dtype conversion. float → int32 truncates toward zero, maps NaN to 0 and saturates values
 * outside the int32 range (what WebAssembly's `i32.trunc_sat_f32_s` and WGSL's conversion do, so
 * every backend can agree); anything → bool is `x !== 0`, which makes NaN true.
 */
import { allocArray, type DType, type TypedArray } from '@gated/backend-api';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The int32 value of one number under the cast rule above. */
export function toInt32(x: number): number {
  if (x !== x) return 0;
  if (x <= INT32_MIN) return INT32_MIN;
  if (x >= INT32_MAX) return INT32_MAX;
  return Math.trunc(x);
}

/** The value of one number as stored in a buffer of `dtype`. */
export function toDType(x: number, dtype: DType): number {
  if (dtype === 'bool') return x !== 0 ? 1 : 0;
  if (dtype === 'int32') return toInt32(x);
  return Math.fround(x);
}

/** A new array of `dtype` holding `x` converted element by element. */
export function cast(x: TypedArray, dtype: DType): TypedArray {
  const n = x.length;
  const out = allocArray(dtype, n);
  if (dtype === 'bool') {
    for (let i = 0; i < n; i++) out[i] = x[i] !== 0 ? 1 : 0;
  } else if (dtype === 'int32' && x instanceof Float32Array) {
    for (let i = 0; i < n; i++) out[i] = toInt32(x[i]!);
  } else {
    // int32 → float32 rounds to nearest on store; bool → number and same-dtype copies are exact.
    out.set(x);
  }
  return out;
}
