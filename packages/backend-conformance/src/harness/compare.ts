/**
 * Moving values between the reference and the backend under test, and comparing them. Every read
 * goes through the async path (`await t.data()`), so a backend without synchronous reads passes
 * the same tests.
 */
import { tensor, tidy, type Tensor } from '@gated/tensor';
import { assert } from 'vitest';
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
export function mismatches(got: ArrayLike<number>, want: NDArray, tolerance: Tolerance, signedZeros = false): string {
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

/**
 * Fails with a plain `label: got X, want Y` unless `got` and `want` print the same (scalars,
 * shapes): no `expected … to be …` wrapping, and the sides say which is which.
 */
export function expectSame(got: unknown, want: unknown, label: string): void {
  const text = (value: unknown) => (Array.isArray(value) ? `[${value.join(',')}]` : String(value));
  if (text(got) !== text(want)) assert.fail(`${label}: got ${text(got)}, want ${text(want)}`);
}

/** Asserts dtype, shape and values of `actual` against the reference `expected`. */
export async function expectTensor(
  actual: Tensor,
  expected: NDArray,
  tolerance: Tolerance = EXACT,
  label = 'result',
  signedZeros = false,
): Promise<void> {
  expectSame(actual.dtype, expected.dtype, `${label}: dtype`);
  expectSame([...actual.shape], [...expected.shape], `${label}: shape`);
  const values = await actual.data();
  expectSame(values.constructor.name, ARRAY_TYPES[expected.dtype], `${label}: array type of data()`);
  expectSame(values.length, expected.size, `${label}: number of values`);
  const exact = expected.dtype !== 'float32';
  const differ = mismatches(values, expected, exact ? EXACT : tolerance, signedZeros);
  if (differ !== '') assert.fail(`${label}: ${differ}`);
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

/** What the two sides of a {@link expectSameValues} comparison are, for its message. */
export interface Sides {
  readonly got: string;
  readonly want: string;
  /** One sentence on what a difference usually means, appended to the message. */
  readonly hint?: string;
}

/**
 * Asserts that two tensors hold bit-identical values (e.g. an op on a view and on its copy),
 * naming each side in the message: `at [0]: got 0.4432958 (on views), want 0.44329577 (on copies)`.
 */
export async function expectSameValues(
  got: Tensor,
  want: Tensor,
  label: string,
  sides: Sides = { got: 'got', want: 'want' },
): Promise<void> {
  expectSame([...got.shape], [...want.shape], `${label}: shape of ${sides.got} against ${sides.want}`);
  const [x, y] = await Promise.all([got.data(), want.data()]);
  const differing: string[] = [];
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i]) && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) {
      differing.push(`at [${unravel(i, got.shape).join(',')}]: got ${show(x[i]!)} (${sides.got}), want ${show(y[i]!)} (${sides.want})`);
    }
  }
  if (differing.length === 0) return;
  const more = differing.length > 8 ? '\n  …' : '';
  const hint = sides.hint === undefined ? '' : `\n${sides.hint}`;
  assert.fail(
    `${label}: ${differing.length} of ${x.length} values differ, and must be bit-identical:\n  ${differing.slice(0, 8).join('\n  ')}${more}${hint}`,
  );
}
