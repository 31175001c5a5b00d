/**
 * A whole single-direction GRU layer (contract v1.1), forward and backward, with PyTorch's
 * equations (gate order r, z, n; the reset gate multiplies `h W_hnᵀ + b_hn`), optional
 * per-sequence lengths (padded steps never read, as in lstm-sequence.ts) and inference mode.
 * Arithmetic runs in float64 and is rounded once on store, like the LSTM kernels.
 */
import type { SequenceDims } from '@gated/backend-api';
import { gemmPacked, pack, packedSize, rowsProduct } from './matmul.js';
import { isActive, previousStep, stepAt } from './sequence-steps.js';
import { sigmoid } from './unary.js';

export interface GruSequenceOperands {
  readonly inputGates: Float32Array;
  readonly weightHh: Float32Array;
  readonly biasHn: Float32Array | null;
  readonly h0: Float32Array;
  readonly lengths: Int32Array | null;
  readonly reverse: boolean;
  readonly inference: boolean;
}

export function gruSequence(
  dims: SequenceDims,
  operands: GruSequenceOperands,
): { output: Float32Array; h: Float32Array; gates: Float32Array | null; hiddenN: Float32Array | null } {
  const { steps, batch, hidden } = dims;
  const { inputGates, weightHh, biasHn, lengths, reverse, inference } = operands;
  const width = 3 * hidden;
  const output = new Float32Array(steps * batch * hidden);
  // In inference mode one step's worth is kept (row b of step t at row b).
  const gates = new Float32Array((inference ? 1 : steps) * batch * width);
  const hiddenN = new Float32Array((inference ? 1 : steps) * batch * hidden);
  const h = Float32Array.from(operands.h0);
  // pre = h · weightHhᵀ: weightHh's rows are the columns of B.
  const packedWeight = new Float32Array(packedSize(width, hidden));
  pack(weightHh, 0, hidden, 1, width, hidden, packedWeight);
  const packedH = new Float32Array(packedSize(batch, hidden));
  const pre = new Float64Array(batch * width);
  for (let s = 0; s < steps; s++) {
    const t = stepAt(s, steps, reverse);
    const row0 = inference ? 0 : t * batch;
    pack(h, 0, hidden, 1, batch, hidden, packedH);
    gemmPacked(packedH, packedWeight, batch, width, hidden, pre, 0, width);
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      const x = (t * batch + b) * width;
      const p = b * width;
      const g = (row0 + b) * width;
      const state = (t * batch + b) * hidden;
      for (let j = 0; j < hidden; j++) {
        const r = sigmoid(inputGates[x + j]! + pre[p + j]!);
        const z = sigmoid(inputGates[x + hidden + j]! + pre[p + hidden + j]!);
        const hn = pre[p + 2 * hidden + j]! + (biasHn ? biasHn[j]! : 0);
        const n = Math.tanh(inputGates[x + 2 * hidden + j]! + r * hn);
        const hOld = h[b * hidden + j]!;
        const hNew = n + z * (hOld - n);
        gates[g + j] = r;
        gates[g + hidden + j] = z;
        gates[g + 2 * hidden + j] = n;
        hiddenN[(row0 + b) * hidden + j] = hn;
        output[state + j] = hNew;
        h[b * hidden + j] = hNew;
      }
    }
  }
  return { output, h, gates: inference ? null : gates, hiddenN: inference ? null : hiddenN };
}

export interface GruSequenceSaved {
  readonly h0: Float32Array;
  readonly weightHh: Float32Array;
  readonly lengths: Int32Array | null;
  readonly reverse: boolean;
  readonly output: Float32Array;
  readonly gates: Float32Array;
  readonly hiddenN: Float32Array;
}

/**
 * Backpropagation through time (the equations are in `@gated/tensor`'s composite,
 * gru-sequence-composite.ts). `dW_hh` is one product over all steps of the recurrent term's
 * gradient and the state each step started from; `db_hn` is the sum of its n block.
 */
export function gruSequenceBackward(
  dims: SequenceDims,
  saved: GruSequenceSaved,
  dOutput: Float32Array,
  dh: Float32Array,
): { dInputGates: Float32Array; dWeightHh: Float32Array; dBiasHn: Float32Array; dh0: Float32Array } {
  const { steps, batch, hidden } = dims;
  const { lengths, reverse, output, gates, hiddenN, weightHh } = saved;
  const width = 3 * hidden;
  const rows = steps * batch;
  const dInputGates = new Float32Array(rows * width);
  const dRecurrent = new Float32Array(rows * width);
  const hPrev = new Float32Array(rows * hidden);
  const dhState = Float64Array.from(dh);
  const dhDirect = new Float64Array(batch * hidden);
  // dh_prev = dRecurrent · weightHh: weightHh [3H, H] is B with columns j, depth 3H.
  const packedWeight = new Float32Array(packedSize(hidden, width));
  pack(weightHh, 0, 1, hidden, hidden, width, packedWeight);
  const packedGrad = new Float32Array(packedSize(batch, width));
  const dhRecurrent = new Float64Array(batch * hidden);
  for (let s = steps - 1; s >= 0; s--) {
    const t = stepAt(s, steps, reverse);
    const prev = previousStep(t, reverse);
    let anyActive = false;
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      anyActive = true;
      const state = (t * batch + b) * hidden;
      const row = (t * batch + b) * width;
      const fromPrev = isActive(prev, b, steps, lengths);
      const before = fromPrev ? output : saved.h0;
      const beforeOffset = fromPrev ? (prev * batch + b) * hidden : b * hidden;
      for (let j = 0; j < hidden; j++) {
        const r = gates[row + j]!;
        const z = gates[row + hidden + j]!;
        const n = gates[row + 2 * hidden + j]!;
        const hBefore = before[beforeOffset + j]!;
        const dhTotal = dhState[b * hidden + j]! + dOutput[state + j]!;
        const dnPre = dhTotal * (1 - z) * (1 - n * n);
        const dzPre = dhTotal * (hBefore - n) * z * (1 - z);
        const drPre = dnPre * hiddenN[state + j]! * r * (1 - r);
        dInputGates[row + j] = drPre;
        dInputGates[row + hidden + j] = dzPre;
        dInputGates[row + 2 * hidden + j] = dnPre;
        dRecurrent[row + j] = drPre;
        dRecurrent[row + hidden + j] = dzPre;
        dRecurrent[row + 2 * hidden + j] = dnPre * r;
        dhDirect[b * hidden + j] = dhTotal * z;
        hPrev[state + j] = hBefore;
      }
    }
    if (!anyActive) continue;
    pack(dRecurrent, t * batch * width, width, 1, batch, width, packedGrad);
    gemmPacked(packedGrad, packedWeight, batch, hidden, width, dhRecurrent, 0, hidden);
    for (let b = 0; b < batch; b++) {
      if (!isActive(t, b, steps, lengths)) continue;
      for (let j = 0; j < hidden; j++) dhState[b * hidden + j] = dhDirect[b * hidden + j]! + dhRecurrent[b * hidden + j]!;
    }
  }
  const dWeightHh = rowsProduct(dRecurrent, hPrev, rows, width, hidden);
  const bias = new Float64Array(hidden);
  for (let r = 0; r < rows; r++) for (let j = 0; j < hidden; j++) bias[j] = bias[j]! + dRecurrent[r * width + 2 * hidden + j]!;
  return { dInputGates, dWeightHh, dBiasHn: Float32Array.from(bias), dh0: Float32Array.from(dhState) };
}
