import { GatedError } from '@gated/backend-api';
import { lstmSequenceBackward, type Tensor } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/**
 * Backpropagation through time by the public `lstmSequenceBackward` op (the backend's fused
 * kernel or its composite). Saves the forward inputs (the input projection, recurrent weights,
 * initial states and lengths, which the Backend contract hands to the backward kernel) and the
 * per-step `output`, `gates` and `cells`. `lengths` gets no gradient. The `gates` and `cells`
 * outputs are handed to users detached, so their gradient slots are always zero and ignored.
 */
export const lstmSequenceGrad: GradientRule<'lstmSequence'> = {
  save: (inputs, [output, , , gates, cells]) => [...inputs, output!, gates!, cells!],
  backward: ([dOutput, dh, dc], { attrs, inputs, saved }) => {
    const hasLengths = inputs.length === 5;
    const [inputGates, weightHh, h0, c0] = saved as [Tensor, Tensor, Tensor, Tensor];
    const lengths = hasLengths ? saved[4]! : null;
    const [output, gates, cells] = saved.slice(hasLengths ? 5 : 4) as [Tensor, Tensor, Tensor];
    const grads = lstmSequenceBackward(
      {
        forward: { inputGates, weightHh, h0, c0, lengths, reverse: attrs.reverse },
        output,
        gates,
        cells,
        dOutput: dOutput!,
        dh: dh!,
        dc: dc!,
      },
      { fused: attrs.fused },
    );
    const wanted = (index: number, grad: Tensor) => (inputs[index]!.needsGrad ? grad : null);
    return [
      wanted(0, grads.dInputGates),
      wanted(1, grads.dWeightHh),
      wanted(2, grads.dh0),
      wanted(3, grads.dc0),
      ...(hasLengths ? [null] : []),
    ];
  },
};

/** The fused backward has no rule of its own: differentiating through it is refused, never silently wrong. */
export const lstmSequenceBackwardGrad: GradientRule<'lstmSequenceBackward'> = {
  backward: () => {
    throw new GatedError(
      'lstmSequenceBackward',
      'second-order gradients through the fused LSTM sequence are not supported; differentiate lstmSequenceComposite instead',
    );
  },
};
