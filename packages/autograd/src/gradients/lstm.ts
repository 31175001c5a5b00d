/**
 * Gradient rules of the fused recurrent ops. Each forward op's rule calls its backward op (the
 * backend's fused kernel or the composite); the backward ops have no rule of their own, so a
 * second-order gradient through them is refused rather than silently wrong.
 *
 * The `gates` (and `cells`) outputs are handed to users detached, so no gradient reaches them
 * except through these rules: their gradient slots are always zero and ignored.
 */
import { GatedError, type OpName } from '@gated/backend-api';
import { reshape, type Tensor } from '@gated/tensor';
import { lstmCellBackward, lstmSequenceBackward } from '@gated/tensor/internal';
import type { GradientRule } from '../rule.js';

function refused(op: 'lstmCellBackward' | 'lstmSequenceBackward', what: string, composite: string): GradientRule<never> {
  return {
    backward: () => {
      throw new GatedError(op, `second-order gradients through the fused LSTM ${what} are not supported; differentiate ${composite} (from @gated/tensor/internal) instead`);
    },
  };
}

/** What the sequence rule saves: the forward inputs the contract hands to the backward kernel, and the per-step outputs. */
type SequenceSaved = {
  readonly inputGates: Tensor;
  readonly weightHh: Tensor;
  readonly h0: Tensor;
  readonly c0: Tensor;
  readonly lengths: Tensor | null;
  readonly output: Tensor;
  readonly gates: Tensor;
  readonly cells: Tensor;
};

/**
 * Backpropagation through time by `lstmSequenceBackward`. `lengths` (the optional fifth input)
 * gets no gradient.
 */
const sequenceRule: GradientRule<'lstmSequence', SequenceSaved> = {
  save: ([inputGates, weightHh, h0, c0, lengths], [output, , , gates, cells]) => ({
    inputGates: inputGates!, weightHh: weightHh!, h0: h0!, c0: c0!, lengths: lengths ?? null, output: output!, gates: gates!, cells: cells!,
  }),
  backward: ([dOutput, dh, dc], { attrs, inputs, saved: { output, gates, cells, ...forward } }) => {
    const grads = lstmSequenceBackward(
      { forward: { ...forward, reverse: attrs.reverse }, output, gates, cells, dOutput: dOutput!, dh: dh!, dc: dc! },
      { fused: attrs.fused },
    );
    return [grads.dInputGates, grads.dWeightHh, grads.dh0, grads.dc0].map((grad, i) => (inputs[i]!.needsGrad ? grad : null));
  },
};

type LstmOp = Extract<OpName, 'lstmCell' | 'lstmCellBackward' | 'lstmSequence' | 'lstmSequenceBackward'>;

export const LSTM_RULES: { readonly [N in LstmOp]: GradientRule<N> } = {
  /**
   * Both pre-activation inputs receive the backward's `dGates` (they are summed in the forward);
   * the previous cell state receives `dc_prev`.
   */
  lstmCell: {
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
  lstmCellBackward: refused('lstmCellBackward', 'cell', 'lstmCellComposite'),
  /**
   * Backpropagation through time by `lstmSequenceBackward`, from the forward inputs the contract
   * hands to the backward kernel and the per-step `output`, `gates` and `cells`. `lengths` (the
   * optional fifth input) gets no gradient.
   */
  lstmSequence: sequenceRule,
  lstmSequenceBackward: refused('lstmSequenceBackward', 'sequence', 'lstmSequenceComposite'),
};
