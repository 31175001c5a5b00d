import { reshape } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Reshapes the gradient back. */
export const reshapeGrad: GradientRule<'reshape'> = {
  backward: ([g], { inputs: [x] }) => [reshape(g!, x!.shape)],
};
