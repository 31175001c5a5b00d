/**
 * The check every (spec, backend) pair passes before it is timed: its outputs against
 * backend-ts's on the same weights and data. The error of an array is max |x − ref| divided by
 * max |ref| (the array's own scale), so one tolerance fits LSTM outputs (|h| < 1) and gradients
 * (a mean-squared-error gradient is ~1/N small) alike.
 */

/** Named outputs of one backend on one spec (e.g. `output`, `dWeightHh`), in PyTorch layouts. */
export type Outputs = Record<string, Float32Array>;

/**
 * What a check compares a backend with: backend-ts's outputs, either of the whole spec or, when
 * backend-ts would take too long, of its leading block (the first `seq` steps of the first
 * `batch` sequences, which depend on nothing else), forward output only.
 */
export interface Reference {
  readonly outputs: Outputs;
  /** null: the whole spec. Otherwise the leading block compared. */
  readonly block: { readonly seq: number; readonly batch: number } | null;
}

/** Default tolerance (relative to each reference array's largest magnitude). */
export const DEFAULT_TOLERANCE = 1e-4;
/** Tolerance of gradient arrays: backward sums over every step and sequence in another order. */
export const GRAD_TOLERANCE = 1e-3;

export function toleranceFor(key: string): number {
  return key.startsWith('d') ? GRAD_TOLERANCE : DEFAULT_TOLERANCE;
}

/** max |a − b| / max |b|; 0 when both are all zeros, Infinity on a length mismatch or NaN. */
export function relativeError(actual: Float32Array, reference: Float32Array): number {
  if (actual.length !== reference.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(actual[i]! - reference[i]!);
    if (!(d <= diff)) diff = d; // also catches NaN
    const r = Math.abs(reference[i]!);
    if (r > scale) scale = r;
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

/** The leading [seq, batch, :] block of a time-major [T, B, F] array. */
export function leadingBlock(a: Float32Array, batch: number, features: number, block: { seq: number; batch: number }): Float32Array {
  const out = new Float32Array(block.seq * block.batch * features);
  for (let t = 0; t < block.seq; t++) {
    for (let b = 0; b < block.batch; b++) {
      const from = (t * batch + b) * features;
      out.set(a.subarray(from, from + features), (t * block.batch + b) * features);
    }
  }
  return out;
}

export interface Comparison {
  readonly ok: boolean;
  /** Largest error over the compared arrays, each relative to its tolerance's scale. */
  readonly maxError: number;
  /** The tolerance of the array with the largest error-to-tolerance ratio. */
  readonly tolerance: number;
  readonly compared: string;
  /** Names of arrays over tolerance, with their error. */
  readonly failures: readonly string[];
}

/**
 * Compares every array of the reference with the same-named array of `actual` (already cut to
 * the reference's block when there is one). Arrays missing from `actual` fail.
 */
export function compare(actual: Outputs, reference: Outputs): Comparison {
  let worst = 0;
  let worstError = 0;
  let worstTolerance = DEFAULT_TOLERANCE;
  const failures: string[] = [];
  const keys = Object.keys(reference);
  for (const key of keys) {
    const tolerance = toleranceFor(key);
    const a = actual[key];
    const error = a ? relativeError(a, reference[key]!) : Infinity;
    if (!(error <= tolerance)) failures.push(`${key}: error ${error.toExponential(2)} > ${tolerance.toExponential(0)}`);
    const ratio = error / tolerance;
    if (!(ratio <= worst)) {
      worst = ratio;
      worstError = error;
      worstTolerance = tolerance;
    }
  }
  return { ok: failures.length === 0, maxError: worstError, tolerance: worstTolerance, compared: keys.join(' + '), failures };
}
