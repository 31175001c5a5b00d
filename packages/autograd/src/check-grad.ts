/**
 * Numerical gradient checking for users and for the conformance suite: compares the tape's
 * gradients with central finite differences, reading values only through the async path so it
 * runs on every backend (WebGPU included).
 */
import { GatedError, formatShape } from '@gated/backend-api';
import { Tensor, dispose, mul, sum, tensor, tidy } from '@gated/tensor';
import { grad } from './api.js';
import { assertLiveTensor } from '@gated/tensor/internal';

export interface CheckGradOptions {
  /**
   * Finite-difference step. The default, 5e-3, balances float32 rounding (error ≈ 1e-7·|f|/eps)
   * against truncation (≈ eps²·|f'''|); keep inputs away from kinks (0 for relu/abs, ties for
   * max) by more than eps.
   */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-3). */
  readonly atol?: number;
  /** Relative tolerance on the numeric derivative (default 1e-2). */
  readonly rtol?: number;
  /** Seed of the random cotangent used when `f` returns a non-scalar (default 1). */
  readonly seed?: number;
}

export interface GradMismatch {
  /** Which input (position in `inputs`). */
  readonly input: number;
  /** Flat element index within that input. */
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

export interface CheckGradResult {
  readonly ok: boolean;
  readonly maxAbsError: number;
  /** Elements outside tolerance (at most 10 are listed). */
  readonly mismatches: readonly GradMismatch[];
  /** One line for test failure messages. */
  readonly summary: string;
}

/** A small deterministic generator for the cotangent (mulberry32). */
function cotangentValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * Checks `f`'s gradients with respect to every float32 input against central differences of
 * `L = Σ f(inputs) ⊙ r` (r a fixed random cotangent, or 1 for a scalar output).
 *
 * @example
 * ```ts
 * const result = await checkGrad((a, b) => mul(tanh(a), b), [a, b]);
 * if (!result.ok) throw new Error(result.summary);
 * ```
 */
export async function checkGrad(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: CheckGradOptions = {},
): Promise<CheckGradResult> {
  const eps = options.eps ?? 5e-3;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  if (!(eps > 0)) throw new GatedError('checkGrad', `eps must be positive, got ${eps}`);
  for (const input of inputs) assertLiveTensor('checkGrad', input);

  const probe = tidy(() => f(...inputs));
  const outputShape = probe.shape;
  probe.dispose();
  const r = probe.rank === 0 ? new Float32Array([1]) : cotangentValues(probe.size, options.seed ?? 1);
  const cotangent = tensor(r, { shape: outputShape });

  const objective = (xs: Tensor[]) => sum(mul(f(...xs), cotangent));
  const evaluate = async (xs: Tensor[]): Promise<number> => {
    const out = tidy(() => f(...xs));
    try {
      if (!(out.shape.length === outputShape.length && out.shape.every((d, i) => d === outputShape[i]))) {
        throw new GatedError('checkGrad', `f returned ${formatShape(out.shape)} on a perturbed input, ${formatShape(outputShape)} before`);
      }
      const values = await out.data();
      let total = 0;
      for (let i = 0; i < values.length; i++) total += values[i]! * r[i]!;
      return total;
    } finally {
      out.dispose();
    }
  };

  const mismatches: GradMismatch[] = [];
  let maxAbsError = 0;
  let checked = 0;
  const analytic = grad(objective)([...inputs]);
  try {
    for (let which = 0; which < inputs.length; which++) {
      const input = inputs[which]!;
      if (input.dtype !== 'float32') continue;
      const base = (await input.data()) as Float32Array;
      const expected = (await analytic[which]!.data()) as Float32Array;
      for (let index = 0; index < base.length; index++) {
        const plus = Float32Array.from(base);
        const minus = Float32Array.from(base);
        plus[index] = base[index]! + eps;
        minus[index] = base[index]! - eps;
        const step = plus[index]! - minus[index]!;
        const values = [];
        for (const perturbed of [plus, minus]) {
          const replaced = tensor(perturbed, { shape: input.shape });
          try {
            values.push(await evaluate(inputs.map((x, i) => (i === which ? replaced : x))));
          } finally {
            replaced.dispose();
          }
        }
        const numeric = (values[0]! - values[1]!) / step;
        const got = expected[index]!;
        const error = Math.abs(got - numeric);
        checked++;
        if (!(error <= atol + rtol * Math.abs(numeric))) {
          if (mismatches.length < 10) mismatches.push({ input: which, index, analytic: got, numeric });
          maxAbsError = Math.max(maxAbsError, Number.isNaN(error) ? Infinity : error);
        } else {
          maxAbsError = Math.max(maxAbsError, error);
        }
      }
    }
  } finally {
    dispose(analytic);
    cotangent.dispose();
  }
  const ok = mismatches.length === 0;
  const summary = ok
    ? `checkGrad: ${checked} derivatives agree within atol ${atol} + rtol ${rtol} (max error ${maxAbsError.toExponential(2)})`
    : `checkGrad: ${mismatches.length} of ${checked} derivatives disagree, e.g. ${mismatches
        .slice(0, 3)
        .map((m) => `input ${m.input}[${m.index}]: analytic ${m.analytic} vs numeric ${m.numeric}`)
        .join('; ')}`;
  return { ok, maxAbsError, mismatches, summary };
}
