/**
 * Layout ops (views in the engine, materialised by the backend's `stridedCopy` when read):
 * reshape, flatten, permute, transpose, expand, slice, narrow, squeeze, unsqueeze, clone and
 * contiguous, on every dtype, rank 0, size-0 axes, and chains of views. Values are exact.
 */
import type { DType } from '@gated/backend-api';
import { clone, contiguous, expand, flatten, memory, narrow, permute, reshape, slice, squeeze, transpose, unsqueeze } from '@gated/tensor';
import { expect } from 'vitest';
import { expectOp, expectTensor, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import type { Rng } from '../harness/rng.js';
import { viewsOf } from '../harness/views.js';
import * as ref from '../reference/index.js';
import type { NDArray } from '../reference/index.js';

const DTYPE_LIST: readonly DType[] = ['float32', 'int32', 'bool'];

function each(rng: Rng, shape: readonly number[]): NDArray[] {
  return DTYPE_LIST.map((dtype) => rng.values(shape, dtype));
}

export function layoutSuite(ctx: SuiteContext): void {
  ctx.describe('layout', (suite) => {
    suite.describe('reshape', (t) => {
      t.it('values', async (rng) => {
        for (const x of each(rng, [2, 3, 4])) {
          for (const shape of [[4, 6], [-1], [3, -1, 2], [24, 1], [1, 24, 1], [2, 3, 4]]) {
            await expectOp(
              () => reshape(toTensor(x), shape),
              ref.reshape(x, shape),
              undefined,
              `reshape ${x.dtype} [2,3,4] to ${JSON.stringify(shape)}`,
            );
          }
        }
      });

      t.it('edge shapes', async (rng) => {
        const scalar = rng.uniform([]);
        for (const shape of [[1], [1, 1], [-1], []]) {
          await expectOp(
            () => reshape(toTensor(scalar), shape),
            ref.reshape(scalar, shape),
            undefined,
            `reshape a scalar to ${JSON.stringify(shape)}`,
          );
        }
        const one = rng.uniform([1, 1]);
        await expectOp(() => reshape(toTensor(one), []), ref.reshape(one, []), undefined, 'reshape [1,1] to a scalar');
        const empty = rng.uniform([0, 3]);
        for (const shape of [[3, 0], [-1], [0], [2, 0, 5]]) {
          await expectOp(
            () => reshape(toTensor(empty), shape),
            ref.reshape(empty, shape),
            undefined,
            `reshape [0,3] to ${JSON.stringify(shape)}`,
          );
        }
      });

      t.it('views', async (rng) => {
        for (const x of each(rng, [3, 4, 5])) {
          for (const view of viewsOf(x)) {
            await expectOp(() => reshape(view.make(), [5, -1]), ref.reshape(x, [5, 12]), undefined, `reshape a ${x.dtype} ${view.label}`);
          }
        }
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([2, 3, 4], 1));
        try {
          expectGatedError(() => reshape(x, [-1, -1]), 'reshape', 'only one axis can be -1, got [-1,-1]');
          expectGatedError(() => reshape(x, [5, 5]), 'reshape', 'cannot reshape [2,3,4] (24 elements) into [5,5] (25 elements)');
          expectGatedError(() => reshape(x, [7, -1]), 'reshape', 'cannot infer the -1 axis: [2,3,4] (24 elements) into [7,-1]');
          expectGatedError(() => reshape(x, [0, -1]), 'reshape', 'cannot infer the -1 axis: [2,3,4] (24 elements) into [0,-1]');
          expectGatedError(() => reshape(x, [2, NaN]), 'reshape', 'shape values must be finite non-negative integers, got [2,NaN]');
          expectGatedError(() => reshape(x, [-2, -12]), 'reshape', 'shape values must be finite non-negative integers, got [-2,-12]');
          expectGatedError(() => reshape(x, [2.5, 9.6]), 'reshape', 'shape values must be finite non-negative integers, got [2.5,9.6]');
          expectGatedError(
            () => reshape(x, [Infinity, 0]),
            'reshape',
            'shape values must be finite non-negative integers, got [Infinity,0]',
          );
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('flatten', (t) => {
      t.it('values and views', async (rng) => {
        for (const x of each(rng, [2, 3, 4])) {
          await expectOp(() => flatten(toTensor(x)), ref.flatten(x), undefined, `flatten ${x.dtype}`);
          for (const view of viewsOf(x)) await expectOp(() => flatten(view.make()), ref.flatten(x), undefined, `flatten a ${view.label}`);
        }
        const scalar = rng.uniform([]);
        await expectOp(() => flatten(toTensor(scalar)), ref.flatten(scalar), undefined, 'flatten a scalar');
        const empty = rng.uniform([3, 0]);
        await expectOp(() => flatten(toTensor(empty)), ref.flatten(empty), undefined, 'flatten [3,0]');
      });
    });

    suite.describe('permute', (t) => {
      t.it('values', async (rng) => {
        for (const x of each(rng, [2, 3, 4])) {
          for (const perm of [
            [2, 0, 1],
            [1, 2, 0],
            [0, 1, 2],
            [-1, 0, 1],
            [2, 1, 0],
          ]) {
            await expectOp(
              () => permute(toTensor(x), perm),
              ref.permute(x, perm),
              undefined,
              `permute ${x.dtype} by ${JSON.stringify(perm)}`,
            );
          }
        }
        const x4 = rng.uniform([2, 1, 3, 2]);
        await expectOp(() => permute(toTensor(x4), [3, 1, 0, 2]), ref.permute(x4, [3, 1, 0, 2]), undefined, 'permute rank 4');
        const empty = rng.uniform([2, 0, 3]);
        await expectOp(() => permute(toTensor(empty), [2, 0, 1]), ref.permute(empty, [2, 0, 1]), undefined, 'permute with a size-0 axis');
        const scalar = rng.uniform([]);
        await expectOp(() => permute(toTensor(scalar), []), scalar, undefined, 'permute a scalar');
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([2, 3, 4], 1));
        try {
          expectGatedError(() => permute(x, [0, 0, 1]), 'permute', '[0,0,1] is not a permutation of the 3 axes of [2,3,4]');
          expectGatedError(() => permute(x, [0, 1]), 'permute', '[0,1] is not a permutation of the 3 axes of [2,3,4]');
          expectGatedError(() => permute(x, [0, 1, 3]), 'permute', '[0,1,3] is not a permutation of the 3 axes of [2,3,4]');
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('transpose', (t) => {
      t.it('values', async (rng) => {
        for (const x of each(rng, [2, 3, 4])) {
          await expectOp(() => transpose(toTensor(x)), ref.transpose(x), undefined, `transpose ${x.dtype}`);
          await expectOp(() => transpose(toTensor(x), 0, 2), ref.transpose(x, 0, 2), undefined, `transpose ${x.dtype} axes 0 and 2`);
          await expectOp(() => transpose(toTensor(x), -3, 1), ref.transpose(x, -3, 1), undefined, `transpose ${x.dtype} axes -3 and 1`);
        }
        const square = rng.uniform([5, 5]);
        await expectOp(() => transpose(transpose(toTensor(square))), square, undefined, 'transpose twice');
        const wide = rng.uniform([33, 130]);
        await expectOp(() => transpose(toTensor(wide)), ref.transpose(wide), undefined, 'transpose [33,130]');
      });

      t.it('refusals', () => {
        const v = toTensor(ref.NDArray.full([3], 1));
        try {
          expectGatedError(() => transpose(v), 'transpose', 'axis -2 is out of range for shape [3]: valid axes are [-1, 0]');
        } finally {
          v.dispose();
        }
      });
    });

    suite.describe('expand', (t) => {
      t.it('values', async (rng) => {
        const cases: [readonly number[], readonly number[]][] = [
          [
            [3, 1],
            [3, 4],
          ],
          [[4], [2, 3, 4]],
          [
            [1, 1],
            [2, 3],
          ],
          [
            [3, 1],
            [-1, 4],
          ],
          [
            [1, 3],
            [0, 3],
          ],
          [[], [2, 2]],
          [
            [2, 1, 3],
            [4, 2, 5, 3],
          ],
          [
            [2, 3],
            [2, 3],
          ],
        ];
        for (const [from, to] of cases) {
          for (const x of each(rng, from)) {
            await expectOp(
              () => expand(toTensor(x), to),
              ref.expand(x, to),
              undefined,
              `expand ${x.dtype} ${JSON.stringify(from)} to ${JSON.stringify(to)}`,
            );
          }
        }
      });

      t.it('views', async (rng) => {
        const x = rng.uniform([4, 1]);
        const stored = ref.transpose(x);
        await expectOp(
          () => expand(transpose(toTensor(stored)), [3, 4, 5]),
          ref.expand(x, [3, 4, 5]),
          undefined,
          'expand a transposed view',
        );
        const y = rng.uniform([1, 3]);
        await expectOp(
          () => transpose(expand(toTensor(y), [4, 3])),
          ref.transpose(ref.expand(y, [4, 3])),
          undefined,
          'transpose an expanded view',
        );
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([3, 2], 1));
        try {
          expectGatedError(() => expand(x, [3, 4]), 'expand', 'cannot expand [3,2] to [3,4]');
          expectGatedError(() => expand(x, [2]), 'expand', 'cannot expand [3,2] to [2]');
          expectGatedError(() => expand(x, [-1, 3, 2]), 'expand', 'shape values must be finite non-negative integers, got [-1,3,2]');
          expectGatedError(() => expand(x, [NaN, 3, 2]), 'expand', 'shape values must be finite non-negative integers, got [NaN,3,2]');
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('slice', (t) => {
      t.it('values', async (rng) => {
        const cases: [readonly number[], readonly number[] | undefined][] = [
          [
            [1, 1, 1],
            [1, 2, 3],
          ],
          [
            [0, -2],
            [-1, 2],
          ],
          [[-1], undefined],
          [
            [0, 0, 4],
            [2, 3, 0],
          ],
          [[1], [0]],
          [
            [0, 0, 0],
            [2, 3, 4],
          ],
          [[], undefined],
          [
            [0, 2, 1],
            [-1, -1, 2],
          ],
        ];
        for (const x of each(rng, [2, 3, 4])) {
          for (const [begin, size] of cases) {
            await expectOp(
              () => slice(toTensor(x), begin, size),
              ref.slice(x, begin, size),
              undefined,
              `slice ${x.dtype} [2,3,4] at ${JSON.stringify(begin)} size ${size ? JSON.stringify(size) : 'rest'}`,
            );
          }
        }
        const scalar = rng.uniform([]);
        await expectOp(() => slice(toTensor(scalar), []), scalar, undefined, 'slice a scalar');
      });

      t.it('slices of views', async (rng) => {
        const x = rng.uniform([6, 7, 5]);
        const inner = ref.slice(x, [1, 2, 0], [4, 4, 5]);
        await expectOp(
          () => slice(slice(toTensor(x), [1, 2, 0], [4, 4, 5]), [1, 1, 2], [2, 3, 2]),
          ref.slice(inner, [1, 1, 2], [2, 3, 2]),
          undefined,
          'slice of a slice',
        );
        const stored = ref.transpose(x, 0, 2);
        await expectOp(
          () => slice(transpose(toTensor(stored), 0, 2), [2, 0, 1], [3, 5, 3]),
          ref.slice(x, [2, 0, 1], [3, 5, 3]),
          undefined,
          'slice of a transposed view',
        );
        const small = rng.uniform([1, 7, 1]);
        await expectOp(
          () => slice(expand(toTensor(small), [6, 7, 5]), [1, 3, 2], [4, 2, 2]),
          ref.slice(ref.expand(small, [6, 7, 5]), [1, 3, 2], [4, 2, 2]),
          undefined,
          'slice of an expanded view',
        );
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([2, 3], 1));
        try {
          expectGatedError(() => slice(x, [0, 2], [2, 3]), 'slice', 'begin [0,2] size [2,3] is out of bounds for shape [2,3] (axis 1)');
          expectGatedError(() => slice(x, [0, 0, 0]), 'slice', 'begin [0,0,0] has more axes than [2,3]');
          expectGatedError(() => slice(x, [-3]), 'slice', 'begin [-3] size [] is out of bounds for shape [2,3] (axis 0)');
          expectGatedError(() => slice(x, [0.5]), 'slice', 'begin [0.5] size [] is out of bounds for shape [2,3] (axis 0)');
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('narrow', (t) => {
      t.it('values', async (rng) => {
        for (const x of each(rng, [3, 5, 2])) {
          for (const [axis, start, length] of [
            [1, 1, 3],
            [-1, 1, 1],
            [0, 0, 3],
            [1, 4, 0],
            [0, -2, 2],
          ] as const) {
            await expectOp(
              () => narrow(toTensor(x), axis, start, length),
              ref.narrow(x, axis, start, length),
              undefined,
              `narrow ${x.dtype} axis ${axis} from ${start} length ${length}`,
            );
          }
        }
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([3, 5], 1));
        try {
          expectGatedError(() => narrow(x, 1, 3, 3), 'narrow', 'start 3 and length 3 are out of bounds for axis 1 of size 5 (shape [3,5])');
          expectGatedError(() => narrow(x, 2, 0, 1), 'narrow', 'axis 2 is out of range for shape [3,5]: valid axes are [-2, 1]');
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('squeeze', (t) => {
      t.it('values', async (rng) => {
        for (const x of each(rng, [1, 3, 1, 2])) {
          for (const axes of [undefined, 0, 2, -2, [0, 2]]) {
            await expectOp(
              () => squeeze(toTensor(x), axes),
              ref.squeeze(x, axes),
              undefined,
              `squeeze ${x.dtype} [1,3,1,2] axes ${axes === undefined ? 'all' : JSON.stringify(axes)}`,
            );
          }
        }
        for (const shape of [[], [1], [1, 1], [2, 3], [0, 1]]) {
          const x = rng.uniform(shape);
          await expectOp(() => squeeze(toTensor(x)), ref.squeeze(x), undefined, `squeeze ${JSON.stringify(shape)}`);
        }
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([2, 1, 3], 1));
        try {
          expectGatedError(() => squeeze(x, 0), 'squeeze', 'axis 0 of [2,1,3] has size 2, not 1');
          expectGatedError(() => squeeze(x, 3), 'squeeze', 'axis 3 is out of range for shape [2,1,3]: valid axes are [-3, 2]');
          expectGatedError(() => squeeze(x, [1, -2]), 'squeeze', 'axis 1 is repeated in [1,-2]');
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('unsqueeze', (t) => {
      t.it('values', async (rng) => {
        for (const x of each(rng, [2, 3])) {
          for (const axis of [0, 1, 2, -1, -3]) {
            await expectOp(() => unsqueeze(toTensor(x), axis), ref.unsqueeze(x, axis), undefined, `unsqueeze ${x.dtype} [2,3] at ${axis}`);
          }
        }
        const scalar = rng.uniform([]);
        await expectOp(() => unsqueeze(toTensor(scalar), 0), ref.unsqueeze(scalar, 0), undefined, 'unsqueeze a scalar');
        const viewBase = rng.uniform([3, 2]);
        await expectOp(
          () => unsqueeze(transpose(toTensor(viewBase)), 1),
          ref.unsqueeze(ref.transpose(viewBase), 1),
          undefined,
          'unsqueeze a transposed view',
        );
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([2, 3], 1));
        try {
          // The valid range is that of the result (rank 3), which is what the message reports.
          expectGatedError(
            () => unsqueeze(x, 3),
            'unsqueeze',
            'axis 3 is out of range for inserting an axis into shape [2,3]: valid axes are [-3, 2]',
          );
          expectGatedError(
            () => unsqueeze(x, -4),
            'unsqueeze',
            'axis -4 is out of range for inserting an axis into shape [2,3]: valid axes are [-3, 2]',
          );
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('clone and contiguous', (t) => {
      t.it('clone copies into a new buffer', async (rng) => {
        for (const x of each(rng, [3, 4])) {
          const input = toTensor(x);
          try {
            const before = memory().numBuffers;
            const copy = clone(input);
            try {
              expect(memory().numBuffers, 'clone allocates one buffer').toBe(before + 1);
              await expectTensor(copy, x, undefined, `clone of ${x.dtype}`);
            } finally {
              copy.dispose();
            }
          } finally {
            input.dispose();
          }
          for (const view of viewsOf(x)) await expectOp(() => clone(view.make()), x, undefined, `clone of a ${x.dtype} ${view.label}`);
        }
        const empty = rng.uniform([0, 2]);
        await expectOp(() => clone(toTensor(empty)), empty, undefined, 'clone of [0,2]');
      });

      t.it('contiguous copies only views that need it', async (rng) => {
        const x = rng.uniform([3, 4]);
        const input = toTensor(x);
        try {
          const before = memory().numBuffers;
          const same = contiguous(input);
          try {
            expect(memory().numBuffers, 'contiguous of a contiguous tensor shares its buffer').toBe(before);
            await expectTensor(same, x);
          } finally {
            same.dispose();
          }
          const view = transpose(input);
          try {
            const copy = contiguous(view);
            try {
              expect(memory().numBuffers, 'contiguous of a transposed view copies').toBe(before + 1);
              expect(copy.isContiguous).toBe(true);
              await expectTensor(copy, ref.transpose(x));
            } finally {
              copy.dispose();
            }
          } finally {
            view.dispose();
          }
        } finally {
          input.dispose();
        }
      });
    });

    suite.describe('chains', (t) => {
      t.it('views of views', async (rng) => {
        const x = rng.uniform([4, 1, 5]);
        const expanded = ref.expand(x, [3, 4, 6, 5]);
        const permuted = ref.permute(expanded, [3, 0, 2, 1]);
        const sliced = ref.slice(permuted, [1, 1, 2, 1], [3, 2, 3, 2]);
        await expectOp(
          () => slice(permute(expand(toTensor(x), [3, 4, 6, 5]), [3, 0, 2, 1]), [1, 1, 2, 1], [3, 2, 3, 2]),
          sliced,
          undefined,
          'slice(permute(expand(x)))',
        );
        await expectOp(
          () =>
            reshape(transpose(slice(permute(expand(toTensor(x), [3, 4, 6, 5]), [3, 0, 2, 1]), [1, 1, 2, 1], [3, 2, 3, 2]), 0, 3), [-1, 6]),
          ref.reshape(ref.transpose(sliced, 0, 3), [-1, 6]),
          undefined,
          'reshape (copying) a transposed slice of a permuted expansion',
        );
        const bools = rng.bools([2, 3, 4]);
        await expectOp(
          () => unsqueeze(slice(transpose(toTensor(bools), 0, 2), [1, 0, 1], [2, 3, 1]), 1),
          ref.unsqueeze(ref.slice(ref.transpose(bools, 0, 2), [1, 0, 1], [2, 3, 1]), 1),
          undefined,
          'a bool chain',
        );
      });
    });
  });
}
