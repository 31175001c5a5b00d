/**
 * What the fused-kernel suites share (fused.ts, sequence-kernels.ts, padding.ts): random inputs
 * on the active backend, the fused-versus-composite comparison and its tolerance, and the
 * arguments of the sequence ops.
 */
import { tensor, type GruSequenceArgs, type LstmSequenceArgs, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { mismatches } from '../../harness/compare.js';
import type { SuiteContext } from '../../harness/context.js';
import type { Rng } from '../../harness/rng.js';
import { NDArray } from '../../reference/index.js';

/** Fused versus composite: both float32, same formula; 2e-6 absolute plus 2e-6 relative. */
export const FUSED = { rtol: 2e-6, atol: 2e-6 };

/** Uniform values in ±scale, float32, on the active backend. */
export function random(rng: Rng, shape: number[], scale = 1): Tensor {
  return tensor(Float32Array.from(rng.uniform(shape, -scale, scale).data), { shape });
}

/** `got` equals `want` within {@link FUSED} (scaled by the backend's tolerance options). */
export async function expectSame(
  ctx: SuiteContext,
  got: Tensor | null | undefined,
  want: Tensor | null | undefined,
  label: string,
): Promise<void> {
  expect(got, `${label}: missing`).toBeTruthy();
  expect(want, `${label}: missing reference`).toBeTruthy();
  expect([...got!.shape], `${label}: shape`).toEqual([...want!.shape]);
  const [a, b] = await Promise.all([got!.data(), want!.data()]);
  const tolerance = ctx.tolerance(FUSED.rtol, FUSED.atol);
  expect(mismatches(a, NDArray.of(b, want!.shape), tolerance), label).toBe('');
}

/** The int32 lengths tensor, or null. */
export function lengthsOf(lengths: readonly number[] | null): Tensor | null {
  return lengths ? tensor(Int32Array.from(lengths), { dtype: 'int32' }) : null;
}

/** Random operands of `lstmSequence`: hidden width H, state width P (a projection when P < H). */
export function lstmInputs(
  rng: Rng,
  steps: number,
  batch: number,
  hidden: number,
  lengths: readonly number[] | null,
  reverse: boolean,
  proj = 0,
): LstmSequenceArgs {
  const width = proj > 0 ? proj : hidden;
  return {
    inputGates: random(rng, [steps, batch, 4 * hidden], 1.5),
    weightHh: random(rng, [4 * hidden, width], 0.6),
    h0: random(rng, [batch, width], 0.5),
    c0: random(rng, [batch, hidden], 0.5),
    weightHr: proj > 0 ? random(rng, [proj, hidden], 0.7) : null,
    lengths: lengthsOf(lengths),
    reverse,
  };
}

/** Random operands of `gruSequence`. */
export function gruInputs(
  rng: Rng,
  steps: number,
  batch: number,
  hidden: number,
  lengths: readonly number[] | null,
  reverse: boolean,
  bias = true,
): GruSequenceArgs {
  return {
    inputGates: random(rng, [steps, batch, 3 * hidden], 1.5),
    weightHh: random(rng, [3 * hidden, hidden], 0.6),
    biasHn: bias ? random(rng, [hidden], 0.5) : null,
    h0: random(rng, [batch, hidden], 0.5),
    lengths: lengthsOf(lengths),
    reverse,
  };
}
