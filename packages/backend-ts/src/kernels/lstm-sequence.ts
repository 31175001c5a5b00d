/**
 * A whole single-direction LSTM layer, forward and backward (backpropagation through time), with
 * optional per-sequence lengths. The recurrent weights are packed once per call for the matmul
 * micro-kernel and every scratch buffer is allocated up front, so the step loop never allocates.
 *
 * Masking: sequence b is active at step t when `t < lengths[b]`. Inactive steps carry the state
 * unchanged and write zeros to `output`, `gates` and `cells`; in the reverse direction this makes
 * each sequence start from h0, c0 at its own last real step, as PyTorch's packed sequences do.
 */
import type { SequenceDims } from '@gated/backend-api';
import { cellBackwardRow, cellRow } from './lstm-cell.js';
import { gemmPacked, pack, packedSize } from './matmul.js';

/** Step order of the forward pass: `t = order(s)` for s = 0..T-1. */
function stepAt(s: number, steps: number, reverse: boolean): number {
  return reverse ? steps - 1 - s : s;
}

/** The step processed just before `t` in the forward pass (may be outside [0, T)). */
function previousStep(t: number, reverse: boolean): number {
  return reverse ? t + 1 : t - 1;
}

function isActive(t: number, b: number, steps: number, lengths: Int32Array | null): boolean {
  return t >= 0 && t < steps && (lengths === null || t < lengths[b]!);
}

export function lstmSequence(
  dims: SequenceDims, inputGates: Float32Array, weightHh: Float32Array, h0: Float32Array, c0: Float32Array,
  lengths: Int32Array | null, reverse: boolean,
): { output: Float32Array; h: Float32Array; c: Float32Array; gates: Float32Array; cells: Float32Array } {
  const { steps, batch, hidden } = dims;
  const width = 4 * hidden;
  const output = new Float32Array(steps * batch * hidden);
  const gates = new Float32Array(steps * batch * width);
  const cells = new Float32Array(steps * batch * hidden);
  const h = Float32Array.from(h0);
  const c = Float32Array.from(c0);
  // pre = h · weightHhᵀ: A = h [B, H], B(k, g) = weightHh[g, k], so weightHh's rows are B's columns.
  const packedWeight = new Float32Array(packedSize(width, hidden));
  pack(weightHh, 0, hidden, 1, width, hidden, packedWeight);
  const packedH = new Float32Array(packedSize(batch, hidden));
  const pre = new Float64Array(batch * width);
  for (let s = 0; s < steps; s++) {
    const t = stepAt(s, steps, reverse);
    pack(h, 0, hidden, 1, batch, hidden, packedH);
    gemmPacked(packedH, packedWeight, batch, width, hidden, pre, 0, width);
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      const row = (t * batch + b) * width;
      const preRow = b * width;
      for (let k = 0; k < width; k++) pre[preRow + k] = pre[preRow + k]! + inputGates[row + k]!;
      const state = (t * batch + b) * hidden;
      cellRow(hidden, pre, preRow, c, b * hidden, output, state, cells, state, gates, row);
      h.set(output.subarray(state, state + hidden), b * hidden);
      c.set(cells.subarray(state, state + hidden), b * hidden);
    }
  }
  return { output, h, c, gates, cells };
}

export interface SequenceSaved {
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly weightHh: Float32Array;
  readonly lengths: Int32Array | null;
  readonly reverse: boolean;
  readonly output: Float32Array;
  readonly gates: Float32Array;
  readonly cells: Float32Array;
}

export function lstmSequenceBackward(
  dims: SequenceDims, saved: SequenceSaved, dOutput: Float32Array, dh: Float32Array, dc: Float32Array,
): { dInputGates: Float32Array; dWeightHh: Float32Array; dh0: Float32Array; dc0: Float32Array } {
  const { steps, batch, hidden } = dims;
  const { lengths, reverse, output, gates, cells, weightHh } = saved;
  const width = 4 * hidden;
  const dInputGates = new Float32Array(steps * batch * width);
  // The h each active step read, gathered so that dWeightHh is one matmul at the end.
  const hPrev = new Float32Array(steps * batch * hidden);
  const dhState = Float64Array.from(dh);
  const dcState = Float64Array.from(dc);
  const dhTotal = new Float64Array(hidden);
  // dh_prev = dGates · weightHh: A = dGates [B, 4H], B(g, j) = weightHh[g, j], columns j.
  const packedWeight = new Float32Array(packedSize(hidden, width));
  pack(weightHh, 0, 1, hidden, hidden, width, packedWeight);
  const packedGrad = new Float32Array(packedSize(batch, width));
  const dhPrev = new Float64Array(batch * hidden);
  for (let s = steps - 1; s >= 0; s--) {
    const t = stepAt(s, steps, reverse);
    const prev = previousStep(t, reverse);
    let anyActive = false;
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      anyActive = true;
      const state = (t * batch + b) * hidden;
      const row = (t * batch + b) * width;
      for (let j = 0; j < hidden; j++) dhTotal[j] = dhState[b * hidden + j]! + dOutput[state + j]!;
      const fromPrev = isActive(prev, b, steps, lengths);
      const prevState = (prev * batch + b) * hidden;
      const cPrev = fromPrev ? cells : saved.c0;
      const cPrevOffset = fromPrev ? prevState : b * hidden;
      cellBackwardRow(
        hidden, dhTotal, 0, dcState, b * hidden, cPrev, cPrevOffset, cells, state, gates, row,
        dInputGates, row, dcState, b * hidden,
      );
      if (fromPrev) hPrev.set(output.subarray(prevState, prevState + hidden), state);
      else hPrev.set(saved.h0.subarray(b * hidden, (b + 1) * hidden), state);
    }
    if (!anyActive) continue;
    pack(dInputGates, t * batch * width, width, 1, batch, width, packedGrad);
    gemmPacked(packedGrad, packedWeight, batch, hidden, width, dhPrev, 0, hidden);
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      dhState.set(dhPrev.subarray(b * hidden, (b + 1) * hidden), b * hidden);
    }
  }
  // dWeightHh[g, j] = Σ over (t, b) of dInputGates[t, b, g] · hPrev[t, b, j].
  const depth = steps * batch;
  const dWeightHh = new Float32Array(width * hidden);
  if (depth > 0) {
    const packedA = new Float32Array(packedSize(width, depth));
    const packedB = new Float32Array(packedSize(hidden, depth));
    pack(dInputGates, 0, 1, width, width, depth, packedA);
    pack(hPrev, 0, 1, hidden, hidden, depth, packedB);
    gemmPacked(packedA, packedB, width, hidden, depth, dWeightHh, 0, hidden);
  }
  return { dInputGates, dWeightHh, dh0: Float32Array.from(dhState), dc0: Float32Array.from(dcState) };
}
