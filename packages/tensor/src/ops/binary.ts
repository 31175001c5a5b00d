/**
 * Elementwise two-input ops with numpy broadcasting. Either side may be a JavaScript scalar,
 * which takes the other side's dtype. Both sides must share a dtype: Gated never promotes
 * silently (cast first).
 */
import { BINARY_TYPING, broadcastShapes, type BinaryOp } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertSameDType, assertTyping, withOperands, type TensorLike } from './operands.js';

/** Applies a binary kernel with broadcasting, recorded under the op's own name. */
function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return withOperands(op, [a, b], ([ta, tb]) => {
    const x = ta!;
    const y = tb!;
    assertSameDType(op, [x, y]);
    const typing = BINARY_TYPING[op];
    assertTyping(op, typing, x.dtype);
    const shape = broadcastShapes(op, x.shape, y.shape);
    const dtype = typing.output === 'same' ? x.dtype : typing.output;
    return ENGINE.runOp(op, [x, y], null, () =>
      ENGINE.kernel([x, y], shape, dtype, (backend, [sa, sb]) => backend.binary(op, sa!, sb!, shape)),
    );
  });
}

/** `a + b` */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b);
}
/** `a - b` */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary('sub', a, b);
}
/** `a * b` */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b);
}
/** `a / b` (float32; IEEE division, so x/0 is ±∞ or NaN). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b);
}
/** `a ** b` (float32). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary('pow', a, b);
}
/** Elementwise maximum; NaN wins. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary('maximum', a, b);
}
/** Elementwise minimum; NaN wins. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary('minimum', a, b);
}
/** bool `a == b` */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return binary('equal', a, b);
}
/** bool `a != b` */
export function notEqual(a: TensorLike, b: TensorLike): Tensor {
  return binary('notEqual', a, b);
}
/** bool `a < b` */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return binary('less', a, b);
}
/** bool `a <= b` */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return binary('lessEqual', a, b);
}
/** bool `a > b` */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return binary('greater', a, b);
}
/** bool `a >= b` */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return binary('greaterEqual', a, b);
}
/** Logical and of bool tensors. */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return binary('logicalAnd', a, b);
}
/** Logical or of bool tensors. */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return binary('logicalOr', a, b);
}
