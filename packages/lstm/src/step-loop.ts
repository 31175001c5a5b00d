/**
 * The step loop of the recurrences that have no sequence op (and so no fused kernel): `RNN`,
 * GRU with `linearBeforeReset: false` and LSTM with peepholes. Built from public ops, so autograd
 * differentiates it op by op, on every backend. Like the sequence ops' composites (decision 0018):
 * the steps come from one `unbind` of the input projection (a loop of slices would cost O(T²) in
 * backward), and a padded step is selected away, never multiplied by a mask: its input is replaced
 * by zeros before the step reads it, its outputs are zeros, and the states carry over unchanged.
 */
import { stack, unbind, unsqueeze, where, type Tensor } from '@gated/tensor';
import { activeMask } from './recurrent.js';

/** What one step returns: the new states (the first is the step's output) and values to record. */
export interface StepResult {
  readonly states: readonly Tensor[];
  /** Per-step values kept as `[T, B, ·]` (zeros at padded steps), e.g. gate activations. */
  readonly recorded?: readonly Tensor[];
}

/** One step: its `[B, G·H]` slice of the input projection and the states before it. */
export type Step = (input: Tensor, states: readonly Tensor[]) => StepResult;

export interface StepLoopResult {
  /** The first state at every step, `[T, B, ·]`, zeros at padded steps. */
  readonly output: Tensor;
  /** The states after each sequence's last real step. */
  readonly states: readonly Tensor[];
  /** The recorded values of every step, stacked `[T, B, ·]` (empty if the step records none). */
  readonly recorded: readonly Tensor[];
}

/**
 * Runs `step` over the `[T, B, G·H]` input projection from `initial` states, from the last step to
 * the first when `reverse`; `lengths` (int32 [B], or null) marks the padded steps.
 */
export function runStepLoop(
  inputs: Tensor,
  initial: readonly Tensor[],
  lengths: Tensor | null,
  reverse: boolean,
  step: Step,
): StepLoopResult {
  const [steps, batch] = inputs.shape as [number, number, number];
  const masks = lengths ? unbind(unsqueeze(activeMask(lengths, steps, batch), 2)) : null;
  const stepInputs = unbind(inputs);
  const outputs = new Array<Tensor>(steps);
  const recorded: Tensor[][] = [];
  let states = initial;
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const mask = masks?.[t];
    const result = step(mask ? where(mask, stepInputs[t]!, 0) : stepInputs[t]!, states);
    const next = result.states;
    outputs[t] = mask ? where(mask, next[0]!, 0) : next[0]!;
    (result.recorded ?? []).forEach((value, k) => {
      (recorded[k] ??= new Array<Tensor>(steps))[t] = mask ? where(mask, value, 0) : value;
    });
    states = mask ? next.map((value, k) => where(mask, value, states[k]!)) : next;
  }
  return { output: stack(outputs, 0), states, recorded: recorded.map((values) => stack(values, 0)) };
}
