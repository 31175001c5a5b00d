/**
 * gather, indexSelect and scatterAdd (embedding lookup and its gradient): every axis, index
 * tensors of any rank (including rank 0 and size 0), repeated indices, every dtype, views, and
 * out-of-range indices.
 */
import type { DType } from '@gated/backend-api';
import { gather, indexSelect, scatterAdd, transpose } from '@gated/tensor';
import { expect } from 'vitest';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { expectMemory, snapshot } from '../harness/memory.js';
import { ELEMENTWISE } from '../harness/tolerances.js';
import { viewsOf } from '../harness/views.js';
import * as ref from '../reference/index.js';

const DTYPE_LIST: readonly DType[] = ['float32', 'int32', 'bool'];

export function indexingSuite(ctx: SuiteContext): void {
  ctx.describe('indexing', (suite) => {
    suite.describe('gather', (t) => {
      t.it('embedding lookup', async (rng) => {
        for (const dtype of DTYPE_LIST) {
          const table = rng.values([10, 4], dtype);
          const ids = rng.ints([3, 5], 0, 9);
          await expectOp(
            () => gather(toTensor(table), toTensor(ids)),
            ref.gather(table, ids),
            undefined,
            `gather ${dtype} rows by [3,5] ids`,
          );
        }
      });

      t.it('each axis', async (rng) => {
        const x = rng.uniform([4, 5, 6]);
        for (const axis of [0, 1, 2, -1]) {
          const dim = x.shape[axis < 0 ? axis + 3 : axis]!;
          const ids = rng.ints([2, 3], 0, dim - 1);
          await expectOp(() => gather(toTensor(x), toTensor(ids), axis), ref.gather(x, ids, axis), undefined, `gather along axis ${axis}`);
        }
      });

      t.it('index shapes and repeats', async (rng) => {
        const x = rng.uniform([5, 3]);
        const cases = [
          ref.NDArray.of([2], [], 'int32'),
          ref.NDArray.of([], [0], 'int32'),
          ref.NDArray.of([4, 4, 0, 4, 0], [5], 'int32'),
          ref.NDArray.of([1, 2, 3, 4, 0, 1, 2, 3], [2, 2, 2], 'int32'),
        ];
        for (const ids of cases) {
          await expectOp(
            () => gather(toTensor(x), toTensor(ids)),
            ref.gather(x, ids),
            undefined,
            `gather by indices of shape ${JSON.stringify(ids.shape)}`,
          );
        }
        const list = [3, 0, 0, 4];
        await expectOp(
          () => gather(toTensor(x), list, 0),
          ref.gather(x, ref.NDArray.of(list, [4], 'int32')),
          undefined,
          'gather by a JavaScript array',
        );
        const empty = rng.uniform([0, 3]);
        await expectOp(
          () => gather(toTensor(empty), toTensor(ref.NDArray.of([0, 2], [2], 'int32')), 1),
          ref.gather(empty, ref.NDArray.of([0, 2], [2], 'int32'), 1),
          undefined,
          'gather from a tensor with no rows',
        );
      });

      t.it('views', async (rng) => {
        const x = rng.uniform([4, 5, 6]);
        const ids = rng.ints([3, 2], 0, 3);
        for (const view of viewsOf(x)) {
          await expectOp(() => gather(view.make(), toTensor(ids)), ref.gather(x, ids), undefined, `gather from a ${view.label}`);
        }
        const storedIds = ref.transpose(ids);
        await expectOp(
          () => gather(toTensor(x), transpose(toTensor(storedIds))),
          ref.gather(x, ids),
          undefined,
          'gather by transposed indices',
        );
      });

      t.it('out-of-range indices', async () => {
        const x = ref.NDArray.of([1, 2, 3, 4, 5, 6], [3, 2]);
        for (const bad of [[0, 3], [-1, 0], [7]]) {
          const ids = ref.NDArray.of(bad, [bad.length], 'int32');
          const index = toTensor(ids);
          const table = toTensor(x);
          try {
            if ((t.options.outOfRangeGather ?? 'throws') === 'throws') {
              // The backend's message; it must name the op and the offending index.
              const offending = bad.find((i) => i < 0 || i >= 3)!;
              expectGatedError(
                () => gather(table, index),
                'gather',
                new RegExp(`^gather: .*${offending}`),
                `gather with indices [${bad.join(',')}]`,
              );
            } else {
              const before = snapshot();
              const result = gather(table, index);
              try {
                const values = await result.data();
                const want = ref.NDArray.build([bad.length, 2], 'float32', ([i, j]) => {
                  const row = bad[i!]!;
                  return row >= 0 && row < 3 ? x.at([row, j!]) : 0;
                });
                expect(Array.from(values), 'out-of-range rows are zeros').toEqual(Array.from(want.data));
              } finally {
                result.dispose();
              }
              expectMemory(before, 'gather with out-of-range indices');
            }
          } finally {
            index.dispose();
            table.dispose();
          }
        }
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([3, 2], 1));
        const floats = toTensor(ref.NDArray.full([2], 0));
        try {
          expectGatedError(() => gather(x, floats), 'gather', 'indices must be int32, got float32');
          expectGatedError(() => gather(x, [0.5]), 'gather', 'indices must be integers, got 0.5');
          expectGatedError(() => gather(x, [0], 2), 'gather', 'axis 2 is out of range for shape [3,2]: valid axes are [-2, 1]');
        } finally {
          x.dispose();
          floats.dispose();
        }
      });
    });

    suite.describe('indexSelect', (t) => {
      t.it('values', async (rng) => {
        const x = rng.uniform([4, 6]);
        const ids = ref.NDArray.of([5, 0, 5, 2], [4], 'int32');
        await expectOp(() => indexSelect(toTensor(x), 1, toTensor(ids)), ref.indexSelect(x, 1, ids), undefined, 'indexSelect columns');
        await expectOp(
          () => indexSelect(toTensor(x), 0, [3, 1]),
          ref.indexSelect(x, 0, ref.NDArray.of([3, 1], [2], 'int32')),
          undefined,
          'indexSelect rows by a list',
        );
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([3, 2], 1));
        const ids = toTensor(ref.NDArray.full([2, 2], 0, 'int32'));
        try {
          expectGatedError(() => indexSelect(x, 0, ids), 'indexSelect', 'indices must be 1-D, got shape [2,2]');
        } finally {
          x.dispose();
          ids.dispose();
        }
      });
    });

    suite.describe('scatterAdd', (t) => {
      // Repeated indices add several float32 values: a few roundings.
      const tol = t.tolerance(ELEMENTWISE.rtol, ELEMENTWISE.atol);

      t.it('embedding gradient', async (rng) => {
        const ids = rng.ints([3, 5], 0, 6);
        const updates = rng.uniform([3, 5, 4]);
        await expectOp(
          () => scatterAdd(toTensor(updates), toTensor(ids), 0, [7, 4]),
          ref.scatterAdd(updates, ids, 0, [7, 4]),
          tol,
          'scatterAdd rows with repeats',
        );
        const intUpdates = rng.ints([3, 5, 4], -9, 9);
        await expectOp(
          () => scatterAdd(toTensor(intUpdates), toTensor(ids), 0, [7, 4]),
          ref.scatterAdd(intUpdates, ids, 0, [7, 4]),
          undefined,
          'scatterAdd of int32',
        );
      });

      t.it('each axis', async (rng) => {
        const shape = [4, 5, 3];
        for (const axis of [0, 1, 2, -1]) {
          const a = axis < 0 ? axis + 3 : axis;
          const ids = rng.ints([6], 0, shape[a]! - 1);
          const updateShape = shape.map((d, i) => (i === a ? 6 : d));
          const updates = rng.uniform(updateShape);
          await expectOp(
            () => scatterAdd(toTensor(updates), toTensor(ids), axis, shape),
            ref.scatterAdd(updates, ids, axis, shape),
            tol,
            `scatterAdd along axis ${axis}`,
          );
        }
      });

      t.it('edge shapes and views', async (rng) => {
        const none = ref.NDArray.of([], [0], 'int32');
        await expectOp(
          () => scatterAdd(toTensor(ref.NDArray.full([0, 3], 0)), toTensor(none), 0, [4, 3]),
          ref.NDArray.full([4, 3], 0),
          undefined,
          'scatterAdd of nothing is zeros',
        );
        const one = ref.NDArray.of([2], [], 'int32');
        const row = rng.uniform([3]);
        await expectOp(
          () => scatterAdd(toTensor(row), toTensor(one), 0, [4, 3]),
          ref.scatterAdd(row, one, 0, [4, 3]),
          tol,
          'scatterAdd with a rank-0 index',
        );
        const updates = rng.uniform([3, 4]);
        await expectOp(
          () => scatterAdd(transpose(toTensor(ref.transpose(updates))), [1, 1, 0], 0, [2, 4]),
          ref.scatterAdd(updates, ref.NDArray.of([1, 1, 0], [3], 'int32'), 0, [2, 4]),
          tol,
          'scatterAdd of transposed updates',
        );
      });

      t.it('refusals', () => {
        const updates = toTensor(ref.NDArray.full([3, 4], 1));
        try {
          expectGatedError(
            () => scatterAdd(updates, [0, 1], 0, [5, 4]),
            'scatterAdd',
            'updates [3,4] do not match indices [2] into [5,4] along axis 0 (expected [2,4])',
          );
          expectGatedError(
            () => scatterAdd(updates, [0, 1, 2], 2, [5, 4]),
            'scatterAdd',
            'axis 2 is out of range for shape [5,4]: valid axes are [-2, 1]',
          );
          expectGatedError(
            () => scatterAdd(updates, [0, 1, 2], 0, [5, NaN]),
            'scatterAdd',
            'shape values must be finite non-negative integers, got [5,NaN]',
          );
        } finally {
          updates.dispose();
        }
      });
    });
  });
}
