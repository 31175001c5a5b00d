/**
 * Taking a tensor apart along one axis: `split` (consecutive parts of given sizes) and `unbind`
 * (one part per index, the axis removed). Each is one recorded op with many outputs, all views
 * of the input, whose gradient is one concatenation of the parts' gradients (zeros for parts no
 * gradient reached). A loop over the T steps of a sequence that takes `unbind(x)[t]` therefore
 * costs O(T) in backward; T `slice`s would each pad their gradient back to the whole input and
 * cost O(T²) in time and memory.
 */
import { GatedError, formatShape, normalizeAxis } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';

/** The sizes of `split`'s parts, checked against the axis. */
function partSizes(x: Tensor, sections: number | readonly number[], axis: number): number[] {
  const dim = x.shape[axis]!;
  if (typeof sections === 'number') {
    if (!Number.isInteger(sections) || sections <= 0 || dim % sections !== 0) {
      throw new GatedError('split', `axis ${axis} of ${formatShape(x.shape)} cannot be split into ${String(sections)} equal parts`);
    }
    return new Array<number>(sections).fill(dim / sections);
  }
  if (sections.some((s) => !Number.isInteger(s) || s < 0) || sections.reduce((p, s) => p + s, 0) !== dim) {
    throw new GatedError('split', `sizes [${sections.join(',')}] do not add up to axis ${axis} of ${formatShape(x.shape)}`);
  }
  return [...sections];
}

/**
 * Splits along `axis` into `sections` equal parts, or into parts of the given sizes. Views; one
 * recorded op whose gradient is the concatenation of the parts' gradients.
 *
 * @example
 * ```ts
 * const [i, f, g, o] = split(gates, 4, 1); // [B, 4H] → four [B, H] views
 * ```
 */
export function split(x: Tensor, sections: number | readonly number[], axis = 0): Tensor[] {
  x.assertLive('split');
  const a = normalizeAxis('split', axis, x.shape);
  const sizes = partSizes(x, sections, a);
  return ENGINE.runOp('split', [x], { axis: a, sizes }, () => {
    const parts: Tensor[] = [];
    let offset = x.offset;
    for (const size of sizes) {
      const shape = x.shape.map((d, i) => (i === a ? size : d));
      parts.push(ENGINE.view(x, shape, x.strides, offset));
      offset += size * x.strides[a]!;
    }
    return parts;
  });
}

/**
 * The slices of `x` along `axis`, that axis removed: `unbind(x)[t]` is `x[t]` (PyTorch's
 * `unbind`). Views; one recorded op whose gradient stacks the slices' gradients, so a step loop
 * over a [T, ...] tensor stays linear in T.
 *
 * @example
 * ```ts
 * const steps = unbind(inputGates); // [T, B, 4H] → T views of [B, 4H]
 * for (const [t, step] of steps.entries()) console.log(t, step.shape);
 * ```
 */
export function unbind(x: Tensor, axis = 0): Tensor[] {
  x.assertLive('unbind');
  const a = normalizeAxis('unbind', axis, x.shape);
  const shape = x.shape.filter((_, i) => i !== a);
  const strides = x.strides.filter((_, i) => i !== a);
  return ENGINE.runOp('unbind', [x], { axis: a }, () =>
    Array.from({ length: x.shape[a]! }, (_, t) => ENGINE.view(x, shape, strides, x.offset + t * x.strides[a]!)),
  );
}
