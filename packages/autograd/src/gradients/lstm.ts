/**
 * Gradient rules of the fused recurrent ops. Each forward op's rule calls its backward op (the
 * backend's fused kernel or the composite); the backward ops have no rule of their own, so a
 * second-order gradient through them is refused rather than silently wrong.
 *
 * The `gates` (and `cells`) outputs are handed to users detached, so no gradient reaches them
 * except through these rules: their gradient slots are always zero and ignored.
 */
import { GatedError, type OpName } from '@gated/backend-api';
import { reshape } from '@gated/tensor';
import { lstmCellBackward, lstmSequenceBackward } from '@gated/tensor/internal';
import type { GradientRule } from '../rule.js';

function refused(op: 'lstmCellBackward' | 'lstmSequenceBackward', what: string, composite: string): GradientRule<never> {
  return {
    backward: () => {
      throw new GatedError(op, `second-order gradients through the fused LSTM ${what} are not supported; differentiate ${composite} (from @gated/tensor/internal) instead`);
    },
  };
}

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
  lstmSequence: {
    save: ([inputGates, weightHh, h0, c0, lengths], [output, , , gates, cells]) => ({
      inputGates: inputGates!, weightHh: weightHh!, h0: h0!, c0: c0!, lengths: lengths ?? null, output: output!, gates: gates!, cells: cells!,
    }),
    backward: ([dOutput, dh, dc], { attrs, inputs, saved }) => {
      const { inputGates, weightHh, h0, c0, lengths, output, gates, cells } = saved;
      const grads = lstmSequenceBackward(
        {
          forward: { inputGates: inputGates!, weightHh: weightHh!, h0: h0!, c0: c0!, lengths: lengths ?? null, reverse: attrs.reverse },
          output: output!,
          gates: gates!,
          cells: cells!,
          dOutput: dOutput!,
          dh: dh!,
          dc: dc!,
        },
        { fused: attrs.fused },
      );
      const wanted = [grads.dInputGates, grads.dWeightHh, grads.dh0, grads.dc0];
      return wanted.map((grad, i) => (inputs[i]!.needsGrad ? grad : null));
    },
  },
  lstmSequenceBackward: refused('lstmSequenceBackward', 'sequence', 'lstmSequenceComposite'),
};
