/**
 * Moving values between the reference and the backend under test, and comparing them. Every read
 * goes through the async path (`await t.data()`), so a backend without synchronous reads passes
 * the same tests.
 */
import { tensor, tidy, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { NDArray, unravel, type RefDType } from '../reference/index.js';

/**
 * How far a float32 result may be from the float64 reference: `|got - want| <= atol + rtol·|want|`.
 * `atol` may be given per element (e.g. scaled by the magnitude a sum accumulated).
 */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number | ArrayLike<number>;
}

/** Exact equality (integer and bool results, values an op only moves or selects). */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** A new tensor on the active backend holding the reference array's values. */
export function toTensor(x: NDArray): Tensor {
  switch (x.dtype) {
    case 'float32':
      return tensor(Float32Array.from(x.data), { shape: x.shape, dtype: 'float32' });
    case 'int32':
      return tensor(Int32Array.from(x.data), { shape: x.shape, dtype: 'int32' });
    default:
      return tensor(Uint8Array.from(x.data), { shape: x.shape, dtype: 'bool' });
  }
}

const ARRAY_TYPES: Record<RefDType, string> = { float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' };

function show(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * Describes where `got` differs from `want` (empty when they agree): NaN must meet NaN, an
 * infinity the same infinity, a finite value a finite value within tolerance. With
 * `signedZeros`, a zero must also have the expected sign.
 */
export function mismatches(
  got: ArrayLike<number>,
  want: NDArray,
  tolerance: Tolerance,
  signedZeros = false,
): string {
  const lines: string[] = [];
  let count = 0;
  for (let i = 0; i < want.size; i++) {
    const g = got[i]!;
    const w = want.data[i]!;
    const atol = typeof tolerance.atol === 'number' ? tolerance.atol : tolerance.atol[i]!;
    let ok: boolean;
    if (Number.isNaN(w)) ok = Number.isNaN(g);
    else if (!Number.isFinite(w)) ok = g === w;
    else if (!Number.isFinite(g)) ok = false;
    else ok = Math.abs(g - w) <= atol + tolerance.rtol * Math.abs(w) && (!signedZeros || w !== 0 || Object.is(g, w));
    if (!ok) {
      count++;
      if (lines.length < 8) {
        const allowed = atol + tolerance.rtol * Math.abs(w);
        lines.push(`at [${unravel(i, want.shape).join(',')}]: got ${show(g)}, want ${show(w)} (allowed error ${allowed.toPrecision(3)})`);
      }
    }
  }
  if (count === 0) return '';
  return `${count} of ${want.size} values differ:\n  ${lines.join('\n  ')}${count > lines.length ? '\n  …' : ''}`;
}

/** Asserts dtype, shape and values of `actual` against the reference `expected`. */
export async function expectTensor(
  actual: Tensor,
  expected: NDArray,
  tolerance: Tolerance = EXACT,
  label = 'result',
  signedZeros = false,
): Promise<void> {
  expect(actual.dtype, `${label}: dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label}: shape`).toEqual([...expected.shape]);
  const values = await actual.data();
  expect(values.constructor.name, `${label}: array type of data()`).toBe(ARRAY_TYPES[expected.dtype]);
  expect(values.length, `${label}: number of values`).toBe(expected.size);
  const exact = expected.dtype !== 'float32';
  expect(mismatches(values, expected, exact ? EXACT : tolerance, signedZeros), label).toBe('');
}

/**
 * Runs `build` in `tidy` (so its inputs are freed), checks its result against `expected`, and
 * disposes the result, even when the check fails.
 */
export async function expectOp(
  build: () => Tensor,
  expected: NDArray,
  tolerance: Tolerance = EXACT,
  label = 'result',
  signedZeros = false,
): Promise<void> {
  const result = tidy(build);
  try {
    await expectTensor(result, expected, tolerance, label, signedZeros);
  } finally {
    result.dispose();
  }
}

/** Asserts that two tensors hold bit-identical values (e.g. an op on a view and on its copy). */
export async function expectSameValues(a: Tensor, b: Tensor, label: string): Promise<void> {
  expect([...a.shape], `${label}: shape`).toEqual([...b.shape]);
  const [x, y] = await Promise.all([a.data(), b.data()]);
  const differing: string[] = [];
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i]) && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) differing.push(`[${i}] ${show(x[i]!)} vs ${show(y[i]!)}`);
  }
  expect(differing.slice(0, 8).join(', '), label).toBe('');
}
