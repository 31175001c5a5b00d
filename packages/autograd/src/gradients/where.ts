import { where } from '@gated/tensor';
import { sumToShape } from '../sum-to-shape.js';
import type { GradientRule } from '../rule.js';

/** The condition gets no gradient; each branch gets g where it was chosen. Saves the condition. */
export const whereGrad: GradientRule<'where'> = {
  save: ([cond]) => [cond!],
  backward: ([g], { inputs: [, ia, ib], saved: [cond] }) => [
    null,
    ia!.needsGrad ? sumToShape(where(cond!, g!, 0), ia!.shape) : null,
    ib!.needsGrad ? sumToShape(where(cond!, 0, g!), ib!.shape) : null,
  ],
};
