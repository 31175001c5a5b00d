/**
 * The arguments and results of the LSTM sequence ops (lstm-sequence.ts) and their composites
 * (lstm-sequence-composite.ts), and the checks both run first.
 */
import {
  checkProjectionSize,
  type BoundDims,
  type LstmSequenceBackwardInputs,
  type LstmSequenceBackwardOutputs,
  type LstmSequenceInputs,
  type LstmSequenceOutputs,
} from '@gated/backend-api';
import type { Tensor } from '../tensor.js';
import { checkFused } from './fused.js';

/**
 * Inputs of {@link lstmSequence}, named as in the Backend contract; `lengths` (int32 [B], each in
 * [1, T]) may be omitted when every sequence has length T, `weightHr` when there is no
 * projection, and `reverse` defaults to false. The lengths are not read back to be checked here
 * (that would stall a GPU): backends that can check cheaply do, and `@gated/lstm` checks the
 * host lengths it is given.
 */
export type LstmSequenceArgs = Omit<LstmSequenceInputs<Tensor>, 'lengths' | 'reverse' | 'inference'> & {
  readonly lengths?: Tensor | null;
  readonly reverse?: boolean;
};

/**
 * What {@link lstmSequence} returns: `output` [T, B, P], the final `h` [B, P] and `c` [B, H], and
 * the per-step `gates` [T, B, 4H] and `cells` [T, B, H] (0 at inactive steps), detached like
 * `lstmCell`'s gates: for inspection and for backward. `gates` and `cells` are null in inference
 * mode (see {@link SequenceOptions.returnGates}).
 */
export type LstmSequenceResult = LstmSequenceOutputs<Tensor>;

/** Inputs of {@link lstmSequenceBackward}: the forward call's inputs and outputs, and the gradients. */
export type LstmSequenceBackwardArgs = LstmSequenceBackwardInputs<Tensor, LstmSequenceArgs>;

/** What {@link lstmSequenceBackward} returns (`dWeightHr` exactly when the forward call had a projection). */
export type LstmSequenceBackwardResult = LstmSequenceBackwardOutputs<Tensor>;

/** Checks the forward operands against the kernel's signature. @internal */
export function checkLstmForward(args: LstmSequenceArgs): BoundDims {
  const { inputGates, weightHh, h0, c0, weightHr, lengths } = args;
  const bound = checkFused('lstmSequence', { inputGates, weightHh, h0, c0, weightHr, lengths });
  if (weightHr) checkProjectionSize('lstmSequence', weightHr.shape);
  return bound;
}

/** Checks the backward operands against the kernel's signature. @internal */
export function checkLstmBackward(args: LstmSequenceBackwardArgs): BoundDims {
  const { inputGates, weightHh, h0, c0, weightHr, lengths } = args.forward;
  const { output, gates, cells, dOutput, dh, dc } = args;
  return checkFused('lstmSequenceBackward', { inputGates, weightHh, h0, c0, weightHr, lengths, output, gates, cells, dOutput, dh, dc });
}
