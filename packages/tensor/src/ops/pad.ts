import { GatedError, assertValidShape, describeValue, formatShape, userValue } from '@gated/backend-api';
import { fillOn } from '../creation.js';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { clone } from './clone.js';
import { concat } from './concat.js';
import { assertLiveTensor } from '../tensor.js';

/**
 * Pads with a constant: `paddings[i] = [before, after]` elements on axis i (missing axes are
 * not padded). Built from `concat`, so it is differentiable on every backend.
 */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  assertLiveTensor('pad', x);
  const given: unknown = paddings;
  if (!Array.isArray(given) || !given.every((pair) => Array.isArray(pair) && pair.length === 2)) {
    throw new GatedError('pad', `paddings must be an array of [before, after] pairs, got ${describeValue(given)}`);
  }
  if (paddings.length > x.rank) {
    throw new GatedError('pad', `${paddings.length} paddings for a tensor of shape ${formatShape(x.shape)}`);
  }
  for (const [before, after] of paddings) {
    if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
      throw new GatedError('pad', `paddings must be non-negative integers, got [${paddings.map((p) => `[${p.join(',')}]`).join(',')}]`);
    }
  }
  // The padded shape must be one a tensor can have before any edge is filled.
  assertValidShape(
    'pad',
    x.shape.map((dim, axis) => dim + (paddings[axis]?.[0] ?? 0) + (paddings[axis]?.[1] ?? 0)),
  );
  // The padding value is one a user wrote: exact for int32, 0 or 1 for bool (decisions/0019).
  const stored = userValue('pad', x.dtype, value, ' as the padding value');
  return ENGINE.tidy(() => {
    let out = x;
    paddings.forEach(([before, after], axis) => {
      if (before === 0 && after === 0) return;
      const parts: Tensor[] = [];
      const edge = (n: number) =>
        fillOn(
          x.backend,
          out.shape.map((d, i) => (i === axis ? n : d)),
          stored,
          x.dtype,
        );
      if (before > 0) parts.push(edge(before));
      parts.push(out);
      if (after > 0) parts.push(edge(after));
      out = concat(parts, axis);
    });
    // Nothing padded (no pairs, or all zero): a copy, as for any other padding (a scalar has no axis 0 to concat on).
    return out === x ? clone(x) : out;
  });
}
