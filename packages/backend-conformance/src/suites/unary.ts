/**
 * Elementwise single-input ops: every member of `UNARY_OPS`, on random values, IEEE special
 * values, edge shapes, views, and each dtype `UNARY_TYPING` allows (and refuses).
 */
import { DTYPES, UNARY_OPS, UNARY_TYPING, type UnaryOp } from '@gated/backend-api';
import * as ops from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { A, P, S, fromHalves, fromIntegers, fromZero, type InputSpec } from '../harness/inputs.js';
import type { Rng } from '../harness/rng.js';
import { ELEMENTWISE, NEAR_ZERO, SELECT, TRANSCENDENTAL, type ToleranceSpec } from '../harness/tolerances.js';
import { FLOAT_SPECIALS, INT32_EXTREMES, TIES } from '../harness/values.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, floatRule, numericRule, roundHalfEven, unary as reference, type UnaryRule } from '../reference/index.js';

/** `@gated/tensor` has one function per unary op, named as the op (the compiler checks it). */
export const UNARY_FUNCTIONS: Pick<typeof ops, UnaryOp> = ops;

/** Everything the suite knows about one unary op. */
export interface UnaryCase {
  /** The float64 reference: accepted dtypes and the function per dtype. */
  readonly reference: UnaryRule;
  /** Random inputs of a shape (within the op's domain). */
  readonly inputs: (rng: Rng, shape: readonly number[]) => NDArray;
  readonly tolerance: ToleranceSpec;
  /** Special values to run; defaults to {@link FLOAT_SPECIALS}. */
  readonly specials?: readonly number[];
  /**
   * Where the op is differentiated by finite differences (suites/gradients.ts turns this into
   * its rows); absent for ops that are not differentiable.
   */
  readonly gradient?: (...shape: number[]) => InputSpec;
}

const uniform = (low: number, high: number) => (rng: Rng, shape: readonly number[]) => rng.uniform(shape, low, high);

/** Half the inputs exact halves (ties for round), half arbitrary floats. */
const roundingInputs = (rng: Rng, shape: readonly number[]): NDArray => {
  const halves = rng.choice(shape, [...TIES, -7.5, 6.5, 1e7 + 0.5, 0.49999997]);
  const floats = rng.uniform(shape, -10, 10);
  return NDArray.of(
    halves.data.map((h, i) => (rng.next() < 0.5 ? h : floats.data[i]!)),
    shape,
  );
};

/** The float64 reference of unary op `op` (what the reference backend of the package's tests runs). */
export function referenceUnary(op: UnaryOp, x: NDArray): NDArray {
  return reference(UNARY_CASES[op].reference, x);
}

const withSpecials = (rng: Rng, shape: readonly number[]): NDArray => rng.choice(shape, [...FLOAT_SPECIALS, 0.25, -7, 42]);

/** sin and cos of huge arguments need exact argument reduction, which float32 libraries do not promise. */
const TRIG_SPECIALS = FLOAT_SPECIALS.filter((v) => Math.abs(v) < 1e30 || !Number.isFinite(v));

const range =
  (low: number, high: number) =>
  (...shape: number[]): InputSpec => ({ shape, low, high });
const avoiding =
  (kinks: (v: number) => number) =>
  (...shape: number[]): InputSpec =>
    A(kinks, ...shape);

/** The unary table: one entry per op of `UNARY_OPS`. */
export const UNARY_CASES: Readonly<Record<UnaryOp, UnaryCase>> = {
  neg: {
    reference: numericRule(
      (x) => -x,
      (x) => -x | 0,
    ),
    inputs: uniform(-10, 10),
    tolerance: SELECT,
    gradient: S,
  },
  abs: {
    reference: numericRule(Math.abs, (x) => Math.abs(x) | 0),
    inputs: uniform(-10, 10),
    tolerance: SELECT,
    gradient: avoiding(fromZero),
  },
  sign: { reference: numericRule(Math.sign, Math.sign), inputs: uniform(-10, 10), tolerance: SELECT, gradient: avoiding(fromZero) },
  exp: { reference: floatRule(Math.exp), inputs: uniform(-20, 20), tolerance: TRANSCENDENTAL, gradient: S },
  log: { reference: floatRule(Math.log), inputs: uniform(1e-3, 100), tolerance: TRANSCENDENTAL, gradient: P },
  // Differentiated away from -1, where 1/(1+x) is too steep for finite differences.
  log1p: { reference: floatRule(Math.log1p), inputs: uniform(-0.99, 100), tolerance: TRANSCENDENTAL, gradient: range(-0.5, 1) },
  expm1: { reference: floatRule(Math.expm1), inputs: uniform(-10, 10), tolerance: TRANSCENDENTAL, gradient: S },
  sqrt: { reference: floatRule(Math.sqrt), inputs: uniform(0, 100), tolerance: ELEMENTWISE, gradient: P },
  rsqrt: { reference: floatRule((x) => 1 / Math.sqrt(x)), inputs: uniform(1e-3, 100), tolerance: TRANSCENDENTAL, gradient: P },
  square: {
    reference: numericRule(
      (x) => x * x,
      (x) => Math.imul(x, x),
    ),
    inputs: uniform(-10, 10),
    tolerance: ELEMENTWISE,
    gradient: S,
  },
  reciprocal: { reference: floatRule((x) => 1 / x), inputs: uniform(-10, 10), tolerance: ELEMENTWISE, gradient: P },
  sigmoid: {
    reference: floatRule((x) => 1 / (1 + Math.exp(-x))),
    inputs: uniform(-20, 20),
    tolerance: TRANSCENDENTAL,
    gradient: range(-4, 4),
  },
  tanh: { reference: floatRule(Math.tanh), inputs: uniform(-10, 10), tolerance: TRANSCENDENTAL, gradient: range(-2, 2) },
  relu: {
    reference: numericRule(
      (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0),
      (x) => (x > 0 ? x : 0),
    ),
    inputs: uniform(-10, 10),
    tolerance: SELECT,
    gradient: avoiding(fromZero),
  },
  sin: {
    reference: floatRule(Math.sin),
    inputs: uniform(-10, 10),
    tolerance: TRANSCENDENTAL,
    specials: TRIG_SPECIALS,
    gradient: range(-3, 3),
  },
  cos: {
    reference: floatRule(Math.cos),
    inputs: uniform(-10, 10),
    tolerance: TRANSCENDENTAL,
    specials: TRIG_SPECIALS,
    gradient: range(-3, 3),
  },
  floor: { reference: floatRule(Math.floor), inputs: roundingInputs, tolerance: SELECT, gradient: avoiding(fromIntegers) },
  ceil: { reference: floatRule(Math.ceil), inputs: roundingInputs, tolerance: SELECT, gradient: avoiding(fromIntegers) },
  round: { reference: floatRule(roundHalfEven), inputs: roundingInputs, tolerance: SELECT, gradient: avoiding(fromHalves) },
  logicalNot: {
    reference: { inputs: ['bool'], output: 'bool', bool: (x) => (x !== 0 ? 0 : 1) },
    inputs: (rng, shape) => rng.bools(shape),
    tolerance: SELECT,
  },
  isNaN: {
    reference: { inputs: ['float32'], output: 'bool', float: (x) => (Number.isNaN(x) ? 1 : 0) },
    inputs: withSpecials,
    tolerance: SELECT,
  },
  isFinite: {
    reference: { inputs: ['float32'], output: 'bool', float: (x) => (Number.isFinite(x) ? 1 : 0) },
    inputs: withSpecials,
    tolerance: SELECT,
  },
};

/** Ops whose zero results have an IEEE-defined sign that every implementation can honour. */
const SIGNED_ZEROS: Partial<Record<UnaryOp, { readonly inputs: readonly number[] }>> = {
  neg: { inputs: [0, -0] },
  abs: { inputs: [0, -0] },
  floor: { inputs: [0, -0, 0.5] },
  ceil: { inputs: [0, -0, -0.5] },
  round: { inputs: [0, -0, -0.4, -0.5, 0.5] },
};

export function unarySuite(ctx: SuiteContext): void {
  ctx.describe('unary', (suite) => {
    for (const op of UNARY_OPS) {
      suite.describe(op, (t) => {
        defineUnaryTests(t, op);
      });
    }
  });
}

function defineUnaryTests(t: SuiteContext, op: UnaryOp): void {
  const fn = UNARY_FUNCTIONS[op];
  const spec = UNARY_CASES[op];
  const typing = UNARY_TYPING[op];
  const mainDType = typing.inputs[0]!;
  const tol = t.tolerance(spec.tolerance.rtol, spec.tolerance.atol);

  t.it('random values', async (rng) => {
    for (const shape of [[5], [4, 7], [2, 3, 5], [130]]) {
      const x = spec.inputs(rng, shape);
      await expectOp(() => fn(toTensor(x)), referenceUnary(op, x), tol, `${op} of ${JSON.stringify(shape)}`);
    }
  });

  if (mainDType === 'float32') {
    t.it('special values', async () => {
      const x = NDArray.of(spec.specials ?? FLOAT_SPECIALS, [(spec.specials ?? FLOAT_SPECIALS).length]);
      await expectOp(() => fn(toTensor(x)), referenceUnary(op, x), tol, `${op} of [${Array.from(x.data).join(', ')}]`);
    });
  }

  t.it('edge shapes', async (rng) => {
    for (const shape of [[], [0], [3, 0, 2], [1, 1, 1], [1]]) {
      const x = spec.inputs(rng, shape);
      await expectOp(() => fn(toTensor(x)), referenceUnary(op, x), tol, `${op} of shape ${JSON.stringify(shape)}`);
    }
  });

  t.it('views', async (rng) => {
    const x = spec.inputs(rng, [3, 4, 5]);
    const expanded = expandedView(spec.inputs(rng, [1, 4, 1]), [3, 4, 5]);
    const cases = [...viewsOf(x).map((view) => ({ view, reference: x })), expanded];
    for (const { view, reference } of cases) {
      await expectOp(() => fn(view.make()), referenceUnary(op, reference), tol, `${op} of a ${view.label}`);
      await expectSameAsCopies(fn, [view], op);
    }
  });

  if (typing.inputs.includes('int32')) {
    t.it('int32', async (rng) => {
      const x = NDArray.of([...INT32_EXTREMES, ...rng.ints([20], -1000, 1000).data], [INT32_EXTREMES.length + 20], 'int32');
      await expectOp(() => fn(toTensor(x)), referenceUnary(op, x), SELECT, `${op} of int32 (wraps to 32 bits)`);
    });
  }

  const zeros = SIGNED_ZEROS[op];
  if (zeros) {
    t.it('signed zeros', async () => {
      const x = NDArray.of(zeros.inputs, [zeros.inputs.length]);
      await expectOp(() => fn(toTensor(x)), referenceUnary(op, x), SELECT, `${op} keeps IEEE zero signs`, true);
    });
  }

  if (op === 'expm1' || op === 'log1p') {
    t.it('tiny inputs', async () => {
      const x = NDArray.of([1e-7, -1e-7, 3e-6, -2e-5, 1e-4, 1e-10], [6]);
      await expectOp(
        () => fn(toTensor(x)),
        referenceUnary(op, x),
        t.tolerance(NEAR_ZERO.rtol, NEAR_ZERO.atol),
        `${op} keeps relative accuracy near 0`,
      );
    });
  }

  const refused = DTYPES.filter((d) => !typing.inputs.includes(d));
  t.it('dtype refusals', () => {
    for (const dtype of refused) {
      const x = toTensor(NDArray.full([2], 1, dtype));
      try {
        expectGatedError(() => fn(x), op, `expects ${typing.inputs.join(' or ')} input, got ${dtype}`);
      } finally {
        x.dispose();
      }
    }
  });
}
