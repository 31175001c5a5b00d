/**
 * Deterministic data shared by every backend, every peer and the PyTorch script: value `i` of
 * stream `s` under seed `seed` is a function of (seed, s, i) alone, computed with 32-bit integer
 * arithmetic that numpy reproduces bit for bit (torch/bench_torch.py, `uniform`). So weights,
 * inputs and targets are identical everywhere without shipping them.
 *
 * hash32 is the "lowbias32" integer hash (Chris Wellons). u = (hash >>> 8) / 2^24 is exact in
 * float32; the value is (2u − 1)·scale computed in float64, then rounded to float32.
 */

export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** The base counter of a (seed, stream) pair. */
export function streamBase(seed: number, stream: number): number {
  return (hash32(seed >>> 0) ^ hash32((stream + 0x632be5ab) >>> 0)) >>> 0;
}

/** `n` float32 values uniform in [-scale, scale). */
export function uniform(n: number, seed: number, stream: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  const base = streamBase(seed, stream);
  for (let i = 0; i < n; i++) {
    const u = (hash32((base + i) >>> 0) >>> 8) / 16777216;
    out[i] = (u * 2 - 1) * scale;
  }
  return out;
}

/** Stream numbers: one per array of a spec, the same in bench_torch.py. */
export const STREAM = {
  weightIh: 1,
  weightHh: 2,
  biasIh: 3,
  biasHh: 4,
  x: 5,
  target: 6,
  matA: 7,
  matB: 8,
  h0: 9,
  c0: 10,
  grad: 11,
  weightHr: 12,
} as const;

export const SEED = 1234;
