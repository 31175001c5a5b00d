import { greater, where } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Passes the gradient where the output is positive (0 at 0, as in PyTorch). */
export const reluGrad: GradientRule<'relu'> = {
  save: (_inputs, [y]) => [y!],
  backward: ([g], { saved: [y] }) => [where(greater(y!, 0), g!, 0)],
};
