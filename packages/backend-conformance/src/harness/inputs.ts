/**
 * Inputs of finite-difference gradient checks: uniform values in a range, kept away from the
 * kinks of piecewise functions, or evenly spaced (no near-ties for max and min). Shared by the
 * gradient table (suites/gradients.ts) and the unary table (suites/unary.ts), whose rows say
 * where each op is differentiated.
 */
import { tensor, type Tensor } from '@gated/tensor';
import type { Rng } from './rng.js';

/** How to fill one input: uniform in [low, high), optionally moved away from kinks. */
export interface InputSpec {
  readonly shape: readonly number[];
  readonly low?: number;
  readonly high?: number;
  /** Values to stay at least 0.05 away from (kinks of relu, abs, floor, ...). */
  readonly avoid?: (value: number) => number;
  /** Evenly spaced values in random order, so no two are within eps (no near-ties for max/min). */
  readonly distinct?: boolean;
}

/** Distance from the nearest integer (floor, ceil kinks). */
export const fromIntegers = (v: number) => Math.abs(v - Math.round(v));
/** Distance from the nearest half-integer (round kinks). */
export const fromHalves = (v: number) => Math.abs(v - Math.floor(v) - 0.5);
export const fromZero = (v: number) => Math.abs(v);

export function makeInput(spec: InputSpec, rng: Rng): Tensor {
  const low = spec.low ?? -1;
  const high = spec.high ?? 1;
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (spec.distinct) {
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((rank, i) => (values[i] = low + ((high - low) * (rank + 0.5)) / size));
    return tensor(values, { shape: spec.shape });
  }
  for (let i = 0; i < size; i++) {
    let v = rng.float(low, high);
    for (let tries = 0; spec.avoid && spec.avoid(v) < 0.05 && tries < 100; tries++) v = rng.float(low, high);
    values[i] = v;
  }
  return tensor(values, { shape: spec.shape });
}

export const S = (...shape: number[]): InputSpec => ({ shape });
/** Distinct values at least (high - low) / size apart: inputs of max, min and maximum/minimum. */
export const D = (...shape: number[]): InputSpec => ({ shape, low: -2, high: 2, distinct: true });
/** Like D on a grid shifted by 0.13, so D and E values never tie (maximum, minimum). */
export const E = (...shape: number[]): InputSpec => ({ shape, low: -1.87, high: 2.13, distinct: true });
export const P = (...shape: number[]): InputSpec => ({ shape, low: 0.5, high: 2 });
export const A = (avoid: (v: number) => number, ...shape: number[]): InputSpec => ({ shape, low: -2, high: 2, avoid });
