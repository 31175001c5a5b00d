/**
 * Gradient rules of the layout ops (views: reshape, permute, expand, slice, split, unbind;
 * clone), of joining (concat) and of indexing (gather and scatterAdd, each the other's adjoint).
 */
import { concat, gather, pad, permute, reshape, scatterAdd, split, stack } from '@gated/tensor';
import type { OpName } from '@gated/backend-api';
import type { GradientRule } from '../rule.js';
import { sumToShape } from '../sum-to-shape.js';

type LayoutOp = Extract<
  OpName,
  'reshape' | 'permute' | 'expand' | 'slice' | 'split' | 'unbind' | 'clone' | 'concat' | 'gather' | 'scatterAdd'
>;

export const LAYOUT_RULES: { readonly [N in LayoutOp]: GradientRule<N> } = {
  reshape: { backward: ([g], { inputs: [x] }) => [reshape(g!, x!.shape)] },
  /** Applies the inverse permutation. */
  permute: {
    backward: ([g], { attrs }) => {
      const inverse = new Array<number>(attrs.perm.length);
      attrs.perm.forEach((axis, i) => (inverse[axis] = i));
      return [permute(g!, inverse)];
    },
  },
  /** Sums the gradient over the expanded axes. */
  expand: { backward: ([g], { inputs: [x] }) => [sumToShape(g!, x!.shape)] },
  /** Pads the gradient with zeros back to the input's shape. */
  slice: {
    backward: ([g], { attrs, inputs: [x] }) => [
      pad(
        g!,
        x!.shape.map((d, i): [number, number] => [attrs.begin[i]!, d - attrs.begin[i]! - attrs.size[i]!]),
      ),
    ],
  },
  /**
   * One concatenation of the parts' gradients (the tape hands zeros for parts no gradient
   * reached): linear in the number of parts, where one `slice` per part would pad each part's
   * gradient to the whole input.
   */
  split: { backward: (grads, { attrs }) => [concat(grads, attrs.axis)] },
  /**
   * The slices' gradients stacked back along the removed axis (zeros where none reached). An
   * unbind of an empty axis has no outputs and is never recorded.
   */
  unbind: { backward: (grads, { attrs }) => [stack(grads, attrs.axis)] },
  /** The identity (a view of the gradient, so the slot holds its own tensor). */
  clone: { backward: ([g]) => [reshape(g!, g!.shape)] },
  /** Splits the gradient back into the inputs' extents along the axis. */
  concat: {
    backward: ([g], { attrs, inputs }) => {
      const parts = split(
        g!,
        inputs.map((x) => x.shape[attrs.axis]!),
        attrs.axis,
      );
      return parts.map((part, i) => (inputs[i]!.needsGrad ? part : null));
    },
  },
  /** Scatter-adds the gradient back into the gathered positions. */
  gather: {
    save: ([, indices]) => ({ indices: indices! }),
    backward: ([g], { attrs, inputs: [x], saved: { indices } }) => [scatterAdd(g!, indices!, attrs.axis, x!.shape), null],
  },
  /** Gathers the gradient at the scattered positions. */
  scatterAdd: {
    save: ([, indices]) => ({ indices: indices! }),
    backward: ([g], { attrs, saved: { indices } }) => [gather(g!, indices!, attrs.axis), null],
  },
};
