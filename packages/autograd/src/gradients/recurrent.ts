/**
 * Gradient rules of the fused recurrent ops (LSTM cell, LSTM and GRU sequences). Each forward op's rule calls its backward op (the
 * backend's fused kernel or the composite); the backward ops have no rule of their own, so a
 * second-order gradient through them is refused rather than silently wrong.
 *
 * The `gates` (and `cells`, `hiddenN`) outputs are handed to users detached, so no gradient reaches them
 * except through these rules: their gradient slots are always zero and ignored.
 */
import { GatedError, type OpName } from '@gated/backend-api';
import { reshape, type Tensor } from '@gated/tensor';
import { gruSequenceBackward, lstmCellBackward, lstmSequenceBackward } from '@gated/tensor/internal';
import type { GradientRule, InputInfo } from '../rule.js';

type BackwardOp = 'lstmCellBackward' | 'lstmSequenceBackward' | 'gruSequenceBackward';

function refused(op: BackwardOp, what: string, composite: string): GradientRule<never> {
  return {
    backward: () => {
      throw new GatedError(
        op,
        `second-order gradients through the fused ${what} are not supported; differentiate ${composite} (from @gated/tensor/internal) instead`,
      );
    },
  };
}

/** Each gradient where its input wants one (the inputs and the gradients in the same order). */
function wanted(inputs: readonly InputInfo[], grads: readonly (Tensor | null | undefined)[]): (Tensor | null)[] {
  return grads.map((grad, i) => (inputs[i]!.needsGrad ? (grad ?? null) : null));
}

/** What the LSTM sequence rule saves: the forward inputs the contract hands to the backward kernel, and the per-step outputs. */
type LstmSaved = {
  readonly inputGates: Tensor;
  readonly weightHh: Tensor;
  readonly h0: Tensor;
  readonly c0: Tensor;
  readonly weightHr: Tensor | null;
  readonly lengths: Tensor | null;
  readonly output: Tensor;
  readonly gates: Tensor;
  readonly cells: Tensor;
};

/**
 * Backpropagation through time by `lstmSequenceBackward`. The inputs are `inputGates, weightHh,
 * h0, c0`, then `weightHr` when `attrs.projected`, then `lengths` (which gets no gradient).
 */
const lstmSequenceRule: GradientRule<'lstmSequence', LstmSaved> = {
  // gates and cells are detached outputs: no gradient of theirs is read.
  unusedGradients: [3, 4],
  save: ([inputGates, weightHh, h0, c0, ...rest], [output, , , gates, cells], attrs) => ({
    inputGates: inputGates!,
    weightHh: weightHh!,
    h0: h0!,
    c0: c0!,
    weightHr: attrs.projected ? rest[0]! : null,
    lengths: rest[attrs.projected ? 1 : 0] ?? null,
    output: output!,
    gates: gates!,
    cells: cells!,
  }),
  backward: ([dOutput, dh, dc], { attrs, inputs, saved: { output, gates, cells, ...forward } }) => {
    const grads = lstmSequenceBackward(
      { forward: { ...forward, reverse: attrs.reverse }, output, gates, cells, dOutput: dOutput!, dh: dh!, dc: dc! },
      { fused: attrs.fused },
    );
    const weights = attrs.projected ? [grads.dWeightHr] : [];
    return wanted(inputs, [grads.dInputGates, grads.dWeightHh, grads.dh0, grads.dc0, ...weights]);
  },
};

/** What the GRU sequence rule saves. */
type GruSaved = {
  readonly inputGates: Tensor;
  readonly weightHh: Tensor;
  readonly h0: Tensor;
  readonly biasHn: Tensor | null;
  readonly lengths: Tensor | null;
  readonly output: Tensor;
  readonly gates: Tensor;
  readonly hiddenN: Tensor;
};

/**
 * Backpropagation through time by `gruSequenceBackward`. The inputs are `inputGates, weightHh,
 * h0`, then `biasHn` when `attrs.withBias`, then `lengths` (no gradient).
 */
const gruSequenceRule: GradientRule<'gruSequence', GruSaved> = {
  // gates and hiddenN are detached outputs: no gradient of theirs is read.
  unusedGradients: [2, 3],
  save: ([inputGates, weightHh, h0, ...rest], [output, , gates, hiddenN], attrs) => ({
    inputGates: inputGates!,
    weightHh: weightHh!,
    h0: h0!,
    biasHn: attrs.withBias ? rest[0]! : null,
    lengths: rest[attrs.withBias ? 1 : 0] ?? null,
    output: output!,
    gates: gates!,
    hiddenN: hiddenN!,
  }),
  backward: ([dOutput, dh], { attrs, inputs, saved: { output, gates, hiddenN, ...forward } }) => {
    const grads = gruSequenceBackward(
      { forward: { ...forward, reverse: attrs.reverse }, output, gates, hiddenN, dOutput: dOutput!, dh: dh! },
      { fused: attrs.fused },
    );
    const bias = attrs.withBias ? [grads.dBiasHn] : [];
    return wanted(inputs, [grads.dInputGates, grads.dWeightHh, grads.dh0, ...bias]);
  },
};

type RecurrentOp = Extract<OpName, 'lstmCell' | BackwardOp | 'lstmSequence' | 'gruSequence'>;

export const RECURRENT_RULES: { readonly [N in RecurrentOp]: GradientRule<N> } = {
  /**
   * Both pre-activation inputs receive the backward's `dGates` (they are summed in the forward);
   * the previous cell state receives `dc_prev`.
   */
  lstmCell: {
    // gates is a detached output: no gradient of its is read.
    unusedGradients: [2],
    save: ([, , c], [, cNew, gates]) => ({ c: c!, cNew: cNew!, gates: gates! }),
    backward: ([dh, dc], { attrs, inputs: [inputGates, hiddenGates, c], saved }) => {
      const grads = lstmCellBackward({ dh: dh!, dc: dc!, c: saved.c!, cNew: saved.cNew!, gates: saved.gates! }, { fused: attrs.fused });
      return [
        inputGates!.needsGrad ? grads.dGates : null,
        // A separate view, so the two inputs never share one gradient tensor object.
        hiddenGates!.needsGrad ? reshape(grads.dGates, grads.dGates.shape) : null,
        c!.needsGrad ? grads.dc : null,
      ];
    },
  },
  lstmCellBackward: refused('lstmCellBackward', 'LSTM cell', 'lstmCellComposite'),
  /**
   * Backpropagation through time by `lstmSequenceBackward`, from the forward inputs the contract
   * hands to the backward kernel and the per-step `output`, `gates` and `cells`.
   */
  lstmSequence: lstmSequenceRule,
  lstmSequenceBackward: refused('lstmSequenceBackward', 'LSTM sequence', 'lstmSequenceComposite'),
  /** Backpropagation through time by `gruSequenceBackward`, from the saved `output`, `gates` and `hiddenN`. */
  gruSequence: gruSequenceRule,
  gruSequenceBackward: refused('gruSequenceBackward', 'GRU sequence', 'gruSequenceComposite'),
};
