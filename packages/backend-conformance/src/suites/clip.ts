/** `clip(x, min, max)`: clamping with NaN kept, infinite bounds, int32, views. */
import { clip, type Tensor } from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { FLOAT_SPECIALS } from '../harness/values.js';
import { expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, clip as refClip } from '../reference/index.js';

export function clipSuite(ctx: SuiteContext): void {
  ctx.describe('clip', (t) => {
    // clip selects one of x, min and max (rounded to float32): results are exact.
    const check = (x: NDArray, lo: number, hi: number, label: string) =>
      expectOp(() => clip(toTensor(x), lo, hi), refClip(x, lo, hi), undefined, `clip(${label}, ${lo}, ${hi})`);

    t.it('random values', async (rng) => {
      for (const shape of [[9], [4, 5], [2, 3, 4]]) {
        await check(rng.uniform(shape, -2, 2), -0.5, 0.75, JSON.stringify(shape));
      }
      await check(rng.uniform([10], -2, 2), -0.1, 0.1, 'bounds that are not float32 values');
    });

    t.it('special values and infinite bounds', async () => {
      const x = NDArray.of(FLOAT_SPECIALS, [FLOAT_SPECIALS.length]);
      await check(x, -1, 1, 'specials');
      await check(x, 0, Infinity, 'specials');
      await check(x, -Infinity, Infinity, 'specials');
      await check(x, 2, 2, 'specials');
    });

    t.it('int32', async (rng) => {
      await check(rng.ints([5, 6], -100, 100), -10, 20, 'int32');
      await check(rng.ints([7], -100, 100), 3, 3, 'int32');
    });

    t.it('edge shapes', async (rng) => {
      for (const shape of [[], [0], [3, 0], [1, 1]]) await check(rng.uniform(shape, -2, 2), -1, 1, JSON.stringify(shape));
    });

    t.it('views', async (rng) => {
      const x = rng.uniform([3, 4, 5], -2, 2);
      for (const view of viewsOf(x)) {
        await expectOp(() => clip(view.make(), -1, 1), refClip(x, -1, 1), undefined, `clip of a ${view.label}`);
        await expectSameAsCopies((v: Tensor) => clip(v, -1, 1), [view], 'clip');
      }
    });

    t.it('refusals', () => {
      const x = toTensor(NDArray.full([2, 3], 1));
      const mask = toTensor(NDArray.full([2], 1, 'bool'));
      const ints = toTensor(NDArray.full([2], 1, 'int32'));
      try {
        expectGatedError(() => clip(x, 1, 0), 'clip', 'needs min <= max, got min 1 and max 0');
        expectGatedError(() => clip(x, NaN, 0), 'clip', 'needs min <= max, got min NaN and max 0');
        expectGatedError(() => clip(mask, 0, 1), 'clip', 'expects float32 or int32 input, got bool');
        expectGatedError(
          () => clip(ints, 0.5, 2),
          'clip',
          'an int32 tensor needs integer bounds, got min 0.5 and max 2; cast it to float32 first',
        );
      } finally {
        x.dispose();
        mask.dispose();
        ints.dispose();
      }
    });
  });
}
