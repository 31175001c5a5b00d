/**
 * The arguments and results of the GRU sequence ops (gru-sequence.ts) and their composites
 * (gru-sequence-composite.ts), and the checks both run first.
 */
import type {
  BoundDims,
  GruSequenceBackwardInputs,
  GruSequenceBackwardOutputs,
  GruSequenceInputs,
  GruSequenceOutputs,
} from '@gated/backend-api';
import type { Tensor } from '../tensor.js';
import { checkFused } from './fused.js';

/**
 * Inputs of {@link gruSequence}, named as in the Backend contract; `biasHn` and `lengths` may be
 * omitted (no recurrent bias; every sequence has length T) and `reverse` defaults to false.
 */
export type GruSequenceArgs = Omit<GruSequenceInputs<Tensor>, 'biasHn' | 'lengths' | 'reverse' | 'inference'> & {
  readonly biasHn?: Tensor | null;
  readonly lengths?: Tensor | null;
  readonly reverse?: boolean;
};

/**
 * What {@link gruSequence} returns: `output` [T, B, H], the final `h` [B, H], and the per-step
 * `gates` [T, B, 3H] (r, z, n) and `hiddenN` [T, B, H] (0 at inactive steps), detached: for
 * inspection and for backward; null in inference mode.
 */
export type GruSequenceResult = GruSequenceOutputs<Tensor>;

/** Inputs of {@link gruSequenceBackward}: the forward call's inputs and outputs, and the gradients. */
export type GruSequenceBackwardArgs = GruSequenceBackwardInputs<Tensor, GruSequenceArgs>;

/** What {@link gruSequenceBackward} returns. */
export type GruSequenceBackwardResult = GruSequenceBackwardOutputs<Tensor>;

/** Checks the forward operands against the kernel's signature. @internal */
export function checkGruForward(args: GruSequenceArgs): BoundDims {
  const { inputGates, weightHh, biasHn, h0, lengths } = args;
  return checkFused('gruSequence', { inputGates, weightHh, biasHn, h0, lengths });
}

/** Checks the backward operands against the kernel's signature. @internal */
export function checkGruBackward(args: GruSequenceBackwardArgs): BoundDims {
  const { inputGates, weightHh, biasHn, h0, lengths } = args.forward;
  const { output, gates, hiddenN, dOutput, dh } = args;
  return checkFused('gruSequenceBackward', { inputGates, weightHh, biasHn, h0, lengths, output, gates, hiddenN, dOutput, dh });
}
