import { reshape } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** float32 → float32 is the identity; casts to integers or bool are not recorded as differentiable. */
export const castGrad: GradientRule<'cast'> = {
  backward: ([g], { inputs: [x] }) => [x!.dtype === 'float32' ? reshape(g!, x!.shape) : null],
};
