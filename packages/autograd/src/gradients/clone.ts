import { reshape } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Identity. */
export const cloneGrad: GradientRule<'clone'> = {
  backward: ([g]) => [reshape(g!, g!.shape)],
};
