import { gather } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Gathers the gradient at the scattered positions. Saves the indices. */
export const scatterAddGrad: GradientRule<'scatterAdd'> = {
  save: ([, indices]) => [indices!],
  backward: ([g], { attrs, saved: [indices] }) => [gather(g!, indices!, attrs.axis), null],
};
