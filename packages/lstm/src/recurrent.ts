/**
 * What LSTM and GRU share: checking inputs, initial states and lengths (with errors that name
 * the module, the expected layout and the shape received), the one-matmul input projection, and
 * the per-step masks of variable-length batches.
 */
import { GatedError, formatShape, shapesEqual } from '@gated/backend-api';
import {
  add,
  arange,
  less,
  matmul,
  reshape,
  slice,
  tensor,
  type Tensor,
} from '@gated/tensor';

/** Per-sequence lengths as host numbers (what `padSequence` returns; PyTorch keeps them on the CPU too). */
export type Lengths = readonly number[] | Int32Array;

/** The layout of one forward call, after checking. */
export interface SequenceLayout {
  readonly steps: number;
  readonly batch: number;
  /** A rank-2 input `[T, I]`: one sequence without a batch axis (PyTorch's unbatched input). */
  readonly unbatched: boolean;
}

/** Checks a recurrent layer's input `[T, B, I]` (`[B, T, I]` batch-first, or unbatched `[T, I]`). */
export function checkSequenceInput(op: string, x: Tensor, inputSize: number, batchFirst: boolean): SequenceLayout {
  x.assertLive(op);
  const layout = batchFirst ? `[B, T, ${inputSize}]` : `[T, B, ${inputSize}]`;
  const where = `(batchFirst ${String(batchFirst)})`;
  if (x.rank !== 2 && x.rank !== 3) {
    throw new GatedError(
      op,
      `expected input of shape ${layout} ${where} or an unbatched [T, ${inputSize}], got ${formatShape(x.shape)} (rank ${x.rank})`,
    );
  }
  if (x.dtype !== 'float32') throw new GatedError(op, `input must be float32, got ${x.dtype}`);
  if (x.shape[x.rank - 1] !== inputSize) {
    const expected = x.rank === 2 ? `[T, ${inputSize}] (unbatched)` : `${layout} ${where}`;
    throw new GatedError(op, `expected input of shape ${expected}, got ${formatShape(x.shape)}: the last axis must be inputSize = ${inputSize}`);
  }
  const unbatched = x.rank === 2;
  const steps = unbatched || !batchFirst ? x.shape[0]! : x.shape[1]!;
  const batch = unbatched ? 1 : batchFirst ? x.shape[0]! : x.shape[1]!;
  if (steps === 0) throw new GatedError(op, `the input ${formatShape(x.shape)} has no time steps (T = 0)`);
  return { steps, batch, unbatched };
}

/**
 * Checks an initial state: `[layers·D, B, size]`, or `[layers·D, size]` for an unbatched input.
 * Returns it in the batched layout (a view).
 */
export function checkState(
  op: string,
  name: string,
  state: Tensor,
  layout: SequenceLayout,
  count: number,
  size: number,
  sizeName: string,
): Tensor {
  state.assertLive(op);
  const expected = layout.unbatched ? [count, size] : [count, layout.batch, size];
  if (!shapesEqual(state.shape, expected)) {
    const symbolic = layout.unbatched ? `[numLayers·D, ${sizeName}]` : `[numLayers·D, B, ${sizeName}]`;
    throw new GatedError(op, `${name} must have shape ${formatShape(expected)} (${symbolic}), got ${formatShape(state.shape)}`);
  }
  if (state.dtype !== 'float32') throw new GatedError(op, `${name} must be float32, got ${state.dtype}`);
  return layout.unbatched ? reshape(state, [count, 1, size]) : state;
}

/** The host lengths, checked against the batch: one per sequence, each an integer in [1, T]. */
export function sequenceLengths(op: string, lengths: Lengths, layout: SequenceLayout): number[] {
  if (layout.unbatched) throw new GatedError(op, 'lengths need a batched input ([T, B, I] or [B, T, I]); an unbatched input is one sequence');
  if (lengths.length !== layout.batch) {
    throw new GatedError(op, `lengths must have one entry per sequence (B = ${layout.batch}), got ${lengths.length}`);
  }
  const out: number[] = [];
  for (let b = 0; b < lengths.length; b++) {
    const length = lengths[b]!;
    if (!Number.isInteger(length)) throw new GatedError(op, `lengths[${b}] must be an integer, got ${String(length)}`);
    if (length < 1) throw new GatedError(op, `lengths[${b}] is ${length}: every sequence needs at least one step`);
    if (length > layout.steps) {
      throw new GatedError(op, `lengths[${b}] is ${length}, longer than the sequence (T = ${layout.steps})`);
    }
    out.push(length);
  }
  return out;
}

/** The lengths as an int32 [B] tensor, or null when every sequence has the full length. */
export function lengthsTensor(lengths: readonly number[] | null): Tensor | null {
  return lengths ? tensor(Int32Array.from(lengths), { dtype: 'int32' }) : null;
}

/**
 * The input projection of every step in one matmul: `x · W_ihᵀ + bias` over `[T·B, I]`,
 * reshaped to `[T, B, G·H]`. `bias` may be null (no bias) and broadcasts over rows.
 */
export function projectInput(x: Tensor, weightIh: Tensor, bias: Tensor | null): Tensor {
  const [steps, batch, features] = x.shape as [number, number, number];
  const rows = reshape(x, [steps * batch, features]);
  const projected = matmul(rows, weightIh, { transposeB: true });
  const withBias = bias ? add(projected, bias) : projected;
  return reshape(withBias, [steps, batch, weightIh.shape[0]!]);
}

/** Row `t` of a `[T, ...rest]` tensor as a `[...rest]` view. */
export function stepOf(x: Tensor, t: number): Tensor {
  const rest = x.shape.slice(1);
  return reshape(slice(x, [t], [1, ...rest]), rest);
}

/** Entry `index` of a `[N, B, S]` state tensor, as a `[B, S]` view. */
export function stateAt(states: Tensor, index: number): Tensor {
  return stepOf(states, index);
}

/** bool [T, B]: whether sequence b is still running at step t (`t < lengths[b]`). */
export function activeMask(lengths: Tensor, steps: number, batch: number): Tensor {
  return less(reshape(arange(steps, undefined, 1, { dtype: 'int32' }), [steps, 1]), reshape(lengths, [1, batch]));
}

/** bool [B, 1]: column t of an active mask, ready to broadcast over [B, H]. */
export function maskAt(active: Tensor, t: number, batch: number): Tensor {
  return reshape(slice(active, [t, 0], [1, batch]), [batch, 1]);
}
