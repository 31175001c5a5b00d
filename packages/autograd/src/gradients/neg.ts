import { neg } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

export const negGrad: GradientRule<'neg'> = {
  backward: ([g]) => [neg(g!)],
};
