import { greaterEqual, lessEqual, logicalAnd, where } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Passes the gradient where min <= x <= max (PyTorch's clamp rule). */
export const clipGrad: GradientRule<'clip'> = {
  save: ([x]) => [x!],
  backward: ([g], { attrs, saved: [x] }) => [
    where(logicalAnd(greaterEqual(x!, attrs.min), lessEqual(x!, attrs.max)), g!, 0),
  ],
};
