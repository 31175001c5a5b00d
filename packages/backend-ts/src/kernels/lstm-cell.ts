/**
 * The fused LSTM cell, forward and backward, in PyTorch's gate order i, f, g, o:
 * `c' = σ(f)·c + σ(i)·tanh(g)`, `h = σ(o)·tanh(c')`. The per-row functions are shared with the
 * whole-sequence kernels in `lstm-sequence.ts`.
 */
import { sigmoid } from './unary.js';

/**
 * One batch row of the cell: reads the 4H pre-activations at `pre[preOffset]` and the previous
 * cell at `cPrev[cPrevOffset]`; writes h, c' and the activated gates.
 */
export function cellRow(
  hidden: number,
  pre: Float64Array,
  preOffset: number,
  cPrev: Float32Array,
  cPrevOffset: number,
  h: Float32Array,
  hOffset: number,
  c: Float32Array,
  cOffset: number,
  gates: Float32Array,
  gatesOffset: number,
): void {
  for (let j = 0; j < hidden; j++) {
    const p = preOffset + j;
    const i = sigmoid(pre[p]!);
    const f = sigmoid(pre[p + hidden]!);
    const g = Math.tanh(pre[p + 2 * hidden]!);
    const o = sigmoid(pre[p + 3 * hidden]!);
    const cNew = f * cPrev[cPrevOffset + j]! + i * g;
    c[cOffset + j] = cNew;
    h[hOffset + j] = o * Math.tanh(cNew);
    const q = gatesOffset + j;
    gates[q] = i;
    gates[q + hidden] = f;
    gates[q + 2 * hidden] = g;
    gates[q + 3 * hidden] = o;
  }
}

/**
 * Backward of one batch row: from the gradients `dh`, `dc` of h and c', the previous cell, the
 * new cell and the activated gates, writes the pre-activation gradients and `dcPrev`.
 * `dc` and `dcPrev` may be the same array (each element is read before it is written).
 */
export function cellBackwardRow(
  hidden: number,
  dh: Float64Array,
  dhOffset: number,
  dc: Float64Array,
  dcOffset: number,
  cPrev: Float32Array,
  cPrevOffset: number,
  cNew: Float32Array,
  cNewOffset: number,
  gates: Float32Array,
  gatesOffset: number,
  dGates: Float32Array,
  dGatesOffset: number,
  dcPrev: Float32Array | Float64Array,
  dcPrevOffset: number,
): void {
  for (let j = 0; j < hidden; j++) {
    const q = gatesOffset + j;
    const i = gates[q]!;
    const f = gates[q + hidden]!;
    const g = gates[q + 2 * hidden]!;
    const o = gates[q + 3 * hidden]!;
    const dhj = dh[dhOffset + j]!;
    const tc = Math.tanh(cNew[cNewOffset + j]!);
    const dcTotal = dc[dcOffset + j]! + dhj * o * (1 - tc * tc);
    const d = dGatesOffset + j;
    dGates[d] = dcTotal * g * i * (1 - i);
    dGates[d + hidden] = dcTotal * cPrev[cPrevOffset + j]! * f * (1 - f);
    dGates[d + 2 * hidden] = dcTotal * i * (1 - g * g);
    dGates[d + 3 * hidden] = dhj * tc * o * (1 - o);
    dcPrev[dcPrevOffset + j] = dcTotal * f;
  }
}

/** `lstmCell`: inputs [B, 4H], [B, 4H], [B, H]; returns h and c' [B, H] and the gates [B, 4H]. */
export function lstmCell(
  inputGates: Float32Array,
  hiddenGates: Float32Array,
  c: Float32Array,
  batch: number,
  hidden: number,
): { h: Float32Array; c: Float32Array; gates: Float32Array } {
  const width = 4 * hidden;
  const h = new Float32Array(batch * hidden);
  const cNew = new Float32Array(batch * hidden);
  const gates = new Float32Array(batch * width);
  const pre = new Float64Array(width);
  for (let b = 0; b < batch; b++) {
    const row = b * width;
    for (let k = 0; k < width; k++) pre[k] = inputGates[row + k]! + hiddenGates[row + k]!;
    cellRow(hidden, pre, 0, c, b * hidden, h, b * hidden, cNew, b * hidden, gates, row);
  }
  return { h, c: cNew, gates };
}

/** `lstmCellBackward`: returns the pre-activation gradients [B, 4H] and the previous cell's [B, H]. */
export function lstmCellBackward(
  dh: Float32Array,
  dc: Float32Array,
  c: Float32Array,
  cNew: Float32Array,
  gates: Float32Array,
  batch: number,
  hidden: number,
): { dGates: Float32Array; dc: Float32Array } {
  const dGates = new Float32Array(batch * 4 * hidden);
  const dcPrev = new Float32Array(batch * hidden);
  const dh64 = Float64Array.from(dh);
  const dc64 = Float64Array.from(dc);
  for (let b = 0; b < batch; b++) {
    const s = b * hidden;
    cellBackwardRow(hidden, dh64, s, dc64, s, c, s, cNew, s, gates, 4 * s, dGates, 4 * s, dcPrev, s);
  }
  return { dGates, dc: dcPrev };
}
