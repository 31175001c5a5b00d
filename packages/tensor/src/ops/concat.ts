import { GatedError, formatShape, normalizeAxis } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertSameDType } from './operands.js';
import { slice } from './slice.js';
import { insertionAxis, unsqueeze } from './squeeze.js';
import { assertLiveTensor } from '../tensor.js';

function describeShapes(tensors: readonly Tensor[]): string {
  return tensors.map((t) => formatShape(t.shape)).join(', ');
}

/** Joins tensors of one dtype and rank along `axis`; all other axes must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new GatedError('concat', 'needs at least one tensor');
  for (const t of tensors) assertLiveTensor('concat', t);
  const first = tensors[0]!;
  assertSameDType('concat', tensors);
  const a = normalizeAxis('concat', axis, first.shape);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new GatedError('concat', `shapes ${describeShapes(tensors)} differ outside axis ${a}`);
    }
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((total, t) => total + t.shape[a]!, 0);
  return ENGINE.runOp('concat', tensors, { axis: a }, () =>
    ENGINE.kernel(tensors, shape, first.dtype, (backend, specs) => backend.concat(specs, a, shape)),
  );
}

/** Stacks tensors of one shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new GatedError('stack', 'needs at least one tensor');
  for (const t of tensors) assertLiveTensor('stack', t);
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new GatedError('stack', `all shapes must be equal, got ${describeShapes(tensors)}`);
    }
  }
  const a = insertionAxis('stack', axis, first.shape);
  return ENGINE.tidy(() => concat(tensors.map((t) => unsqueeze(t, a)), a));
}

/**
 * Splits along `axis` into `sections` equal parts, or into parts of the given sizes. Views.
 */
export function split(x: Tensor, sections: number | readonly number[], axis = 0): Tensor[] {
  assertLiveTensor('split', x);
  const a = normalizeAxis('split', axis, x.shape);
  const dim = x.shape[a]!;
  let sizes: readonly number[];
  if (typeof sections === 'number') {
    if (!Number.isInteger(sections) || sections <= 0 || dim % sections !== 0) {
      throw new GatedError('split', `axis ${a} of ${formatShape(x.shape)} cannot be split into ${String(sections)} equal parts`);
    }
    sizes = new Array<number>(sections).fill(dim / sections);
  } else {
    sizes = sections;
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((p, s) => p + s, 0) !== dim) {
      throw new GatedError('split', `sizes [${sizes.join(',')}] do not add up to axis ${a} of ${formatShape(x.shape)}`);
    }
  }
  const parts: Tensor[] = [];
  let start = 0;
  for (const size of sizes) {
    parts.push(slice(x, x.shape.map((_, i) => (i === a ? start : 0)), x.shape.map((d, i) => (i === a ? size : d))));
    start += size;
  }
  return parts;
}
