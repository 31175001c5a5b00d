/**
 * One direction of an LSTM with peephole connections (ONNX's `P`, Gers and Schmidhuber's form):
 * the input and forget gates also see the previous cell state, the output gate the new one.
 * With gate order i, f, g, o and `[p_i, p_f, p_o]` = `weight_peephole` (each [H]):
 *
 * ```
 * [i, f, g, o] = split4(x_t W_ihᵀ + b_ih + b_hh + h_{t-1} W_hhᵀ)
 * i = σ(i + p_i ⊙ c_{t-1})   f = σ(f + p_f ⊙ c_{t-1})   g = tanh(g)
 * c_t = f ⊙ c_{t-1} + i ⊙ g  o = σ(o + p_o ⊙ c_t)       h_t = o ⊙ tanh(c_t)  (× W_hrᵀ when projected)
 * ```
 *
 * The `lstmSequence` op and its fused kernels have no peephole term, so this runs as the
 * composite step loop of step-loop.ts on every backend (docs/decisions/0023).
 */
import { add, concat, matmul, mul, sigmoid, split, tanh, type LstmSequenceResult, type Tensor } from '@gated/tensor';
import { runStepLoop } from './step-loop.js';

/** What the peephole loop reads of a layer's direction. */
export interface PeepholeWeights {
  readonly weightHh: Tensor;
  readonly weightHr: Tensor | null;
  /** `[3H]`: blocks p_i, p_f, p_o. */
  readonly weightPeephole: Tensor;
}

/**
 * Runs one direction over `inputGates` `[T, B, 4H]` (input projection, both biases included) from
 * `h0`, `c0`; returns what `lstmSequence` returns (gates and cells detached, null unless asked for).
 */
export function peepholeSequence(
  inputGates: Tensor,
  weights: PeepholeWeights,
  initial: { readonly h0: Tensor; readonly c0: Tensor },
  lengths: Tensor | null,
  reverse: boolean,
  returnGates: boolean,
): LstmSequenceResult {
  const [pi, pf, po] = split(weights.weightPeephole, 3, 0);
  const { weightHh, weightHr } = weights;
  const result = runStepLoop(inputGates, [initial.h0, initial.c0], lengths, reverse, (x, [h, c]) => {
    const [gi, gf, gg, go] = split(add(x, matmul(h!, weightHh, { transposeB: true })), 4, 1);
    const i = sigmoid(add(gi!, mul(pi!, c!)));
    const f = sigmoid(add(gf!, mul(pf!, c!)));
    const g = tanh(gg!);
    const cNew = add(mul(f, c!), mul(i, g));
    const o = sigmoid(add(go!, mul(po!, cNew)));
    const m = mul(o, tanh(cNew));
    const hNew = weightHr ? matmul(m, weightHr, { transposeB: true }) : m;
    return { states: [hNew, cNew], recorded: returnGates ? [concat([i, f, g, o], 1), cNew] : [] };
  });
  const [gates, cells] = result.recorded;
  return {
    output: result.output,
    h: result.states[0]!,
    c: result.states[1]!,
    gates: gates ? gates.detach() : null,
    cells: cells ? cells.detach() : null,
  };
}
