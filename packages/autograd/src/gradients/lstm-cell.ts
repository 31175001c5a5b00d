import { GatedError } from '@gated/backend-api';
import { lstmCellBackward, reshape } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/**
 * Both pre-activation inputs receive the fused backward's `dGates` (they are summed in the
 * forward); the previous cell state receives `dc_prev`. Saves the previous cell state, the new
 * cell state and the activated gates.
 *
 * The `gates` output is handed to users detached (see `lstmCell`), so no gradient reaches it
 * except through this op's own backward, which is not differentiable (the next rule): its
 * gradient slot is always zero and is ignored here.
 */
export const lstmCellGrad: GradientRule<'lstmCell'> = {
  save: ([, , c], [, cNew, gates]) => [c!, cNew!, gates!],
  backward: ([dh, dc], { attrs, inputs: [inputGates, hiddenGates, c], saved: [cPrev, cNew, gates] }) => {
    const grads = lstmCellBackward({ dh: dh!, dc: dc!, c: cPrev!, cNew: cNew!, gates: gates! }, { fused: attrs.fused });
    return [
      inputGates!.needsGrad ? grads.dGates : null,
      // A separate view, so the two inputs never share one gradient tensor object.
      hiddenGates!.needsGrad ? reshape(grads.dGates, grads.dGates.shape) : null,
      c!.needsGrad ? grads.dc : null,
    ];
  },
};

/** The fused backward has no rule of its own: differentiating through it is refused, never silently wrong. */
export const lstmCellBackwardGrad: GradientRule<'lstmCellBackward'> = {
  backward: () => {
    throw new GatedError(
      'lstmCellBackward',
      'second-order gradients through the fused LSTM cell are not supported; differentiate lstmCellComposite instead',
    );
  },
};
