/**
 * The suite's float tolerances, each with the reason for its size. A check passes when
 * `|got - want| <= atol + rtol·|want|` against the float64 reference (rounded once to float32).
 * Backends scale these with `ConformanceOptions.tolerance`; integer and bool results are exact.
 */

/** float32 unit roundoff: half an ulp of 1, 2^-24. */
export const UNIT_ROUNDOFF = 2 ** -24;

export interface ToleranceSpec {
  readonly rtol: number;
  readonly atol: number;
}

/** Ops that only move, select or compare values (max, where, gather, views): exactly the input bits. */
export const SELECT: ToleranceSpec = { rtol: 0, atol: 0 };

/** Elementwise arithmetic: a correctly rounded result is within 6e-8 relative; 2e-6 allows a few ulp, not a wrong formula. */
export const ELEMENTWISE: ToleranceSpec = { rtol: 2e-6, atol: 1e-6 };

/** Transcendentals (exp, log, tanh, sin, pow, …): a float32 libm may be a couple of ulp off; 4e-6 relative still catches any wrong formula. */
export const TRANSCENDENTAL: ToleranceSpec = { rtol: 4e-6, atol: 1e-6 };

/** expm1/log1p of tiny inputs: their point is relative accuracy near 0, which `exp(x) - 1` in float32 loses entirely. */
export const NEAR_ZERO: ToleranceSpec = { rtol: 1e-5, atol: 0 };

/** Softmax family: a composite of sub, exp, sum, div and log in float32; exp amplifies the rounding of `x - max` by |x - max| ≤ ~20 here. */
export const SOFTMAX: ToleranceSpec = { rtol: 1e-5, atol: 2e-6 };

/**
 * Per-element absolute tolerance of a float32 sum: accumulating n terms is typically off by
 * about √n·u·Σ|x| (and at worst n·u·Σ|x|); we allow 4·√n·u·Σ|x| on top of {@link ELEMENTWISE}.
 */
export function sumAtol(absSums: ArrayLike<number>, count: number): number[] {
  return Array.from(absSums, (s) => ELEMENTWISE.atol + 4 * Math.sqrt(Math.max(count, 1)) * UNIT_ROUNDOFF * s);
}

/** Relative tolerance of a float32 product of n factors: each multiply adds up to one rounding. */
export function prodRtol(count: number): number {
  return ELEMENTWISE.rtol + 2 * count * UNIT_ROUNDOFF;
}

/**
 * Absolute tolerance of a float32 matrix product with inner size K: `1e-6 · √K · max|a| · max|b|`,
 * the accumulation error of K products (the sum-of-products analogue of {@link sumAtol}).
 */
export function matmulAtol(k: number, maxA: number, maxB: number): number {
  return 1e-6 * Math.sqrt(Math.max(k, 1)) * Math.max(maxA, 1e-30) * Math.max(maxB, 1e-30) + ELEMENTWISE.atol;
}
