/**
 * softmax, logSoftmax and logSumExp: every axis, numerical stability on large inputs, masking
 * with -∞, NaN, size-0 and size-1 axes, views.
 */
import { logSoftmax, logSumExp, softmax, type Tensor } from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { SOFTMAX } from '../harness/tolerances.js';
import { expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, logSoftmax as refLogSoftmax, logSumExp as refLogSumExp, softmax as refSoftmax } from '../reference/index.js';

type AxisOp = 'softmax' | 'logSoftmax';

const AXIS_OPS: Record<AxisOp, { fn: (x: Tensor, axis?: number) => Tensor; ref: (x: NDArray, axis?: number) => NDArray }> = {
  softmax: { fn: softmax, ref: refSoftmax },
  logSoftmax: { fn: logSoftmax, ref: refLogSoftmax },
};

/** Rows that exercise the max-shift: huge values, -∞ masks, a fully masked row, NaN. */
const SPECIAL_ROWS = [
  [1000, 1001, 999, 1000.5],
  [-1000, -1001, -999, -1000.5],
  [-Infinity, 0, 1, -Infinity],
  [-Infinity, -Infinity, -Infinity, -Infinity],
  [NaN, 0, 1, 2],
  [0, 0, 0, 0],
  [80, -80, 0, 1],
];

export function softmaxSuite(ctx: SuiteContext): void {
  ctx.describe('softmax', (suite) => {
    const tol = suite.tolerance(SOFTMAX.rtol, SOFTMAX.atol);

    for (const op of ['softmax', 'logSoftmax'] as const) {
      const { fn, ref } = AXIS_OPS[op];
      suite.describe(op, (t) => {
        t.it('each axis', async (rng) => {
          const x = rng.uniform([3, 4, 5], -5, 5);
          for (const axis of [0, 1, 2, -1]) {
            await expectOp(() => fn(toTensor(x), axis), ref(x, axis), tol, `${op} over axis ${axis}`);
          }
          await expectOp(() => fn(toTensor(x)), ref(x), tol, `${op} over the default (last) axis`);
          const wide = rng.uniform([2, 257], -10, 10);
          await expectOp(() => fn(toTensor(wide)), ref(wide), tol, `${op} over 257 classes`);
        });

        t.it('special values', async () => {
          const x = NDArray.of(SPECIAL_ROWS.flat(), [SPECIAL_ROWS.length, 4]);
          await expectOp(() => fn(toTensor(x), 1), ref(x, 1), tol, `${op} of large, masked and NaN rows`);
          const columns = NDArray.build([4, SPECIAL_ROWS.length], 'float32', ([i, j]) => x.at([j!, i!]));
          await expectOp(() => fn(toTensor(columns), 0), ref(columns, 0), tol, `${op} of the same values down columns`);
        });

        t.it('edge shapes', async (rng) => {
          const single = rng.uniform([3, 1]);
          await expectOp(() => fn(toTensor(single), 1), ref(single, 1), tol, `${op} over a size-1 axis`);
          const empty = NDArray.full([2, 0], 0);
          await expectOp(() => fn(toTensor(empty), 1), empty, tol, `${op} over a size-0 axis`);
          const emptyRows = NDArray.full([0, 3], 0);
          await expectOp(() => fn(toTensor(emptyRows), 1), emptyRows, tol, `${op} of zero rows`);
          const vector = rng.uniform([6], -3, 3);
          await expectOp(() => fn(toTensor(vector)), ref(vector), tol, `${op} of a vector`);
        });

        t.it('views', async (rng) => {
          const x = rng.uniform([3, 4, 5], -5, 5);
          for (const view of viewsOf(x)) {
            await expectOp(() => fn(view.make(), 1), ref(x, 1), tol, `${op} of a ${view.label}`);
            await expectSameAsCopies((v) => fn(v, -1), [view], op);
          }
        });

        t.it('refusals', () => {
          const x = toTensor(NDArray.full([2, 3], 1));
          const ints = toTensor(NDArray.full([2, 3], 1, 'int32'));
          try {
            expectGatedError(() => fn(x, 2), op, 'axis 2 is out of range for shape [2,3]: valid axes are [-2, 1]');
            expectGatedError(() => fn(ints), op, 'expects float32 input, got int32');
          } finally {
            x.dispose();
            ints.dispose();
          }
        });
      });
    }

    suite.describe('logSumExp', (t) => {
      const check = (x: NDArray, axes: number | readonly number[] | undefined, keepDims: boolean, label: string) =>
        expectOp(
          () => logSumExp(toTensor(x), axes, keepDims),
          refLogSumExp(x, axes, keepDims),
          tol,
          `logSumExp(${label}, keepDims ${keepDims})`,
        );

      t.it('axes', async (rng) => {
        const x = rng.uniform([3, 4, 5], -5, 5);
        for (const axes of [undefined, 0, 2, -1, [0, 2], [0, 1, 2]]) {
          await check(x, axes, false, `axes ${JSON.stringify(axes)}`);
          await check(x, axes, true, `axes ${JSON.stringify(axes)}`);
        }
      });

      t.it('special values', async () => {
        const rows = [...SPECIAL_ROWS, [Infinity, 0, 1, 2], [Infinity, -Infinity, 0, 0]];
        const x = NDArray.of(rows.flat(), [rows.length, 4]);
        await check(x, 1, false, 'large, masked, infinite and NaN rows');
      });

      t.it('edge shapes', async (rng) => {
        await check(rng.uniform([]), undefined, false, 'a scalar');
        await check(NDArray.full([2, 0], 0), 1, false, 'a size-0 axis (log 0 = -∞)');
        await check(NDArray.full([2, 0], 0), 1, true, 'a size-0 axis (log 0 = -∞)');
        await check(NDArray.full([0, 3], 0), 1, false, 'zero rows');
        await check(rng.uniform([3, 1]), 1, false, 'a size-1 axis');
      });

      t.it('views', async (rng) => {
        const x = rng.uniform([3, 4, 5], -5, 5);
        for (const view of viewsOf(x)) {
          await expectOp(() => logSumExp(view.make(), [0, 2]), refLogSumExp(x, [0, 2]), tol, `logSumExp of a ${view.label}`);
        }
      });

      t.it('refusals', () => {
        const x = toTensor(NDArray.full([2, 3], 1));
        const ints = toTensor(NDArray.full([2, 3], 1, 'int32'));
        try {
          expectGatedError(() => logSumExp(x, 3), 'logSumExp', 'axis 3 is out of range for shape [2,3]: valid axes are [-2, 1]');
          expectGatedError(() => logSumExp(ints), 'logSumExp', 'expects float32 input, got int32');
        } finally {
          x.dispose();
          ints.dispose();
        }
      });
    });
  });
}
