/**
 * `cast` between every pair of dtypes: truncation toward zero, NaN → 0 and saturation for
 * float → int32, `x !== 0` for → bool (NaN → true), float32 rounding of large int32 values.
 */
import { DTYPES, type DType } from '@gated/backend-api';
import { cast, memory } from '@gated/tensor';
import { expect } from 'vitest';
import { expectOp, expectTensor, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import type { Rng } from '../harness/rng.js';
import { FLOAT_SPECIALS, INT32_EXTREMES } from '../harness/values.js';
import { expandedView, expectSameAsCopies, viewsOf } from '../harness/views.js';
import { NDArray, cast as refCast } from '../reference/index.js';

/** float32 values around every truncation and saturation boundary of float32 → int32. */
const FLOAT_TO_INT = [
  ...FLOAT_SPECIALS,
  2.5,
  -2.5,
  0.9999,
  -0.9999,
  7.99,
  -7.99,
  2147483520, // the largest float32 below 2^31: fits
  2147483648, // 2^31: saturates to 2147483647
  -2147483648, // -2^31: fits exactly
  -2147483904, // the next float32 below -2^31: saturates
  1e10,
  -1e10,
  16777217,
];

/** int32 values float32 cannot hold exactly (rounded to nearest even). */
const INT_TO_FLOAT = [...INT32_EXTREMES, 16777217, 16777219, -33554435, 2147483584];

function sample(dtype: DType, rng: Rng): NDArray {
  if (dtype === 'float32') {
    const random = rng.uniform([10], -100, 100);
    return NDArray.of([...FLOAT_TO_INT, ...random.data], [FLOAT_TO_INT.length + 10]);
  }
  if (dtype === 'int32') return NDArray.of([...INT_TO_FLOAT, ...rng.ints([10], -100, 100).data], [INT_TO_FLOAT.length + 10], 'int32');
  return NDArray.of([0, 1, 1, 0, ...rng.bools([10]).data], [14], 'bool');
}

export function castSuite(ctx: SuiteContext): void {
  ctx.describe('cast', (t) => {
    for (const from of DTYPES) {
      for (const to of DTYPES) {
        t.it(`${from} to ${to}`, async (rng) => {
          const x = sample(from, rng);
          // Conversions are exact functions of the input: every backend must agree bit for bit.
          await expectOp(() => cast(toTensor(x), to), refCast(x, to), undefined, `cast ${from} → ${to}`);
          const grid = new NDArray(x.data.slice(0, 12), [3, 4], from);
          await expectOp(() => cast(toTensor(grid), to), refCast(grid, to), undefined, `cast ${from} → ${to} of [3,4]`);
        });
      }
    }

    t.it('to the same dtype shares the buffer', async (rng) => {
      const x = rng.uniform([3, 4]);
      const input = toTensor(x);
      try {
        const before = memory().numBuffers;
        const same = cast(input, 'float32');
        try {
          // No kernel runs: the result is a view of the input's buffer.
          expect(memory().numBuffers, 'engine buffers after cast to the same dtype').toBe(before);
          await expectTensor(same, x);
        } finally {
          same.dispose();
        }
      } finally {
        input.dispose();
      }
    });

    t.it('edge shapes', async (rng) => {
      for (const shape of [[], [0], [2, 0], [1, 1]]) {
        const x = rng.uniform(shape, -3, 3);
        await expectOp(() => cast(toTensor(x), 'int32'), refCast(x, 'int32'), undefined, `cast of ${JSON.stringify(shape)}`);
        await expectOp(() => cast(toTensor(x), 'bool'), refCast(x, 'bool'), undefined, `cast to bool of ${JSON.stringify(shape)}`);
      }
    });

    t.it('views', async (rng) => {
      const x = rng.uniform([3, 4, 5], -50, 50);
      for (const view of viewsOf(x)) {
        await expectOp(() => cast(view.make(), 'int32'), refCast(x, 'int32'), undefined, `cast of a ${view.label}`);
        await expectSameAsCopies((v) => cast(v, 'int32'), [view], 'cast');
      }
      const expanded = expandedView(rng.bools([1, 5]), [4, 5]);
      await expectOp(
        () => cast(expanded.view.make(), 'float32'),
        refCast(expanded.reference, 'float32'),
        undefined,
        'cast of an expanded bool view',
      );
    });

    t.it('unknown dtype', () => {
      const x = toTensor(NDArray.full([2], 1));
      try {
        expectGatedError(() => cast(x, 'float64' as DType), 'cast', 'unknown dtype float64');
      } finally {
        x.dispose();
      }
    });
  });
}
