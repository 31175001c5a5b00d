/**
 * Gradient rules of the elementwise ops: unary functions, binary arithmetic (summed back over
 * broadcast axes with `sumToShape`), `where`, `clip` and `cast`. Each formula is PyTorch's,
 * including its choices at the edges (0 at the kinks of abs and relu, zero gradients of piecewise
 * constant functions, ties of maximum split in half).
 */
import {
  add,
  cos,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  logicalAnd,
  mul,
  neg,
  pow,
  reshape,
  sign,
  sin,
  square,
  sub,
  where,
  zerosLike,
  type Tensor,
} from '@gated/tensor';
import type { BinaryOp, OpName, UnaryOp } from '@gated/backend-api';
import type { GradientRule } from '../rule.js';
import { sumToShape } from '../sum-to-shape.js';

/** A unary rule computed from the saved input x: `grad(g, x)`. */
function fromInput(grad: (g: Tensor, x: Tensor) => Tensor): GradientRule<never, { readonly x: Tensor }> {
  return { save: ([x]) => ({ x: x! }), backward: ([g], { saved }) => [grad(g!, saved.x)] };
}

/** A unary rule computed from the saved output y: `grad(g, y)`. */
function fromOutput(grad: (g: Tensor, y: Tensor) => Tensor): GradientRule<never, { readonly y: Tensor }> {
  return { save: (_inputs, [y]) => ({ y: y! }), backward: ([g], { saved }) => [grad(g!, saved.y)] };
}

/** Piecewise constant: a zero gradient (PyTorch's choice), not an undefined one. */
const piecewiseConstant: GradientRule<never> = { backward: ([g]) => [zerosLike(g!)] };

type FloatUnaryOp = Exclude<UnaryOp, 'logicalNot' | 'isNaN' | 'isFinite'>;

/** The differentiable unary ops. */
export const UNARY_RULES: { readonly [N in FloatUnaryOp]: GradientRule<N> } = {
  neg: { backward: ([g]) => [neg(g!)] },
  /** d|x| = sign(x): 0 at 0. */
  abs: fromInput((g, x) => mul(g, sign(x))),
  sign: piecewiseConstant,
  floor: piecewiseConstant,
  ceil: piecewiseConstant,
  round: piecewiseConstant,
  exp: fromOutput((g, y) => mul(g, y)),
  /** d(e^x - 1) = y + 1. */
  expm1: fromOutput((g, y) => mul(g, add(y, 1))),
  log: fromInput((g, x) => div(g, x)),
  log1p: fromInput((g, x) => div(g, add(x, 1))),
  /** d sqrt(x) = 1 / (2 sqrt(x)). */
  sqrt: fromOutput((g, y) => div(g, mul(y, 2))),
  /** d x^(-1/2) = -1/2 · y³. */
  rsqrt: fromOutput((g, y) => mul(mul(g, pow(y, 3)), -0.5)),
  square: fromInput((g, x) => mul(g, mul(x, 2))),
  /** d (1/x) = -y². */
  reciprocal: fromOutput((g, y) => neg(mul(g, square(y)))),
  sigmoid: fromOutput((g, y) => mul(g, mul(y, sub(1, y)))),
  tanh: fromOutput((g, y) => mul(g, sub(1, square(y)))),
  /** Passes the gradient where the output is positive (0 at 0). */
  relu: fromOutput((g, y) => where(greater(y, 0), g, 0)),
  sin: fromInput((g, x) => mul(g, cos(x))),
  cos: fromInput((g, x) => neg(mul(g, sin(x)))),
};

/**
 * A binary rule that saves both inputs. `grads` returns the gradient of each input (null where
 * `want` says none is needed); they are summed back over the broadcast axes here.
 */
function binaryRule(
  grads: (g: Tensor, a: Tensor, b: Tensor, want: readonly [boolean, boolean]) => readonly [Tensor | null, Tensor | null],
): GradientRule<never, { readonly a: Tensor; readonly b: Tensor }> {
  return {
    save: ([a, b]) => ({ a: a!, b: b! }),
    backward: ([g], { inputs: [ia, ib], saved: { a, b } }) => {
      const [da, db] = grads(g!, a, b, [ia!.needsGrad, ib!.needsGrad]);
      return [da && sumToShape(da, ia!.shape), db && sumToShape(db, ib!.shape)];
    },
  };
}

/** maximum / minimum: the gradient goes to the chosen input; on ties it is split in half between them. */
function extremeOfTwo(beats: (x: Tensor, y: Tensor) => Tensor): ReturnType<typeof binaryRule> {
  return binaryRule((g, a, b, [wantA, wantB]) => {
    const half = div(g, 2);
    const tie = equal(a, b);
    return [wantA ? where(tie, half, where(beats(a, b), g, 0)) : null, wantB ? where(tie, half, where(beats(b, a), g, 0)) : null];
  });
}

type ArithmeticOp = Extract<BinaryOp, 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'>;

/** The differentiable binary ops. Unused saved inputs cost nothing: they are views. */
export const BINARY_RULES: { readonly [N in ArithmeticOp]: GradientRule<N> } = {
  add: {
    backward: ([g], { inputs: [a, b] }) => [a!.needsGrad ? sumToShape(g!, a!.shape) : null, b!.needsGrad ? sumToShape(g!, b!.shape) : null],
  },
  sub: {
    backward: ([g], { inputs: [a, b] }) => [
      a!.needsGrad ? sumToShape(g!, a!.shape) : null,
      b!.needsGrad ? sumToShape(neg(g!), b!.shape) : null,
    ],
  },
  mul: binaryRule((g, a, b, [wantA, wantB]) => [wantA ? mul(g, b) : null, wantB ? mul(g, a) : null]),
  /** d(a/b): g/b for a, -g·a/b² for b. */
  div: binaryRule((g, a, b, [wantA, wantB]) => [wantA ? div(g, b) : null, wantB ? neg(div(mul(g, a), mul(b, b))) : null]),
  /**
   * d(a^b): g·b·a^(b-1) for a; g·a^b·log(a) for b, taken as 0 where a = 0 and b >= 0 (PyTorch's
   * convention, which avoids 0·(-∞)). Saves the output too.
   */
  pow: {
    save: ([a, b], [y]) => ({ a: a!, b: b!, y: y! }),
    backward: ([g], { inputs: [ia, ib], saved: { a, b, y } }) => [
      ia!.needsGrad ? sumToShape(mul(g!, mul(b!, pow(a!, sub(b!, 1)))), ia!.shape) : null,
      ib!.needsGrad ? sumToShape(where(logicalAnd(equal(a!, 0), greaterEqual(b!, 0)), 0, mul(g!, mul(y!, log(a!)))), ib!.shape) : null,
    ],
  },
  maximum: extremeOfTwo(greater),
  minimum: extremeOfTwo(less),
};

/** where, clip and cast. */
export const SELECT_RULES: { readonly [N in Extract<OpName, 'where' | 'clip' | 'cast'>]: GradientRule<N> } = {
  /** The condition gets no gradient; each branch gets g where it was chosen. */
  where: {
    save: ([cond]) => ({ cond: cond! }),
    backward: ([g], { inputs: [, ia, ib], saved: { cond } }) => [
      null,
      ia!.needsGrad ? sumToShape(where(cond!, g!, 0), ia!.shape) : null,
      ib!.needsGrad ? sumToShape(where(cond!, 0, g!), ib!.shape) : null,
    ],
  },
  /** Passes the gradient where min <= x <= max (PyTorch's clamp rule). */
  clip: {
    save: ([x]) => ({ x: x! }),
    backward: ([g], { attrs, saved: { x } }) => [where(logicalAnd(greaterEqual(x!, attrs.min), lessEqual(x!, attrs.max)), g!, 0)],
  },
  /** float32 → float32 is the identity; casts to integers or bool are not recorded as differentiable. */
  cast: { backward: ([g], { inputs: [x] }) => [x!.dtype === 'float32' ? reshape(g!, x!.shape) : null] },
};
