/**
 * Reductions: sum, prod, max, min (every member of `REDUCE_OPS`) and mean, over all axes, each
 * axis, axis lists, with and without kept axes; empty and size-1 axes; NaN and ±∞; int32
 * (wrapping); views; long axes whose float32 accumulation error the tolerance bounds.
 */
import { REDUCE_OPS, REDUCE_TYPING, type ReduceOp } from '@gated/backend-api';
import { max, mean, min, prod, sum, type Axes, type Tensor } from '@gated/tensor';
import { expectOp, toTensor, type Tolerance } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import type { Rng } from '../harness/rng.js';
import { ELEMENTWISE, prodRtol, sumAtol } from '../harness/tolerances.js';
import { INT32_MAX, INT32_MIN, TIES } from '../harness/values.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, absSum, mean as refMean, reduce as refReduce, reductionCount } from '../reference/index.js';

type ReductionName = ReduceOp | 'mean';

const FUNCTIONS: Record<ReductionName, (x: Tensor, axis?: Axes, keepDims?: boolean) => Tensor> = { sum, prod, max, min, mean };

const REDUCTIONS: readonly ReductionName[] = [...REDUCE_OPS, 'mean'];

function reference(op: ReductionName, x: NDArray, axes: Axes, keepDims: boolean): NDArray {
  return op === 'mean' ? refMean(x, axes, keepDims) : refReduce(op, x, axes, keepDims);
}

/** Inputs that keep each reduction well inside float32 range, with ties for max and min. */
function inputs(op: ReductionName, rng: Rng, shape: readonly number[]): NDArray {
  if (op === 'prod') {
    const magnitudes = rng.uniform(shape, 0.5, 1.5);
    return magnitudes.map((v) => (rng.next() < 0.3 ? -v : v));
  }
  if (op === 'max' || op === 'min') return rng.choice(shape, [...TIES, 3.25, -7.75]);
  return rng.uniform(shape, -1, 1);
}

function axesText(axes: Axes): string {
  return axes === undefined ? 'all' : JSON.stringify(axes);
}

export function reduceSuite(ctx: SuiteContext): void {
  ctx.describe('reduce', (suite) => {
    for (const op of REDUCTIONS) {
      suite.describe(op, (t) => {
        defineReduceTests(t, op);
      });
    }
  });
}

function defineReduceTests(t: SuiteContext, op: ReductionName): void {
  const fn = FUNCTIONS[op];

  /** The float tolerance of this reduction of `x` (see tolerances.ts for each reason). */
  const tolerance = (x: NDArray, axes: Axes, keepDims: boolean): Tolerance => {
    const count = reductionCount(x.shape, axes);
    if (op === 'sum') return t.tolerance(ELEMENTWISE.rtol, sumAtol(absSum(x, axes, keepDims).data, count));
    if (op === 'mean') {
      // The sum's error divided by the count, plus one rounding of the division.
      const atol = sumAtol(absSum(x, axes, keepDims).data, count).map((a) => a / Math.max(count, 1));
      return t.tolerance(2 * ELEMENTWISE.rtol, atol);
    }
    if (op === 'prod') return t.tolerance(prodRtol(count), ELEMENTWISE.atol);
    return { rtol: 0, atol: 0 }; // max and min select an input: exact.
  };

  const check = (x: NDArray, axes: Axes, keepDims: boolean, label: string) =>
    expectOp(
      () => fn(toTensor(x), axes, keepDims),
      reference(op, x, axes, keepDims),
      tolerance(x, axes, keepDims),
      `${op}(${label}, axes ${axesText(axes)}, keepDims ${keepDims})`,
    );

  t.it('all axes', async (rng) => {
    for (const shape of [[], [1], [7], [3, 4, 5], [130]]) {
      const x = inputs(op, rng, shape);
      await check(x, undefined, false, JSON.stringify(shape));
      await check(x, undefined, true, JSON.stringify(shape));
    }
  });

  t.it('each axis', async (rng) => {
    const x = inputs(op, rng, [3, 4, 5]);
    for (const axis of [0, 1, 2, -1, -3]) {
      await check(x, axis, false, '[3,4,5]');
      await check(x, axis, true, '[3,4,5]');
    }
  });

  t.it('axis lists', async (rng) => {
    const x = inputs(op, rng, [3, 4, 5, 2]);
    for (const axes of [[0, 2], [-1, 0], [1, 2], [0, 1, 2, 3], [3, 1], []]) {
      await check(x, axes, false, '[3,4,5,2]');
      await check(x, axes, true, '[3,4,5,2]');
    }
  });

  t.it('size-0 and size-1 axes', async (rng) => {
    const empty = inputs(op, rng, [0, 3]);
    if (op !== 'max' && op !== 'min') {
      // sum of nothing is 0, prod 1, mean NaN (0/0, as in PyTorch).
      await check(empty, 0, false, '[0,3]');
      await check(empty, undefined, false, '[0,3]');
      await check(empty, [0, 1], true, '[0,3]');
    }
    await check(empty, 1, false, '[0,3]');
    await check(empty, 1, true, '[0,3]');
    const ones = inputs(op, rng, [3, 1, 4]);
    await check(ones, 1, false, '[3,1,4]');
    await check(ones, [0, 1], true, '[3,1,4]');
  });

  t.it('special values', async () => {
    const rows = [
      [NaN, 1, 2],
      [1, 2, NaN],
      [Infinity, 1, 2],
      [-Infinity, 1, 2],
      [Infinity, -Infinity, 1],
      [-Infinity, -Infinity, -Infinity],
      [0, Infinity, 1],
      [-0, 0, -0],
      // float32 overflow: only where the float64 reference overflows the same way (a mean or
      // product that overflows midway is order-dependent).
      ...(op === 'sum' || op === 'max' || op === 'min' ? [[3e38, 3e38, 0]] : []),
    ];
    const x = NDArray.of(rows.flat(), [rows.length, 3]);
    await check(x, 1, false, 'rows of specials');
    const columns = NDArray.build([3, rows.length], 'float32', ([i, j]) => x.at([j!, i!]));
    await check(columns, 0, false, 'columns of specials');
  });

  if (op !== 'mean' && REDUCE_TYPING[op].inputs.includes('int32')) {
    t.it('int32', async (rng) => {
      const x = rng.ints([4, 5], -20, 20);
      for (const axes of [undefined, 0, 1, [0, 1]] as Axes[]) await check(x, axes, false, 'int32 [4,5]');
      const small = rng.ints([3, 6], -4, 4);
      await check(small, 1, true, 'int32 [3,6]');
    });

    t.it('int32 extremes', async () => {
      const wrapping: Record<ReduceOp, number[]> = {
        sum: [INT32_MAX, 1, 1, INT32_MIN, -1, 5],
        prod: [123456789, 987654321, 65536, 65536, 3, 7],
        max: [INT32_MIN, INT32_MAX, -1, 0, INT32_MAX, 2],
        min: [INT32_MAX, INT32_MIN, 0, INT32_MIN, 1, -1],
      };
      const x = NDArray.of(wrapping[op], [2, 3], 'int32');
      await check(x, 1, false, 'int32 extremes (sums and products wrap to 32 bits)');
      await check(x, undefined, false, 'int32 extremes (sums and products wrap to 32 bits)');
    });
  }

  t.it('views', async (rng) => {
    const x = inputs(op, rng, [3, 4, 5]);
    for (const view of viewsOf(x)) {
      for (const axes of [1, [0, 2], undefined] as Axes[]) {
        await expectOp(
          () => fn(view.make(), axes),
          reference(op, x, axes, false),
          tolerance(x, axes, false),
          `${op} of a ${view.label} over ${axesText(axes)}`,
        );
      }
      await expectSameAsCopies((v) => fn(v, 1), [view], op);
    }
    const expanded = expandedView(inputs(op, rng, [4, 1]), [4, 6]);
    await expectOp(
      () => fn(expanded.view.make(), 1),
      reference(op, expanded.reference, 1, false),
      tolerance(expanded.reference, 1, false),
      `${op} over the expanded axis of a ${expanded.view.label}`,
    );
  });

  t.it('long axis', async (rng) => {
    const long = op === 'prod' ? (shape: number[]) => rng.uniform(shape, 0.9, 1.1) : (shape: number[]) => inputs(op, rng, shape);
    await check(long([2, 1000]), 1, false, '[2,1000]');
    await check(long([1000, 3]), 0, false, '[1000,3]');
    await check(long([1000]), undefined, false, '[1000]');
  });

  t.it('refusals', () => {
    const mask = toTensor(NDArray.full([2, 3], 1, 'bool'));
    const x = toTensor(NDArray.full([2, 3], 1));
    const empty = toTensor(NDArray.full([0, 3], 1));
    const ints = toTensor(NDArray.full([2], 1, 'int32'));
    try {
      if (op === 'mean') {
        expectGatedError(() => mean(mask), 'mean', 'expects float32 input, got bool; cast first');
        expectGatedError(() => mean(ints), 'mean', 'expects float32 input, got int32; cast first');
      } else {
        expectGatedError(() => fn(mask), op, 'expects float32 or int32 input, got bool');
      }
      expectGatedError(() => fn(x, 2), op, 'axis 2 is out of range for shape [2,3]: valid axes are [-2, 1]');
      expectGatedError(() => fn(x, -3), op, 'axis -3 is out of range for shape [2,3]: valid axes are [-2, 1]');
      expectGatedError(() => fn(x, 0.5), op, 'axis 0.5 is out of range for shape [2,3]: valid axes are [-2, 1]');
      expectGatedError(() => fn(x, [1, -1]), op, 'axis 1 is repeated in [1,-1]');
      if (op === 'max' || op === 'min') {
        expectGatedError(() => fn(empty, 0), op, 'cannot reduce over an empty axis: shape [0,3], axes [0]');
        expectGatedError(() => fn(empty), op, 'cannot reduce over an empty axis: shape [0,3], axes [0,1]');
      }
    } finally {
      for (const tensor of [mask, x, empty, ints]) tensor.dispose();
    }
  });
}
