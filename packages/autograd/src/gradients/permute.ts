import { permute } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Applies the inverse permutation. */
export const permuteGrad: GradientRule<'permute'> = {
  backward: ([g], { attrs }) => {
    const inverse = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((axis, i) => (inverse[axis] = i));
    return [permute(g!, inverse)];
  },
};
