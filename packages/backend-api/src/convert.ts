/**
 * How numbers become values of a dtype, in one place (docs/decisions/0019):
 *
 * - **Values a user writes** (`tensor([...])`, `full`, a number next to a tensor, index lists,
 *   padding values) are taken exactly: an int32 value must be an integer in [-2^31, 2^31 - 1].
 *   Anything else is refused with a GatedError, because no user means 3e9 or 2.5 as an int32,
 *   and wrapping or saturating it would compute with a number nobody wrote.
 * - **Values a tensor computed** (`cast`, and `fill` as a kernel) follow the cast rule: truncate
 *   toward zero, NaN → 0, saturate outside the range. This is what WebAssembly's
 *   `i32.trunc_sat_f32_s` and WGSL's conversion do, so every backend agrees without reading
 *   values back.
 *
 * For bool, both are `x !== 0` (NaN is true); float32 rounds to nearest.
 */
import type { DType } from './dtype.js';
import { GatedError } from './errors.js';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** The int32 a computed number converts to under the cast rule: truncation, NaN → 0, saturation. */
export function saturateInt32(x: number): number {
  if (x !== x) return 0;
  if (x <= INT32_MIN) return INT32_MIN;
  if (x >= INT32_MAX) return INT32_MAX;
  return Math.trunc(x);
}

/** A computed number as stored in a buffer of `dtype` (the cast rule; float32 rounds to nearest). */
export function convertValue(x: number, dtype: DType): number {
  if (dtype === 'bool') return x !== 0 ? 1 : 0;
  if (dtype === 'int32') return saturateInt32(x);
  return Math.fround(x);
}

/**
 * Why `value` cannot be an int32 a user wrote, or null when it can: `'is not an integer'` or
 * `'is outside int32's range [-2147483648, 2147483647]'`.
 */
export function int32Problem(value: number): string | null {
  if (!Number.isInteger(value)) return 'is not an integer';
  if (value < INT32_MIN || value > INT32_MAX) return `is outside int32's range [${INT32_MIN}, ${INT32_MAX}]`;
  return null;
}

/**
 * The value a user wrote (a number or boolean) as stored in a buffer of `dtype`, under the exact
 * rule above: an int32 that is not an integer in range throws a GatedError naming `op`; `where`
 * ends the message (`' at flat index 3'`).
 *
 * @example
 * ```ts
 * userValue('full', 'int32', 7);      // 7
 * userValue('full', 'bool', 2);       // 1
 * userValue('full', 'int32', 3e9);    // throws "full: int32 tensors hold integers in [-2147483648, 2147483647], got 3000000000"
 * ```
 */
export function userValue(op: string, dtype: DType, value: number | boolean, where = ''): number {
  const number = typeof value === 'boolean' ? Number(value) : value;
  if (typeof number !== 'number') {
    throw new GatedError(op, `expected a number or boolean${where}, got ${describeValue(number)}`);
  }
  if (dtype === 'bool') return number !== 0 ? 1 : 0;
  if (dtype === 'int32') {
    if (!Number.isInteger(number)) throw new GatedError(op, `int32 tensors hold integers, got ${describeValue(value)}${where}`);
    if (number < INT32_MIN || number > INT32_MAX) {
      throw new GatedError(op, `int32 tensors hold integers in [${INT32_MIN}, ${INT32_MAX}], got ${describeValue(value)}${where}`);
    }
  }
  return number;
}

/**
 * How an error message shows a value a user passed where a number belongs: numbers as they
 * print, strings quoted (`'3'`, so `['3']` never reads as `[3]`), anything else by its type.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return typeof value === 'bigint' ? `${String(value)}n` : typeof value;
}
