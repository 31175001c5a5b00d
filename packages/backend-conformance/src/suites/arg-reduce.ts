/**
 * argmax / argmin (every member of `ARG_REDUCE_OPS`): each axis, the flattened tensor, ties
 * (first index wins), NaN (counts as the extreme), int32, views, and the refusals.
 */
import { ARG_REDUCE_OPS, type ArgReduceOp } from '@gated/backend-api';
import { argmax, argmin, type Tensor } from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { INT32_EXTREMES, TIES } from '../harness/values.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, argReduce as refArgReduce } from '../reference/index.js';

const FUNCTIONS: Record<ArgReduceOp, (x: Tensor, axis?: number, keepDims?: boolean) => Tensor> = { argmax, argmin };

export function argReduceSuite(ctx: SuiteContext): void {
  ctx.describe('argReduce', (suite) => {
    for (const op of ARG_REDUCE_OPS) {
      suite.describe(op, (t) => {
        const fn = FUNCTIONS[op];
        // Indices are exact.
        const check = (x: NDArray, axis: number | undefined, keepDims: boolean, label: string) =>
          expectOp(
            () => fn(toTensor(x), axis, keepDims),
            refArgReduce(op, x, axis, keepDims),
            undefined,
            `${op}(${label}, axis ${axis ?? 'none'}, keepDims ${keepDims})`,
          );

        t.it('each axis with ties', async (rng) => {
          const x = rng.choice([4, 5, 6], TIES);
          for (const axis of [0, 1, 2, -1]) {
            await check(x, axis, false, '[4,5,6]');
            await check(x, axis, true, '[4,5,6]');
          }
          await check(rng.uniform([3, 130]), 1, false, '[3,130]');
        });

        t.it('flattened', async (rng) => {
          for (const shape of [[3, 4], [2, 3, 4], [1], []]) {
            const x = rng.choice(shape, TIES);
            await check(x, undefined, false, JSON.stringify(shape));
            await check(x, undefined, true, JSON.stringify(shape));
          }
        });

        t.it('special values', async () => {
          const rows = [
            [1, NaN, 3, NaN],
            [NaN, 1, 2, 3],
            [-Infinity, Infinity, 0, Infinity],
            [-0, 0, -0, 0],
            [-Infinity, -Infinity, -Infinity, -Infinity],
            [5, 5, 5, 5],
            [1e-30, -1e-30, 3e38, -3e38],
          ];
          const x = NDArray.of(rows.flat(), [rows.length, 4]);
          await check(x, 1, false, 'rows of specials (NaN is the extreme, ties go to the first index)');
          const columns = NDArray.build([4, rows.length], 'float32', ([i, j]) => x.at([j!, i!]));
          await check(columns, 0, false, 'columns of specials');
        });

        t.it('int32', async (rng) => {
          await check(rng.ints([5, 6], -3, 3), 1, false, 'int32 with ties');
          await check(rng.ints([5, 6], -3, 3), 0, true, 'int32 with ties');
          await check(NDArray.of(INT32_EXTREMES, [INT32_EXTREMES.length], 'int32'), 0, false, 'int32 extremes');
        });

        t.it('size-1 axes', async (rng) => {
          const x = rng.uniform([3, 1, 2]);
          await check(x, 1, false, '[3,1,2]');
          await check(x, 1, true, '[3,1,2]');
          await check(rng.uniform([0, 4]), 1, false, '[0,4]');
        });

        t.it('views', async (rng) => {
          const x = rng.choice([3, 4, 5], TIES);
          for (const view of viewsOf(x)) {
            await expectOp(() => fn(view.make(), 1), refArgReduce(op, x, 1), undefined, `${op} of a ${view.label}`);
            await expectSameAsCopies((v) => fn(v, 2), [view], op);
          }
          const expanded = expandedView(rng.uniform([4, 1]), [4, 6]);
          await expectOp(
            () => fn(expanded.view.make(), 1),
            refArgReduce(op, expanded.reference, 1),
            undefined,
            `${op} along an expanded axis`,
          );
        });

        t.it('refusals', () => {
          const x = toTensor(NDArray.full([2, 3], 1));
          const empty = toTensor(NDArray.full([0, 3], 1));
          const mask = toTensor(NDArray.full([2], 1, 'bool'));
          try {
            expectGatedError(() => fn(x, 2), op, 'axis 2 is out of range for shape [2,3]: valid axes are [-2, 1]');
            expectGatedError(() => fn(empty, 0), op, 'cannot reduce over an empty axis: shape [0,3], axis 0');
            expectGatedError(() => fn(empty), op, 'cannot reduce an empty tensor of shape [0,3]');
            expectGatedError(() => fn(mask), op, 'expects float32 or int32 input, got bool');
          } finally {
            x.dispose();
            empty.dispose();
            mask.dispose();
          }
        });
      });
    }
  });
}
