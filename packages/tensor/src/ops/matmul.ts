import { checkOptions, GatedError, broadcastShapes, formatShape } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertFloat } from './operands.js';
import { squeeze, unsqueeze } from './squeeze.js';
import { assertLiveTensor } from '../tensor.js';

export interface MatmulOptions {
  /** Use the transpose of `a`'s last two axes. */
  readonly transposeA?: boolean;
  /** Use the transpose of `b`'s last two axes. */
  readonly transposeB?: boolean;
}

/**
 * Matrix product with numpy semantics: batch axes broadcast; a 1-D `a` is a row vector and a
 * 1-D `b` a column vector, their added axis removed from the result. float32 only.
 *
 * A transposed view (`transpose(w)`) is passed to the backend as a transpose flag, not copied.
 *
 * @example
 * ```ts
 * matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])); // [[17], [39]]
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkOptions('matmul', options);
  assertLiveTensor('matmul', a);
  assertLiveTensor('matmul', b);
  assertFloat('matmul', a);
  assertFloat('matmul', b);
  if (a.rank === 0 || b.rank === 0) {
    throw new GatedError('matmul', `both operands need at least one axis, got ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
  }
  if (a.rank === 1 || b.rank === 1) {
    const inner = (t: Tensor, transposed: boolean | undefined, left: boolean) =>
      t.rank === 1 ? t.shape[0]! : t.shape[t.rank - (left === !transposed ? 1 : 2)]!;
    if (inner(a, options.transposeA, true) !== inner(b, options.transposeB, false)) {
      throw new GatedError('matmul', `inner dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
    }
    return ENGINE.tidy(() => {
      const left = a.rank === 1 ? unsqueeze(a, 0) : a;
      const right = b.rank === 1 ? unsqueeze(b, 1) : b;
      const product = matmul(left, right, options);
      const drop = [...(a.rank === 1 ? [-2] : []), ...(b.rank === 1 ? [-1] : [])];
      return squeeze(
        product,
        drop.map((axis) => axis + product.rank),
      );
    });
  }
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const [m, k] = matrixDims(a, transposeA);
  const [kb, n] = matrixDims(b, transposeB);
  if (k !== kb) {
    const flags = `${transposeA ? ' (a transposed)' : ''}${transposeB ? ' (b transposed)' : ''}`;
    throw new GatedError('matmul', `inner dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}${flags}`);
  }
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new GatedError('matmul', `batch dimensions cannot be broadcast: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
  }
  const shape = [...batch, m, n];
  return ENGINE.runOp('matmul', [a, b], { transposeA, transposeB }, () => {
    const [left, flipA] = operand(a, transposeA);
    const [right, flipB] = operand(b, transposeB);
    return ENGINE.kernel([left, right], shape, 'float32', (backend, [sa, sb]) => backend.matmul(sa!, sb!, flipA, flipB, shape));
  });
}

function matrixDims(t: Tensor, transposed: boolean): [number, number] {
  const rows = t.shape[t.rank - 2]!;
  const cols = t.shape[t.rank - 1]!;
  return transposed ? [cols, rows] : [rows, cols];
}

/**
 * If `t` is a transposed view of a whole contiguous buffer (its last two axes swapped), returns
 * the untransposed view and a flipped transpose flag, so the kernel reads it in place.
 */
function operand(t: Tensor, transposed: boolean): [Tensor, boolean] {
  if (ENGINE.isWholeBuffer(t) || t.rank < 2 || t.offset !== 0 || t.storage.handle.size !== t.size) return [t, transposed];
  const shape = [...t.shape];
  const strides = [...t.strides];
  const last = t.rank - 1;
  [shape[last - 1], shape[last]] = [shape[last]!, shape[last - 1]!];
  [strides[last - 1], strides[last]] = [strides[last]!, strides[last - 1]!];
  const swapped = ENGINE.view(t, shape, strides, 0);
  if (swapped.isContiguous) return [swapped, !transposed];
  swapped.dispose();
  return [t, transposed];
}
