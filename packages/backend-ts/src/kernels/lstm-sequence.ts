/**
 * A whole single-direction LSTM layer, forward and backward (backpropagation through time), with
 * optional per-sequence lengths, PyTorch's projection `W_hr` (contract v1.1) and inference mode.
 * The weights are packed once per call for the matmul micro-kernel and every scratch buffer is
 * allocated up front, so the step loop never allocates.
 *
 * Masking: sequence b is active at step t when `t < lengths[b]`. Inactive steps are never read:
 * they carry the state unchanged and write zeros to `output`, `gates` and `cells`; in the reverse
 * direction this makes each sequence start from h0, c0 at its own last real step, as PyTorch's
 * packed sequences do.
 */
import type { SequenceDims } from '@gated/backend-api';
import { cellBackwardRow, cellRow } from './lstm-cell.js';
import { gemmPacked, pack, packedSize, rowsProduct } from './matmul.js';
import { isActive, previousStep, stepAt } from './sequence-steps.js';

export interface LstmSequenceOperands {
  readonly inputGates: Float32Array;
  readonly weightHh: Float32Array;
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly weightHr: Float32Array | null;
  readonly lengths: Int32Array | null;
  readonly reverse: boolean;
  readonly inference: boolean;
}

export function lstmSequence(
  dims: SequenceDims,
  operands: LstmSequenceOperands,
): { output: Float32Array; h: Float32Array; c: Float32Array; gates: Float32Array | null; cells: Float32Array | null } {
  const { steps, batch, hidden, proj } = dims;
  const { inputGates, weightHh, weightHr, lengths, reverse, inference } = operands;
  const width = 4 * hidden;
  const output = new Float32Array(steps * batch * proj);
  // In inference mode one step's gates and cells are kept (row b of step t at row b).
  const gates = new Float32Array((inference ? 1 : steps) * batch * width);
  const cells = new Float32Array((inference ? 1 : steps) * batch * hidden);
  const h = Float32Array.from(operands.h0);
  const c = Float32Array.from(operands.c0);
  // pre = h · weightHhᵀ: A = h [B, P], B(k, g) = weightHh[g, k], so weightHh's rows are B's columns.
  const packedWeight = new Float32Array(packedSize(width, proj));
  pack(weightHh, 0, proj, 1, width, proj, packedWeight);
  const packedH = new Float32Array(packedSize(batch, proj));
  const pre = new Float64Array(batch * width);
  // With a projection: m = o ⊙ tanh(c) of every row of the step, then h = m · weightHrᵀ.
  const packedHr = weightHr ? new Float32Array(packedSize(proj, hidden)) : null;
  if (weightHr) pack(weightHr, 0, hidden, 1, proj, hidden, packedHr!);
  const m = weightHr ? new Float32Array(batch * hidden) : null;
  const packedM = weightHr ? new Float32Array(packedSize(batch, hidden)) : null;
  const projected = weightHr ? new Float64Array(batch * proj) : null;
  for (let s = 0; s < steps; s++) {
    const t = stepAt(s, steps, reverse);
    const row0 = inference ? 0 : t * batch;
    pack(h, 0, proj, 1, batch, proj, packedH);
    gemmPacked(packedH, packedWeight, batch, width, proj, pre, 0, width);
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      const inputRow = (t * batch + b) * width;
      const preRow = b * width;
      for (let k = 0; k < width; k++) pre[preRow + k] = pre[preRow + k]! + inputGates[inputRow + k]!;
      const state = (row0 + b) * hidden;
      const out = (t * batch + b) * proj;
      cellRow(hidden, pre, preRow, c, b * hidden, m ?? output, m ? b * hidden : out, cells, state, gates, (row0 + b) * width);
      c.set(cells.subarray(state, state + hidden), b * hidden);
    }
    if (m) {
      pack(m, 0, hidden, 1, batch, hidden, packedM!);
      gemmPacked(packedM!, packedHr!, batch, proj, hidden, projected!, 0, proj);
    }
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      const out = (t * batch + b) * proj;
      if (projected) for (let j = 0; j < proj; j++) output[out + j] = projected[b * proj + j]!;
      h.set(output.subarray(out, out + proj), b * proj);
    }
  }
  return { output, h, c, gates: inference ? null : gates, cells: inference ? null : cells };
}

export interface LstmSequenceSaved {
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly weightHh: Float32Array;
  readonly weightHr: Float32Array | null;
  readonly lengths: Int32Array | null;
  readonly reverse: boolean;
  readonly output: Float32Array;
  readonly gates: Float32Array;
  readonly cells: Float32Array;
}

export function lstmSequenceBackward(
  dims: SequenceDims,
  saved: LstmSequenceSaved,
  dOutput: Float32Array,
  dh: Float32Array,
  dc: Float32Array,
): { dInputGates: Float32Array; dWeightHh: Float32Array; dh0: Float32Array; dc0: Float32Array; dWeightHr: Float32Array | null } {
  const { steps, batch, hidden, proj } = dims;
  const { lengths, reverse, output, gates, cells, weightHh, weightHr } = saved;
  const width = 4 * hidden;
  const dInputGates = new Float32Array(steps * batch * width);
  // The h each active step read, gathered so that dWeightHh is one matmul at the end; with a
  // projection also each step's total dh and m = o ⊙ tanh(c), for dWeightHr.
  const hPrev = new Float32Array(steps * batch * proj);
  const dProjected = weightHr ? new Float32Array(steps * batch * proj) : null;
  const unprojected = weightHr ? new Float32Array(steps * batch * hidden) : null;
  const dhState = Float64Array.from(dh);
  const dcState = Float64Array.from(dc);
  const dhTotal = new Float64Array(proj);
  const dm = new Float64Array(hidden);
  // dh_prev = dGates · weightHh: A = dGates [B, 4H], B(g, j) = weightHh[g, j], columns j.
  const packedWeight = new Float32Array(packedSize(proj, width));
  pack(weightHh, 0, 1, proj, proj, width, packedWeight);
  const packedGrad = new Float32Array(packedSize(batch, width));
  const dhPrev = new Float64Array(batch * proj);
  for (let s = steps - 1; s >= 0; s--) {
    const t = stepAt(s, steps, reverse);
    const prev = previousStep(t, reverse);
    let anyActive = false;
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      anyActive = true;
      const state = (t * batch + b) * hidden;
      const out = (t * batch + b) * proj;
      const row = (t * batch + b) * width;
      for (let j = 0; j < proj; j++) dhTotal[j] = dhState[b * proj + j]! + dOutput[out + j]!;
      if (weightHr) {
        // dm = dh · W_hr ([P] · [P, H]), in float64 like the cell.
        dm.fill(0);
        for (let p = 0; p < proj; p++) {
          const g = dhTotal[p]!;
          for (let j = 0; j < hidden; j++) dm[j] = dm[j]! + g * weightHr[p * hidden + j]!;
          dProjected![out + p] = g;
        }
        for (let j = 0; j < hidden; j++) unprojected![state + j] = gates[row + 3 * hidden + j]! * Math.tanh(cells[state + j]!);
      }
      const fromPrev = isActive(prev, b, steps, lengths);
      const prevState = (prev * batch + b) * hidden;
      const cPrev = fromPrev ? cells : saved.c0;
      const cPrevOffset = fromPrev ? prevState : b * hidden;
      cellBackwardRow(
        hidden,
        weightHr ? dm : dhTotal,
        0,
        dcState,
        b * hidden,
        cPrev,
        cPrevOffset,
        cells,
        state,
        gates,
        row,
        dInputGates,
        row,
        dcState,
        b * hidden,
      );
      const prevOut = (prev * batch + b) * proj;
      if (fromPrev) hPrev.set(output.subarray(prevOut, prevOut + proj), out);
      else hPrev.set(saved.h0.subarray(b * proj, (b + 1) * proj), out);
    }
    if (!anyActive) continue;
    pack(dInputGates, t * batch * width, width, 1, batch, width, packedGrad);
    gemmPacked(packedGrad, packedWeight, batch, proj, width, dhPrev, 0, proj);
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      dhState.set(dhPrev.subarray(b * proj, (b + 1) * proj), b * proj);
    }
  }
  const rows = steps * batch;
  // dWeightHh[g, j] = Σ over (t, b) of dInputGates[t, b, g] · hPrev[t, b, j].
  const dWeightHh = rowsProduct(dInputGates, hPrev, rows, width, proj);
  const dWeightHr = weightHr ? rowsProduct(dProjected!, unprojected!, rows, proj, hidden) : null;
  return { dInputGates, dWeightHh, dh0: Float32Array.from(dhState), dc0: Float32Array.from(dcState), dWeightHr };
}
