import { GatedError, formatShape, normalizeAxis } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertSameDType } from './operands.js';
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
  return ENGINE.tidy(() =>
    concat(
      tensors.map((t) => unsqueeze(t, a)),
      a,
    ),
  );
}
