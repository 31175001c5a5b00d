/**
 * Helpers of this package's own tests: seeded values, uploads to any backend, and comparisons
 * against the reference backend (backend-ts, which computes in float64 and rounds once).
 */
import type { Backend, DType, DataHandle, TensorSpec, TypedArray } from '@gated/backend-api';
import { expect } from 'vitest';

/** mulberry32: small and seeded, so failures reproduce. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` float32 values in [-scale, scale). */
export function values(next: () => number, size: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, () => (next() * 2 - 1) * scale);
}

/** Uploads `data` to `backend` as a tensor of `shape`, remembering the handle in `owned`. */
export function upload(
  backend: Backend,
  owned: DataHandle[],
  data: TypedArray,
  shape: readonly number[],
  dtype: DType = 'float32',
): TensorSpec {
  const handle = backend.alloc(dtype, data.length);
  backend.write(handle, data);
  owned.push(handle);
  return { data: handle, shape };
}

/** Largest |a - b| / (atol + rtol·|b|); below 1 means within tolerance. */
export function worstRatio(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const ratio = Math.abs(got[i]! - want[i]!) / (atol + rtol * Math.abs(want[i]!));
    if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Infinity : ratio;
  }
  return worst;
}

/** Expects `got` within `atol + rtol·|want|` of `want` everywhere. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, label: string, atol = 2e-6, rtol = 2e-6): void {
  expect(worstRatio(got, want, atol, rtol), label).toBeLessThanOrEqual(1);
}

/** The handles of a kernel's output record (`{ h, c, gates }` → `[h, c, gates]`; null ones left out). */
export function handlesOf(record: object): DataHandle[] {
  return (Object.values(record) as (DataHandle | null | undefined)[]).filter((h): h is DataHandle => h !== null && h !== undefined);
}
