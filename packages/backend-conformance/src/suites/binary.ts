/**
 * Elementwise two-input ops: every member of `BINARY_OPS`, on random values, numpy broadcasting
 * (rank-0, rows, columns, mixed size-1 axes, both sides broadcast, JavaScript numbers), every
 * pair of IEEE special values, edge shapes, views, and each dtype `BINARY_TYPING` allows.
 */
import { BINARY_OPS, BINARY_TYPING, DTYPES, type BinaryOp, type DType } from '@gated/backend-api';
import * as ops from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import type { Rng } from '../harness/rng.js';
import { ELEMENTWISE, SELECT, TRANSCENDENTAL, type ToleranceSpec } from '../harness/tolerances.js';
import { FLOAT_SPECIALS, INT32_EXTREMES, TIES } from '../harness/values.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, binary as refBinary, type RefDType } from '../reference/index.js';

/** `@gated/tensor` has one function per binary op, named as the op (the compiler checks it). */
const FUNCTIONS: Pick<typeof ops, BinaryOp> = ops;

interface BinaryCase {
  /** Random operands of one shape for the main dtype. */
  readonly inputs: (rng: Rng, shape: readonly number[]) => [NDArray, NDArray];
  readonly tolerance: ToleranceSpec;
}

const floats =
  (low: number, high: number) =>
  (rng: Rng, shape: readonly number[]): [NDArray, NDArray] => [rng.uniform(shape, low, high), rng.uniform(shape, low, high)];

/** Comparisons get many exact ties, or `equal` would almost never be true. */
const ties = (rng: Rng, shape: readonly number[]): [NDArray, NDArray] => [rng.choice(shape, TIES), rng.choice(shape, TIES)];
const bools = (rng: Rng, shape: readonly number[]): [NDArray, NDArray] => [rng.bools(shape), rng.bools(shape)];

const CASES: Record<BinaryOp, BinaryCase> = {
  add: { inputs: floats(-10, 10), tolerance: ELEMENTWISE },
  sub: { inputs: floats(-10, 10), tolerance: ELEMENTWISE },
  mul: { inputs: floats(-10, 10), tolerance: ELEMENTWISE },
  div: { inputs: floats(-10, 10), tolerance: ELEMENTWISE },
  pow: {
    inputs: (rng, shape) => [rng.uniform(shape, 0.05, 4), rng.uniform(shape, -3, 3)],
    tolerance: TRANSCENDENTAL,
  },
  maximum: { inputs: ties, tolerance: SELECT },
  minimum: { inputs: ties, tolerance: SELECT },
  equal: { inputs: ties, tolerance: SELECT },
  notEqual: { inputs: ties, tolerance: SELECT },
  less: { inputs: ties, tolerance: SELECT },
  lessEqual: { inputs: ties, tolerance: SELECT },
  greater: { inputs: ties, tolerance: SELECT },
  greaterEqual: { inputs: ties, tolerance: SELECT },
  logicalAnd: { inputs: bools, tolerance: SELECT },
  logicalOr: { inputs: bools, tolerance: SELECT },
};

/** Broadcasting cases: operand shapes, named. */
const BROADCASTS: readonly (readonly [string, readonly number[], readonly number[]])[] = [
  ['rank-0 tensor operand', [3, 4], []],
  ['rank-0 on the left', [], [3, 4]],
  ['row', [3, 4], [4]],
  ['column', [3, 4], [3, 1]],
  ['both operands broadcast (outer)', [5, 1], [1, 6]],
  ['rank 4 with mixed size-1 axes', [2, 1, 3, 1], [1, 4, 1, 5]],
  ['lower rank on the left', [4], [2, 3, 4]],
  ['size-1 axis against a size-0 axis', [2, 0], [2, 1]],
];

export function binarySuite(ctx: SuiteContext): void {
  ctx.describe('binary', (suite) => {
    for (const op of BINARY_OPS) {
      suite.describe(op, (t) => {
        defineBinaryTests(t, op);
      });
    }
  });
}

/** Random operands for a dtype other than the op's main one. */
function operandsFor(dtype: RefDType, rng: Rng, shape: readonly number[]): [NDArray, NDArray] {
  if (dtype === 'int32') return [rng.ints(shape, -20, 20), rng.ints(shape, -20, 20)];
  if (dtype === 'bool') return [rng.bools(shape), rng.bools(shape)];
  return [rng.choice(shape, TIES), rng.choice(shape, TIES)];
}

function defineBinaryTests(t: SuiteContext, op: BinaryOp): void {
  const fn = FUNCTIONS[op];
  const spec = CASES[op];
  const typing = BINARY_TYPING[op];
  const mainDType = typing.inputs[0]!;
  const tol = t.tolerance(spec.tolerance.rtol, spec.tolerance.atol);
  const run = (a: NDArray, b: NDArray, label: string) =>
    expectOp(() => fn(toTensor(a), toTensor(b)), refBinary(op, a, b), tol, `${op}: ${label}`);

  t.it('random values', async (rng) => {
    for (const shape of [[6], [3, 5], [2, 3, 4], [131]]) {
      const [a, b] = spec.inputs(rng, shape);
      await run(a, b, JSON.stringify(shape));
    }
  });

  t.it('broadcasting', async (rng) => {
    for (const [label, shapeA, shapeB] of BROADCASTS) {
      const [a] = spec.inputs(rng, shapeA);
      const [, b] = spec.inputs(rng, shapeB);
      await run(a, b, `${label} ${JSON.stringify(shapeA)} with ${JSON.stringify(shapeB)}`);
    }
  });

  t.it('JavaScript number operands', async (rng) => {
    const [a] = spec.inputs(rng, [2, 3]);
    const [, b] = spec.inputs(rng, [1]);
    const value = mainDType === 'bool' ? b.data[0] !== 0 : b.data[0]!;
    const scalar = new NDArray(b.data.slice(0, 1), [], mainDType);
    await expectOp(() => fn(toTensor(a), value), refBinary(op, a, scalar), tol, `${op}(tensor, ${String(value)})`);
    await expectOp(() => fn(value, toTensor(a)), refBinary(op, scalar, a), tol, `${op}(${String(value)}, tensor)`);
  });

  if (mainDType === 'float32') {
    t.it('special values', async () => {
      const left: number[] = [];
      const right: number[] = [];
      for (const x of FLOAT_SPECIALS) {
        for (const y of FLOAT_SPECIALS) {
          left.push(x);
          right.push(y);
        }
      }
      const a = NDArray.of(left, [left.length]);
      const b = NDArray.of(right, [right.length]);
      await run(a, b, 'every pair of special values (left operand, right operand)');
    });
  }

  t.it('edge shapes', async (rng) => {
    const cases: [readonly number[], readonly number[]][] = [
      [[], []],
      [[0], [0]],
      [[0, 3], [3]],
      [
        [3, 0],
        [1, 0],
      ],
      [[1, 1], [1]],
      [[1], [1, 1, 1]],
    ];
    for (const [shapeA, shapeB] of cases) {
      const [a] = spec.inputs(rng, shapeA);
      const [, b] = spec.inputs(rng, shapeB);
      await run(a, b, `${JSON.stringify(shapeA)} with ${JSON.stringify(shapeB)}`);
    }
  });

  t.it('views', async (rng) => {
    const [a, b] = spec.inputs(rng, [3, 4, 5]);
    const viewsA = viewsOf(a);
    const viewsB = viewsOf(b);
    for (let i = 0; i < viewsA.length; i++) {
      const va = viewsA[i]!;
      const vb = viewsB[(i + 1) % viewsB.length]!;
      await expectOp(() => fn(va.make(), vb.make()), refBinary(op, a, b), tol, `${op}: ${va.label} with ${vb.label}`);
      await expectSameAsCopies(fn, [va, vb], op);
    }
    const [small] = spec.inputs(rng, [4, 1]);
    const expanded = expandedView(small, [3, 4, 5]);
    await expectOp(() => fn(expanded.view.make(), toTensor(b)), refBinary(op, expanded.reference, b), tol, `${op}: ${expanded.view.label}`);
    await expectSameAsCopies(fn, [expanded.view, viewsB[0]!], op);
  });

  for (const dtype of typing.inputs.slice(1)) {
    t.it(dtype, async (rng) => {
      const [a, b] = operandsFor(dtype, rng, [4, 5]);
      await run(a, b, `${dtype} operands`);
      const [row] = operandsFor(dtype, rng, [5]);
      await run(a, row, `${dtype} operands broadcast`);
      if (dtype === 'bool') {
        const x = NDArray.of([0, 0, 1, 1], [4], 'bool');
        const y = NDArray.of([0, 1, 0, 1], [4], 'bool');
        await run(x, y, 'every pair of bools');
      }
    });
  }

  if (typing.inputs.includes('int32')) {
    t.it('int32 extremes', async () => {
      const values = INT32_EXTREMES;
      const a = NDArray.of(values, [values.length, 1], 'int32');
      const b = NDArray.of(values, [1, values.length], 'int32');
      await run(a, b, 'every pair of int32 extremes (arithmetic wraps to 32 bits)');
    });
  }

  if (op === 'mul' || op === 'add' || op === 'sub') {
    t.it('signed zeros', async () => {
      const a = NDArray.of([-0, -0, 0, -0, 0], [5]);
      const b = NDArray.of(op === 'mul' ? [1, -1, -1, 0, 0] : op === 'add' ? [-0, 0, -0, -0, 0] : [0, -0, 0, -0, 0], [5]);
      await expectOp(() => fn(toTensor(a), toTensor(b)), refBinary(op, a, b), SELECT, `${op} keeps IEEE zero signs`, true);
    });
  }

  const refused = DTYPES.filter((d) => !typing.inputs.includes(d));
  if (refused.length > 0) {
    t.it('dtype refusals', () => {
      for (const dtype of refused) {
        const x = toTensor(NDArray.full([2], 1, dtype));
        try {
          expectGatedError(() => fn(x, x), op, `expects ${typing.inputs.join(' or ')} input, got ${dtype}`);
        } finally {
          x.dispose();
        }
      }
    });
  }

  t.it('dtype mismatch', () => {
    const [first, second]: DType[] =
      mainDType === 'float32' ? ['float32', 'int32'] : mainDType === 'bool' ? ['bool', 'float32'] : ['int32', 'float32'];
    const a = toTensor(NDArray.full([2, 3], 1, first));
    const b = toTensor(NDArray.full([2, 3], 1, second));
    try {
      expectGatedError(() => fn(a, b), op, `dtype mismatch: ${first} vs ${second}; cast one side first`);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  t.it('shape mismatch', () => {
    const a = toTensor(NDArray.full([2, 3], 1, mainDType));
    const b = toTensor(NDArray.full([4], 1, mainDType));
    try {
      expectGatedError(() => fn(a, b), op, 'shapes [2,3] and [4] cannot be broadcast together');
    } finally {
      a.dispose();
      b.dispose();
    }
  });
}
