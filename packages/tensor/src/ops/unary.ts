/**
 * Elementwise single-input ops. Each is one kernel call recorded under its own name, so
 * `@gated/autograd` can give it a rule (`gradients/elementwise.ts`).
 */
import { UNARY_TYPING, type UnaryOp } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { assertTyping } from './operands.js';
import { assertLiveTensor } from '../tensor.js';

/** Applies a unary kernel, recorded under the op's own name. */
function unary(op: UnaryOp, x: Tensor): Tensor {
  assertLiveTensor(op, x);
  const typing = UNARY_TYPING[op];
  assertTyping(op, typing, x.dtype);
  const dtype = typing.output === 'same' ? x.dtype : typing.output;
  return ENGINE.runOp(op, [x], null, () => ENGINE.kernel([x], x.shape, dtype, (backend, [spec]) => backend.unary(op, spec!)));
}

/** `-x` */
export function neg(x: Tensor): Tensor {
  return unary('neg', x);
}
/** `|x|` */
export function abs(x: Tensor): Tensor {
  return unary('abs', x);
}
/** -1, 0 or 1 by the sign of x (NaN stays NaN). */
export function sign(x: Tensor): Tensor {
  return unary('sign', x);
}
/** `e^x` */
export function exp(x: Tensor): Tensor {
  return unary('exp', x);
}
/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return unary('log', x);
}
/** `log(1 + x)`, accurate near 0. */
export function log1p(x: Tensor): Tensor {
  return unary('log1p', x);
}
/** `e^x - 1`, accurate near 0. */
export function expm1(x: Tensor): Tensor {
  return unary('expm1', x);
}
/** Square root. */
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x);
}
/** `1 / sqrt(x)` */
export function rsqrt(x: Tensor): Tensor {
  return unary('rsqrt', x);
}
/** `x²` */
export function square(x: Tensor): Tensor {
  return unary('square', x);
}
/** `1 / x` */
export function reciprocal(x: Tensor): Tensor {
  return unary('reciprocal', x);
}
/** Logistic sigmoid `1 / (1 + e^-x)`. */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x);
}
/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x);
}
/** `max(x, 0)` (NaN stays NaN). */
export function relu(x: Tensor): Tensor {
  return unary('relu', x);
}
/** Sine. */
export function sin(x: Tensor): Tensor {
  return unary('sin', x);
}
/** Cosine. */
export function cos(x: Tensor): Tensor {
  return unary('cos', x);
}
/** Rounds toward -∞. */
export function floor(x: Tensor): Tensor {
  return unary('floor', x);
}
/** Rounds toward +∞. */
export function ceil(x: Tensor): Tensor {
  return unary('ceil', x);
}
/** Rounds to the nearest integer, halves to even (as PyTorch and numpy). */
export function round(x: Tensor): Tensor {
  return unary('round', x);
}
/** Logical not of a bool tensor. */
export function logicalNot(x: Tensor): Tensor {
  return unary('logicalNot', x);
}
/** bool: which elements are NaN. */
export function isNaN(x: Tensor): Tensor {
  return unary('isNaN', x);
}
/** bool: which elements are finite (not NaN or ±∞). */
export function isFinite(x: Tensor): Tensor {
  return unary('isFinite', x);
}
