/**
 * Seeds for modules. A module built with a `seed` draws its initial values (and, for dropout,
 * each call's mask) from seeds derived here, so it is reproducible on its own and identical on
 * every backend (explicit seeds use the shared random stream's key derivation). Without a seed
 * the global stream is used (`manualSeed` makes that reproducible too).
 */
import { describeValue, GatedError } from '@gated/backend-api';

/** Throws unless `seed` is a valid explicit seed (a non-negative safe integer). */
export function checkSeed(op: string, seed: number | undefined): void {
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new GatedError(op, `seed must be a non-negative safe integer, got ${describeValue(seed)}`);
  }
}

/**
 * The `index`-th seed derived from `seed` (a 32-bit mix, murmur3's finaliser over both words),
 * or undefined (the global stream) when `seed` is undefined.
 */
export function deriveSeed(seed: number | undefined, index: number): number | undefined {
  if (seed === undefined) return undefined;
  let h = Math.imul((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b1), 0x85ebca6b) ^ 0x5bd1e995;
  h = Math.imul(h ^ (index + 0x27d4eb2f), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
