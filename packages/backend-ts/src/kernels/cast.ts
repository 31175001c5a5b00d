/**
 * dtype conversion under the cast rule of `@gated/backend-api` (`saturateInt32`): float → int32
 * truncates toward zero, maps NaN to 0 and saturates values outside the int32 range (what
 * WebAssembly's `i32.trunc_sat_f32_s` and WGSL's conversion do, so every backend can agree);
 * anything → bool is `x !== 0`, which makes NaN true.
 */
import { allocArray, saturateInt32, type DType, type TypedArray } from '@gated/backend-api';

/** A new array of `dtype` holding `x` converted element by element. */
export function cast(x: TypedArray, dtype: DType): TypedArray {
  const n = x.length;
  const out = allocArray(dtype, n);
  if (dtype === 'bool') {
    for (let i = 0; i < n; i++) out[i] = x[i] !== 0 ? 1 : 0;
  } else if (dtype === 'int32' && x instanceof Float32Array) {
    for (let i = 0; i < n; i++) out[i] = saturateInt32(x[i]!);
  } else {
    // int32 → float32 rounds to nearest on store; bool → number and same-dtype copies are exact.
    out.set(x);
  }
  return out;
}
