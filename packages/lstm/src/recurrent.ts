/**
 * What LSTM and GRU share: their common options, checking inputs, initial states and lengths
 * (with errors that name the module, the expected layout and the shape received), the layer loop
 * (directions, dropout between layers, the input and output layouts, padded steps zeroed before
 * the projection), and the one-matmul input projection. The step loops themselves are the
 * sequence ops of `@gated/tensor` (`lstmSequence`, `gruSequence`).
 */
import { GatedError, describeValue, formatShape, shapesEqual } from '@gated/backend-api';
import {
  add,
  arange,
  concat,
  less,
  matmul,
  reshape,
  slice,
  squeeze,
  stack,
  tensor,
  transpose,
  unsqueeze,
  where,
  type Tensor,
} from '@gated/tensor';
import { applyDropout } from './dropout.js';
import { deriveSeed } from './seed.js';
import { assertLiveTensor } from '@gated/tensor/internal';

/** The constructor options LSTM and GRU share, PyTorch's names in camelCase. */
export interface RecurrentOptions {
  /** Features of each input step (I). */
  readonly inputSize: number;
  /** Features of the hidden state (H). */
  readonly hiddenSize: number;
  /** Stacked layers; layer k > 0 reads layer k-1's output. Default 1. */
  readonly numLayers?: number;
  /** Learn `bias_ih` and `bias_hh`. Default true. */
  readonly bias?: boolean;
  /** Input and output are `[B, T, features]` instead of `[T, B, features]`. States are unaffected. Default false. */
  readonly batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode only. Default 0. */
  readonly dropout?: number;
  /** Run a second, reverse direction per layer and concatenate both outputs. Default false. */
  readonly bidirectional?: boolean;
  /** Seed of the initial weights and of the dropout masks; default: the global random stream. */
  readonly seed?: number;
  /**
   * Use the backend's fused sequence kernels when it offers them (default true). `false` always
   * runs the composite of core ops: slower, for debugging and for checking kernels.
   */
  readonly fused?: boolean;
}

/** What the layer loop needs to know of a stacked recurrent module (LSTM and GRU are ones). */
export interface LayerStack {
  readonly numLayers: number;
  readonly numDirections: number;
  readonly batchFirst: boolean;
  readonly training: boolean;
  readonly dropout: number;
}

/** A module's seed and running count of dropout calls between layers (each call's mask has its own seed). */
export interface LayerDropout {
  readonly seed: number | undefined;
  calls: number;
}

/**
 * Runs every layer and direction of a stacked module over `x` in its user-facing layout:
 * `direction(input, index, layer, d)` runs direction `d` of `layer` (`index` = layer·D + d, the
 * position of its states) on the previous layer's `[T, B, features]` output and returns its
 * `[T, B, out]` output; directions are concatenated, and dropout applies between layers in
 * training mode. Returns the last layer's output in the input's layout.
 *
 * With `lengths`, the first layer's padded steps are replaced by zeros before anything reads
 * them (selected with `where`, never multiplied by a mask): the sequence kernels skip padded
 * steps, but the input projection of all steps is one matmul, whose weight gradient
 * `dGatesᵀ · x` would multiply the padded steps' zero gradients with whatever padding holds
 * (`0 · NaN` is NaN). Layers above read outputs that are exactly 0 there.
 */
export function runLayers(
  stack: LayerStack,
  dropout: LayerDropout,
  x: Tensor,
  layout: SequenceLayout,
  lengths: Tensor | null,
  direction: (input: Tensor, index: number, layer: number, d: number) => Tensor,
): Tensor {
  let input = layout.unbatched ? unsqueeze(x, 1) : stack.batchFirst ? transpose(x, 0, 1) : x;
  if (lengths) input = where(unsqueeze(activeMask(lengths, layout.steps, layout.batch), 2), input, 0);
  for (let layer = 0; layer < stack.numLayers; layer++) {
    const outputs: Tensor[] = [];
    for (let d = 0; d < stack.numDirections; d++) outputs.push(direction(input, layer * stack.numDirections + d, layer, d));
    input = outputs.length === 1 ? outputs[0]! : concat(outputs, 2);
    if (stack.training && stack.dropout > 0 && layer < stack.numLayers - 1) {
      input = applyDropout(
        input,
        stack.dropout,
        dropout.seed === undefined ? undefined : deriveSeed(dropout.seed, 1 << 20),
        dropout.calls++,
      );
    }
  }
  return layout.unbatched ? squeeze(input, 1) : stack.batchFirst ? transpose(input, 0, 1) : input;
}

/** The final states of every layer and direction as `[numLayers·D, B, S]` (`[numLayers·D, S]` unbatched). */
export function stackStates(states: readonly Tensor[], layout: SequenceLayout): Tensor {
  return layout.unbatched
    ? stack(
        states.map((t) => squeeze(t, 0)),
        0,
      )
    : stack(states, 0);
}

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
  assertLiveTensor(op, x);
  const layout = batchFirst ? `[B, T, ${inputSize}]` : `[T, B, ${inputSize}]`;
  const orientation = `(batchFirst ${String(batchFirst)})`;
  if (x.rank !== 2 && x.rank !== 3) {
    throw new GatedError(
      op,
      `expected input of shape ${layout} ${orientation} or an unbatched [T, ${inputSize}], got ${formatShape(x.shape)} (rank ${x.rank})`,
    );
  }
  if (x.dtype !== 'float32') throw new GatedError(op, `input must be float32, got ${x.dtype}`);
  if (x.shape[x.rank - 1] !== inputSize) {
    const expected = x.rank === 2 ? `[T, ${inputSize}] (unbatched)` : `${layout} ${orientation}`;
    throw new GatedError(
      op,
      `expected input of shape ${expected}, got ${formatShape(x.shape)}: the last axis must be inputSize = ${inputSize}`,
    );
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
  assertLiveTensor(op, state);
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
  if (layout.unbatched)
    throw new GatedError(op, 'lengths need a batched input ([T, B, I] or [B, T, I]); an unbatched input is one sequence');
  const given: unknown = lengths;
  if (!Array.isArray(given) && !(given instanceof Int32Array)) {
    // A Tensor has no `length`: say what it is rather than "got undefined".
    throw new GatedError(
      op,
      `lengths must be host integers (an array or an Int32Array), got ${describeValue(given)}; read a tensor of lengths with await lengths.data()`,
    );
  }
  if (lengths.length !== layout.batch) {
    throw new GatedError(op, `lengths must have one entry per sequence (B = ${layout.batch}), got ${lengths.length}`);
  }
  const out: number[] = [];
  for (let b = 0; b < lengths.length; b++) {
    const length = lengths[b]!;
    if (!Number.isInteger(length)) throw new GatedError(op, `lengths[${b}] must be an integer, got ${describeValue(length)}`);
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

/** Entry `index` of a `[N, B, S]` state tensor, as a `[B, S]` view. */
export function stateAt(states: Tensor, index: number): Tensor {
  const rest = states.shape.slice(1);
  return reshape(slice(states, [index], [1, ...rest]), rest);
}

/** bool [T, B]: whether sequence b is still running at step t (`t < lengths[b]`). */
export function activeMask(lengths: Tensor, steps: number, batch: number): Tensor {
  return less(reshape(arange(steps, undefined, 1, { dtype: 'int32' }), [steps, 1]), reshape(lengths, [1, batch]));
}
