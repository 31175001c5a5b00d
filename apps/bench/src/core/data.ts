/**
 * The arrays of a spec, in PyTorch's layouts (time-major x [T, B, I]; weights [G·H, I] and
 * [G·H, P] in gate order i, f, g, o (LSTM, G = 4) or r, z, n (GRU, G = 3); a projected LSTM's
 * W_hr [P, H]; P = H without a projection), plus the conversions each peer needs: TF.js/Keras
 * (kernel = weight_ihᵀ [I, 4H], recurrent kernel = weight_hhᵀ, one bias = b_ih + b_hh; gate order
 * i, f, c, o is PyTorch's), ONNX (gate order i, o, f, c; W [1, 4H, I], R [1, 4H, H], B [1, 8H])
 * and brain.js (one [H, in] matrix per gate, one summed bias per gate).
 */
import { stateWidth } from './measure.js';
import { SEED, STREAM, uniform } from './prng.js';
import type { LstmSpec } from './types.js';

export interface LstmData {
  readonly spec: LstmSpec;
  /** [T, B, I] */
  readonly x: Float32Array;
  /** [T, B, P]; only for train specs. */
  readonly target: Float32Array | null;
  /** [G·H, I] */
  readonly weightIh: Float32Array;
  /** [G·H, P] */
  readonly weightHh: Float32Array;
  /** [G·H] */
  readonly biasIh: Float32Array;
  readonly biasHh: Float32Array;
  /** [P, H] for a projected LSTM, else null. */
  readonly weightHr: Float32Array | null;
}

/** Gate blocks of a spec's layer: 3 for a GRU, 4 for an LSTM. */
export function gateCount(spec: Pick<LstmSpec, 'cell'>): number {
  return spec.cell === 'gru' ? 3 : 4;
}

export function lstmData(spec: LstmSpec): LstmData {
  const { batch: B, seq: T, input: I, hidden: H } = spec;
  const G = gateCount(spec);
  const P = stateWidth(spec);
  const bound = 1 / Math.sqrt(H);
  return {
    spec,
    x: uniform(T * B * I, SEED, STREAM.x, 1),
    target: spec.mode === 'train' ? uniform(T * B * P, SEED, STREAM.target, 1) : null,
    weightIh: uniform(G * H * I, SEED, STREAM.weightIh, bound),
    weightHh: uniform(G * H * P, SEED, STREAM.weightHh, bound),
    biasIh: uniform(G * H, SEED, STREAM.biasIh, bound),
    biasHh: uniform(G * H, SEED, STREAM.biasHh, bound),
    weightHr: P !== H ? uniform(P * H, SEED, STREAM.weightHr, bound) : null,
  };
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  }
  return out;
}

/** Swaps the first two axes of a row-major [d0, d1, d2] array ([T,B,F] ↔ [B,T,F]). */
export function swap01(a: Float32Array, d0: number, d1: number, d2: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      out.set(a.subarray((i * d1 + j) * d2, (i * d1 + j + 1) * d2), (j * d0 + i) * d2);
    }
  }
  return out;
}

export function addArrays(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/** Keras/TF.js weights: [kernel [I, 4H], recurrentKernel [H, 4H], bias [4H]]. */
export function kerasWeights(d: LstmData): [Float32Array, Float32Array, Float32Array] {
  const { input: I, hidden: H } = d.spec;
  return [transpose2d(d.weightIh, 4 * H, I), transpose2d(d.weightHh, 4 * H, H), addArrays(d.biasIh, d.biasHh)];
}

/** Reorders the four [H·cols] gate blocks from PyTorch's i, f, g, o to ONNX's i, o, f, c. */
export function toOnnxGateOrder(a: Float32Array, hidden: number, cols: number): Float32Array {
  const block = hidden * cols;
  const out = new Float32Array(a.length);
  const order = [0, 3, 1, 2]; // ONNX slot k takes PyTorch gate order[k]
  for (let k = 0; k < 4; k++) out.set(a.subarray(order[k]! * block, (order[k]! + 1) * block), k * block);
  return out;
}

/** Reorders the three [H·cols] gate blocks from PyTorch's r, z, n to ONNX's z, r, h. */
export function toOnnxGruOrder(a: Float32Array, hidden: number, cols: number): Float32Array {
  const block = hidden * cols;
  const out = new Float32Array(a.length);
  const order = [1, 0, 2]; // ONNX slot k takes PyTorch gate order[k]
  for (let k = 0; k < 3; k++) out.set(a.subarray(order[k]! * block, (order[k]! + 1) * block), k * block);
  return out;
}

/**
 * ONNX LSTM initializers: W [1, 4H, I], R [1, 4H, H], B [1, 8H] (Wb then Rb), gate order i, o, f,
 * c; for a GRU W [1, 3H, I], R [1, 3H, H], B [1, 6H], gate order z, r, h (with
 * `linear_before_reset = 1`, PyTorch's form).
 */
export function onnxWeights(d: LstmData): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const { input: I, hidden: H } = d.spec;
  const G = gateCount(d.spec);
  const order = G === 3 ? toOnnxGruOrder : toOnnxGateOrder;
  const B = new Float32Array(2 * G * H);
  B.set(order(d.biasIh, H, 1), 0);
  B.set(order(d.biasHh, H, 1), G * H);
  return { W: order(d.weightIh, H, I), R: order(d.weightHh, H, H), B };
}

/** Gate `g` (0 = i, 1 = f, 2 = g, 3 = o) of a PyTorch [4H, cols] matrix, as a fresh [H, cols] array. */
export function gateBlock(a: Float32Array, gate: number, hidden: number, cols: number): Float32Array {
  return a.slice(gate * hidden * cols, (gate + 1) * hidden * cols);
}
