/** `where(cond, a, b)`: selection with three-way broadcasting, every value dtype, views. */
import { where, type Tensor, type TensorLike } from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, where as refWhere } from '../reference/index.js';

const whereFn = (c: Tensor, a: TensorLike, b: TensorLike): Tensor => where(c, a, b);

export function whereSuite(ctx: SuiteContext): void {
  ctx.describe('where', (t) => {
    // where only selects, so results are exact.
    const check = (c: NDArray, a: NDArray, b: NDArray, label: string) =>
      expectOp(() => where(toTensor(c), toTensor(a), toTensor(b)), refWhere(c, a, b), undefined, `where: ${label}`);

    t.it('random values', async (rng) => {
      for (const shape of [[7], [3, 5], [2, 3, 4], [129]]) {
        await check(rng.bools(shape), rng.uniform(shape), rng.uniform(shape), JSON.stringify(shape));
      }
    });

    t.it('broadcasting', async (rng) => {
      const cases: [readonly number[], readonly number[], readonly number[]][] = [
        [[3, 1], [1, 4], []],
        [[], [2, 3], [2, 3]],
        [[2, 1, 3], [4, 1], [1]],
        [[4], [3, 1], [1, 4]],
        [[2, 0], [2, 1], [1]],
      ];
      for (const [sc, sa, sb] of cases) {
        await check(
          rng.bools(sc),
          rng.uniform(sa),
          rng.uniform(sb),
          `cond ${JSON.stringify(sc)}, a ${JSON.stringify(sa)}, b ${JSON.stringify(sb)}`,
        );
      }
    });

    t.it('JavaScript number operands', async (rng) => {
      const c = rng.bools([3, 4]);
      const x = rng.uniform([3, 4]);
      const zero = NDArray.full([], 0);
      const half = NDArray.full([], 1.5);
      await expectOp(() => where(toTensor(c), toTensor(x), 0), refWhere(c, x, zero), undefined, 'where(c, x, 0)');
      await expectOp(() => where(toTensor(c), 1.5, toTensor(x)), refWhere(c, half, x), undefined, 'where(c, 1.5, x)');
      await expectOp(() => where(toTensor(c), 1.5, 0), refWhere(c, half, zero), undefined, 'where(c, 1.5, 0)');
      const ints = rng.ints([3, 4], -5, 5);
      await expectOp(
        () => where(toTensor(c), toTensor(ints), 7),
        refWhere(c, ints, NDArray.full([], 7, 'int32')),
        undefined,
        'where(c, int32, 7)',
      );
    });

    t.it('unselected NaN and infinities do not leak', async () => {
      const c = NDArray.of([1, 0, 1, 0, 1, 0], [6], 'bool');
      const a = NDArray.of([1, NaN, 2, Infinity, 3, -Infinity], [6]);
      const b = NDArray.of([NaN, 4, Infinity, 5, -Infinity, 6], [6]);
      await check(c, a, b, 'NaN and ±∞ only in the branch not taken');
    });

    t.it('int32 and bool values', async (rng) => {
      await check(rng.bools([4, 5]), rng.ints([4, 5], -1000, 1000), rng.ints([5], -1000, 1000), 'int32');
      await check(rng.bools([4, 5]), rng.bools([4, 1]), rng.bools([4, 5]), 'bool');
    });

    t.it('edge shapes', async (rng) => {
      await check(rng.bools([]), rng.uniform([]), rng.uniform([]), 'rank 0');
      await check(rng.bools([0, 3]), rng.uniform([0, 3]), rng.uniform([3]), 'size 0');
      await check(rng.bools([1, 1]), rng.uniform([1]), rng.uniform([1, 1, 1]), 'size 1');
    });

    t.it('views', async (rng) => {
      const c = rng.bools([3, 4, 5]);
      const a = rng.uniform([3, 4, 5]);
      const b = rng.uniform([3, 4, 5]);
      const [vc] = viewsOf(c);
      const [, va] = viewsOf(a);
      const expanded = expandedView(rng.uniform([1, 4, 1]), [3, 4, 5]);
      await expectOp(
        () => where(vc!.make(), va!.make(), expanded.view.make()),
        refWhere(c, a, expanded.reference),
        undefined,
        'where on views',
      );
      await expectSameAsCopies(whereFn, [vc!, va!, expanded.view], 'where');
      await expectOp(
        () => where(toTensor(c), toTensor(a), viewsOf(b)[2]!.make()),
        refWhere(c, a, b),
        undefined,
        'where with a permuted view',
      );
    });

    t.it('refusals', () => {
      const x = toTensor(NDArray.full([2, 3], 1));
      const i = toTensor(NDArray.full([2, 3], 1, 'int32'));
      const c = toTensor(NDArray.full([2, 3], 1, 'bool'));
      const row = toTensor(NDArray.full([4], 1));
      try {
        expectGatedError(() => where(x, x, x), 'where', 'condition must be bool, got float32');
        expectGatedError(() => where(i, x, x), 'where', 'condition must be bool, got int32');
        expectGatedError(() => where(c, x, i), 'where', 'dtype mismatch: float32 vs int32; cast one side first');
        expectGatedError(() => where(c, x, row), 'where', 'condition [2,3], a [2,3] and b [4] cannot be broadcast together');
      } finally {
        for (const t of [x, i, c, row]) t.dispose();
      }
    });
  });
}
