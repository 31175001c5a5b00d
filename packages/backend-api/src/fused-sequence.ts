/**
 * The whole-sequence recurrent kernels of the contract: one direction of an LSTM layer
 * (`lstmSequence`, with PyTorch's projection `W_hr` since v1.1) and of a GRU layer
 * (`gruSequence`, v1.1), forward and backward, generic over the tensor carrier like every fused
 * kernel (`fused.ts`). docs/decisions/0017 says what v1.1 added and how later variants (ONNX's
 * GRU with `linear_before_reset = 0`, LSTM peepholes, a plain RNN) extend these arguments.
 *
 * Conventions both kernels share:
 * - **Lengths.** `lengths` (int32 [B], each in [1, T]; null when every sequence has length T):
 *   sequence b is active at step t when `t < lengths[b]`. An inactive step carries the state
 *   unchanged, writes zeros to every per-step output, and is never read: its input gates may
 *   hold anything (NaN from padding included) without reaching an output or a gradient. So the
 *   reverse direction starts each sequence from its initial state at its own last real step,
 *   as PyTorch's packed sequences do.
 * - **Inference mode** (v1.1). `inference: true` says that no backward will follow: the kernel
 *   need not keep every step's gates and states, and may return null for them (one step's
 *   worth of scratch is enough). A backend that returns them anyway (every v1.0 backend) is
 *   correct; the engine frees what it did not ask for.
 */
import type { DataHandle, TensorSpec } from './backend.js';
import type { Shape } from './shape.js';

/** Inputs of a whole single-direction LSTM layer run inside the backend. */
export type LstmSequenceInputs<T = TensorSpec> = {
  /** Input projection of every step with both biases added, [T, B, 4H], gate order i, f, g, o. */
  readonly inputGates: T;
  /** Recurrent weights in PyTorch's layout, [4H, P] (P = H without a projection). */
  readonly weightHh: T;
  /** Initial hidden state [B, P] and cell state [B, H]. */
  readonly h0: T;
  readonly c0: T;
  /**
   * v1.1: the projection `W_hr` [P, H] of PyTorch's `proj_size` (P < H): each step's hidden
   * state is `h = (o ⊙ tanh(c)) · W_hrᵀ`, and it is that [B, P] state that the recurrence and the
   * output carry. Null or absent: no projection (P = H). The engine passes one only to a backend
   * whose `caps.fused.lstmProjection` is true; the checked layer refuses it elsewhere.
   */
  readonly weightHr?: T | null;
  /** Per-sequence lengths, int32 [B] (see the file comment); null: every sequence has length T. */
  readonly lengths: T | null;
  /** Run the steps from T-1 down to 0 (the reverse direction of a bidirectional layer). */
  readonly reverse: boolean;
  /** v1.1: no backward follows; `gates` and `cells` may come back null (see the file comment). */
  readonly inference?: boolean;
};

export type LstmSequenceOutputs<T = DataHandle> = {
  /** Hidden state of every step, [T, B, P] (0 past a sequence's length). */
  readonly output: T;
  /** Final states, [B, P] and [B, H]: the state after each sequence's last real step. */
  readonly h: T;
  readonly c: T;
  /** Activated gates of every step, [T, B, 4H], kept for backward (0 at inactive steps); may be null in inference mode. */
  readonly gates: T | null;
  /** Cell state after every step, [T, B, H], kept for backward (0 at inactive steps); may be null in inference mode. */
  readonly cells: T | null;
};

/** `F` is how the forward call's inputs are passed (the tensor op lets `lengths`, `reverse` default). */
export type LstmSequenceBackwardInputs<T = TensorSpec, F = LstmSequenceInputs<T>> = {
  readonly forward: F;
  /** The forward call's `output`, `gates` and `cells` (a training-mode call: never null here). */
  readonly output: T;
  readonly gates: T;
  readonly cells: T;
  /** Gradients of the loss with respect to `output` [T, B, P] and the final states [B, P], [B, H]. */
  readonly dOutput: T;
  readonly dh: T;
  readonly dc: T;
};

export type LstmSequenceBackwardOutputs<T = DataHandle> = {
  /** Gradient with respect to `inputGates`, [T, B, 4H] (and so, summed, to both biases). */
  readonly dInputGates: T;
  /** Gradient with respect to `weightHh`, [4H, P]. */
  readonly dWeightHh: T;
  /** Gradients with respect to the initial states, [B, P] and [B, H]. */
  readonly dh0: T;
  readonly dc0: T;
  /** v1.1: gradient with respect to `weightHr`, [P, H]; present exactly when the forward call had one. */
  readonly dWeightHr?: T | null;
};

/**
 * Inputs of a whole single-direction GRU layer (v1.1), PyTorch's `nn.GRU` equations with gate
 * order r, z, n:
 *
 * ```
 * r = σ(x_r + h W_hrᵀ)            (x_r: the r block of inputGates, b_ir + b_hr included)
 * z = σ(x_z + h W_hzᵀ)
 * n = tanh(x_n + r ⊙ (h W_hnᵀ + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * ```
 *
 * The reset gate multiplies the n gate's recurrent term after its bias ("linear before reset",
 * PyTorch's form), which is why `b_hn` cannot be folded into `inputGates` and is an operand.
 */
export type GruSequenceInputs<T = TensorSpec> = {
  /** `x · W_ihᵀ + b_ih`, with `b_hr` and `b_hz` added to the r and z blocks: [T, B, 3H], gate order r, z, n. */
  readonly inputGates: T;
  /** Recurrent weights in PyTorch's layout, [3H, H]. */
  readonly weightHh: T;
  /** `b_hn` [H], the n block of `bias_hh`; null: no recurrent bias. */
  readonly biasHn: T | null;
  /** Initial hidden state, [B, H]. */
  readonly h0: T;
  /** Per-sequence lengths (see the file comment); null: every sequence has length T. */
  readonly lengths: T | null;
  /** Run the steps from T-1 down to 0. */
  readonly reverse: boolean;
  /** No backward follows: `gates` and `hiddenN` may come back null. */
  readonly inference?: boolean;
};

export type GruSequenceOutputs<T = DataHandle> = {
  /** Hidden state of every step, [T, B, H] (0 past a sequence's length). */
  readonly output: T;
  /** Final hidden state, [B, H]: the state after each sequence's last real step. */
  readonly h: T;
  /** Activated gates of every step, [T, B, 3H]: r, z, n (0 at inactive steps); may be null in inference mode. */
  readonly gates: T | null;
  /** `h_{t-1} W_hnᵀ + b_hn` of every step, [T, B, H], kept for backward (0 at inactive steps); may be null in inference mode. */
  readonly hiddenN: T | null;
};

export type GruSequenceBackwardInputs<T = TensorSpec, F = GruSequenceInputs<T>> = {
  readonly forward: F;
  /** The forward call's `output`, `gates` and `hiddenN` (a training-mode call). */
  readonly output: T;
  readonly gates: T;
  readonly hiddenN: T;
  /** Gradients of the loss with respect to `output` [T, B, H] and the final state [B, H]. */
  readonly dOutput: T;
  readonly dh: T;
};

export type GruSequenceBackwardOutputs<T = DataHandle> = {
  /** Gradient with respect to `inputGates`, [T, B, 3H] (and so to `b_ih`, `b_hr`, `b_hz`). */
  readonly dInputGates: T;
  /** Gradient with respect to `weightHh`, [3H, H]. */
  readonly dWeightHh: T;
  /** Gradient with respect to `b_hn`, [H] (the sum over steps and sequences of the n block's recurrent gradient; computed with or without a bias). */
  readonly dBiasHn: T;
  /** Gradient with respect to `h0`, [B, H]. */
  readonly dh0: T;
};

/** The sizes of a whole-sequence call: steps T, batch B, hidden width H, and the state width P (H without a projection). */
export interface SequenceDims {
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  readonly proj: number;
}

/**
 * T, B, H and P of an `lstmSequence` or `gruSequence` call whose operands were checked (by the
 * checked layer or the tensor op): T from `inputGates` [T, B, G·H], B and P from `h0` [B, P], H
 * from `c0` [B, H] for an LSTM (else H = P).
 *
 * @example
 * ```ts
 * const { steps, batch, hidden, proj } = sequenceDims(inputs);
 * ```
 */
export function sequenceDims(inputs: {
  readonly inputGates: { readonly shape: Shape };
  readonly h0: { readonly shape: Shape };
  readonly c0?: { readonly shape: Shape };
}): SequenceDims {
  const proj = inputs.h0.shape[1]!;
  return { steps: inputs.inputGates.shape[0]!, batch: inputs.h0.shape[0]!, hidden: inputs.c0?.shape[1] ?? proj, proj };
}
