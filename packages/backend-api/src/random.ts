/**
 * The random stream every backend must reproduce bit for bit, so that inits, dropout masks and
 * shuffles match across backends. It is counter based (Threefry-2x32 with 20 rounds, the
 * generator JAX uses): element `i` of a fill keyed by `key` depends only on `(key, i)`, which
 * suits GPUs (no sequential state) and makes every fill independent of how work is split.
 *
 * Only 32-bit integer add, xor and rotate are used, so WGSL and AssemblyScript ports are exact.
 */

/** A 64-bit key as two unsigned 32-bit words. */
export type RandomKey = readonly [number, number];

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/**
 * Threefry-2x32-20 block function: encrypts the counter `(c0, c1)` under `key`, returning two
 * uniformly distributed unsigned 32-bit words. Matches Random123's `threefry2x32_R(20, ...)`.
 */
export function threefry2x32(key: RandomKey, c0: number, c1: number): [number, number] {
  const k0 = key[0] >>> 0;
  const k1 = key[1] >>> 0;
  const k2 = (k0 ^ k1 ^ 0x1bd11bda) >>> 0;
  const ks = [k0, k1, k2];
  let x0 = (c0 + k0) >>> 0;
  let x1 = (c1 + k1) >>> 0;
  for (let group = 0; group < 5; group++) {
    const base = (group & 1) * 4;
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotl(x1, ROTATIONS[base + r]!) ^ x0;
    }
    x0 = (x0 + ks[(group + 1) % 3]!) >>> 0;
    x1 = (x1 + ks[(group + 2) % 3]! + group + 1) >>> 0;
  }
  return [x0, x1];
}

/**
 * Splits a user seed (any non-negative safe integer) into a key: low and high 32-bit words.
 */
export function keyFromSeed(seed: number): RandomKey {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  return [lo, hi];
}

/** Derives the `index`-th child key of `key` (how the engine hands out one key per random op). */
export function foldKey(key: RandomKey, index: number): RandomKey {
  const [a, b] = threefry2x32(key, index >>> 0, 0x9e3779b9);
  return [a, b];
}

const TWO_POW_MINUS_24 = 1 / 16777216;

/**
 * A uniform float in [0, 1) from 32 random bits: the top 24 bits scaled by 2^-24, exactly
 * representable in float32.
 */
export function bitsToUnit(bits: number): number {
  return (bits >>> 8) * TWO_POW_MINUS_24;
}

/** Parameters of a random fill; see {@link randomValue} for the exact recipe per element. */
export type RandomSpec =
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'bernoulli'; readonly p: number };

/**
 * Element `index` of a random fill: the reference every backend's `random` kernel must match.
 * Let `(x0, x1) = threefry2x32(key, index, 0)` and `u = bitsToUnit(x0)`:
 * - uniform: `low + (high - low) * u`, in float32 arithmetic (bit-identical across backends);
 * - normal: Box–Muller, `mean + std * sqrt(-2 ln(1 - u)) * cos(2π bitsToUnit(x1))`
 *   (agrees across backends to float32 rounding of log, sqrt and cos);
 * - bernoulli: `1` when `u < p`, else `0` (bit-identical).
 */
export function randomValue(spec: RandomSpec, key: RandomKey, index: number): number {
  const [x0, x1] = threefry2x32(key, index, 0);
  const u = bitsToUnit(x0);
  switch (spec.kind) {
    case 'uniform': {
      const f = Math.fround;
      return f(f(spec.low) + f(f(f(spec.high) - f(spec.low)) * u));
    }
    case 'normal': {
      const radius = Math.sqrt(-2 * Math.log(1 - u));
      return Math.fround(spec.mean + spec.std * radius * Math.cos(2 * Math.PI * bitsToUnit(x1)));
    }
    default:
      return u < spec.p ? 1 : 0;
  }
}
