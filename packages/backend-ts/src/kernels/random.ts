/**
 * `random`: element `i` is `randomValue(spec, key, i)` from `@gated/backend-api`, bit for bit.
 * The Threefry-2x32-20 block is inlined here without per-element allocation (the reference
 * allocates two arrays per call, which dominates a large fill); the tests compare the two.
 */
import type { RandomRequest } from '@gated/backend-api';

const UNIT = 1 / 16777216;

export function random(request: RandomRequest): Float32Array {
  const { spec, size } = request;
  const out = new Float32Array(size);
  const k0 = request.key[0] | 0;
  const k1 = request.key[1] | 0;
  const k2 = k0 ^ k1 ^ 0x1bd11bda;
  const schedule = [k0, k1, k2];
  // Key injected after round group g: x0 += inject0[g], x1 += inject1[g] (which folds in g + 1).
  const inject0 = new Int32Array(5);
  const inject1 = new Int32Array(5);
  for (let g = 0; g < 5; g++) {
    inject0[g] = schedule[(g + 1) % 3]!;
    inject1[g] = (schedule[(g + 2) % 3]! + g + 1) | 0;
  }
  const kind = spec.kind;
  const low = kind === 'uniform' ? Math.fround(spec.low) : 0;
  const range = kind === 'uniform' ? Math.fround(Math.fround(spec.high) - low) : 0;
  const mean = kind === 'normal' ? spec.mean : 0;
  const std = kind === 'normal' ? spec.std : 0;
  const p = kind === 'bernoulli' ? spec.p : 0;
  for (let i = 0; i < size; i++) {
    let x0 = (i + k0) | 0;
    let x1 = k1;
    for (let g = 0; g < 5; g++) {
      if ((g & 1) === 0) {
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
      } else {
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
        x0 = (x0 + x1) | 0;
        x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
      }
      x0 = (x0 + inject0[g]!) | 0;
      x1 = (x1 + inject1[g]!) | 0;
    }
    const u = (x0 >>> 8) * UNIT;
    if (kind === 'uniform') {
      out[i] = low + Math.fround(range * u);
    } else if (kind === 'normal') {
      const radius = Math.sqrt(-2 * Math.log(1 - u));
      out[i] = mean + std * radius * Math.cos(2 * Math.PI * ((x1 >>> 8) * UNIT));
    } else {
      out[i] = u < p ? 1 : 0;
    }
  }
  return out;
}
