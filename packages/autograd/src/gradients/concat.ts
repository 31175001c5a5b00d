import { split } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Splits the gradient back into the inputs' extents along the axis. */
export const concatGrad: GradientRule<'concat'> = {
  backward: ([g], { attrs, inputs }) => {
    const parts = split(g!, inputs.map((x) => x.shape[attrs.axis]!), attrs.axis);
    return parts.map((part, i) => (inputs[i]!.needsGrad ? part : null));
  },
};
