import { scatterAdd } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Scatter-adds the gradient back into the gathered positions. Saves the indices. */
export const gatherGrad: GradientRule<'gather'> = {
  save: ([, indices]) => [indices!],
  backward: ([g], { attrs, inputs: [x], saved: [indices] }) => [scatterAdd(g!, indices!, attrs.axis, x!.shape), null],
};
