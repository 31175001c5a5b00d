import { pad } from '@gated/tensor';
import type { GradientRule } from '../rule.js';

/** Pads the gradient with zeros back to the input's shape. */
export const sliceGrad: GradientRule<'slice'> = {
  backward: ([g], { attrs, inputs: [x] }) => [
    pad(g!, x!.shape.map((d, i): [number, number] => [attrs.begin[i]!, d - attrs.begin[i]! - attrs.size[i]!])),
  ],
};
