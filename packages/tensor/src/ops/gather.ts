import {
  GatedError,
  assertValidShape,
  describeValue,
  formatShape,
  int32Problem,
  normalizeAxis,
  shapesEqual,
  type Backend,
  type Shape,
} from '@gated/backend-api';
import { upload } from '../creation.js';
import { ENGINE } from '../engine.js';
import { Tensor } from '../tensor.js';
import { assertLiveTensor } from '../tensor.js';

function indexTensor(op: string, backend: Backend, indices: Tensor | readonly number[]): { index: Tensor; temporary: boolean } {
  if (indices instanceof Tensor) {
    assertLiveTensor(op, indices);
    if (indices.dtype !== 'int32') throw new GatedError(op, `indices must be int32, got ${indices.dtype}`);
    return { index: indices, temporary: false };
  }
  if (!Array.isArray(indices)) {
    throw new GatedError(op, `indices must be an int32 tensor or an array of integers, got ${describeValue(indices)}`);
  }
  const values = Int32Array.from(indices, (i: unknown) => {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new GatedError(op, `indices must be integers, got ${describeValue(i)}`);
    // An index past int32 would wrap into a valid-looking one (2^32 + 1 → 1): refuse it here.
    if (int32Problem(i) !== null) throw new GatedError(op, `index ${i} is outside int32's range`);
    return i;
  });
  return { index: upload(backend, values, [values.length], 'int32'), temporary: true };
}

/**
 * Selects entries of `x` along `axis` by int32 `indices` of any shape: the result's shape is
 * `x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]`. Embedding lookup is `gather(table, ids)`.
 * Out-of-range indices throw where the backend can check (CPU backends).
 */
export function gather(x: Tensor, indices: Tensor | readonly number[], axis = 0): Tensor {
  return gatherAs('gather', x, indices, axis);
}

/** Rows (or slices) of `x` along `axis` at 1-D `indices` (PyTorch's `index_select`). */
export function indexSelect(x: Tensor, axis: number, indices: Tensor | readonly number[]): Tensor {
  if (indices instanceof Tensor && indices.rank !== 1) {
    throw new GatedError('indexSelect', `indices must be 1-D, got shape ${formatShape(indices.shape)}`);
  }
  return gatherAs('indexSelect', x, indices, axis);
}

/** `gather`, with errors naming `op`, the public function the user called. */
function gatherAs(op: 'gather' | 'indexSelect', x: Tensor, indices: Tensor | readonly number[], axis: number): Tensor {
  assertLiveTensor(op, x);
  const a = normalizeAxis(op, axis, x.shape);
  const { index, temporary } = indexTensor(op, x.backend, indices);
  try {
    const shape = [...x.shape.slice(0, a), ...index.shape, ...x.shape.slice(a + 1)];
    return ENGINE.runOp('gather', [x, index], { axis: a }, () =>
      ENGINE.kernel([x, index], shape, x.dtype, (backend, [sx, si]) => backend.gather(sx!, si!, a)),
    );
  } catch (error) {
    // The kernel names itself (`gather: index 7 is out of range ...`); the user called `op`.
    if (op !== 'gather' && error instanceof GatedError && error.op === 'gather') {
      throw new GatedError(op, error.message.slice('gather: '.length), { cause: error });
    }
    throw error;
  } finally {
    if (temporary) index.dispose();
  }
}

/**
 * The adjoint of `gather`: a zero tensor of `shape` into which each slice of `updates` is added
 * at `indices[j]` along `axis`; repeated indices accumulate. `updates` must have the shape
 * `gather` would produce.
 */
export function scatterAdd(updates: Tensor, indices: Tensor | readonly number[], axis: number, shape: Shape): Tensor {
  assertLiveTensor('scatterAdd', updates);
  assertValidShape('scatterAdd', shape);
  if (updates.dtype === 'bool') throw new GatedError('scatterAdd', 'expects float32 or int32 updates, got bool');
  const a = normalizeAxis('scatterAdd', axis, shape);
  const { index, temporary } = indexTensor('scatterAdd', updates.backend, indices);
  try {
    const expected = [...shape.slice(0, a), ...index.shape, ...shape.slice(a + 1)];
    if (!shapesEqual(expected, updates.shape)) {
      throw new GatedError(
        'scatterAdd',
        `updates ${formatShape(updates.shape)} do not match indices ${formatShape(index.shape)} into ${formatShape(shape)} along axis ${a} (expected ${formatShape(expected)})`,
      );
    }
    const target = [...shape];
    return ENGINE.runOp('scatterAdd', [updates, index], { axis: a, shape: target }, () =>
      ENGINE.kernel([updates, index], target, updates.dtype, (backend, [su, si]) => backend.scatterAdd(su!, si!, a, target)),
    );
  } finally {
    if (temporary) index.dispose();
  }
}
