/** Value sets shared by the suites. */

export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;

/**
 * IEEE special values and boundary cases every float op is run on: NaN, ±∞, ±0, halves (for
 * rounding), tiny and huge magnitudes (overflow to ±∞). No subnormals: GPUs may flush them.
 */
export const FLOAT_SPECIALS: readonly number[] = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  -2.5,
  3,
  1e-30,
  -1e-30,
  3e38,
  -3e38,
];

/** int32 values where wrapping and saturation show. */
export const INT32_EXTREMES: readonly number[] = [INT32_MIN, INT32_MAX, -1, 0, 1, 46341, -65536, 65537, 123456789, -987654321];

/** Values with many exact ties and halves, for comparisons, rounding and arg-reductions. */
export const TIES: readonly number[] = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5];
