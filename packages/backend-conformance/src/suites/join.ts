/** Joining and splitting: concat (the kernel), stack, split and pad, on every dtype and on views. */
import type { DType } from '@gated/backend-api';
import { concat, pad, split, stack, transpose, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { expectOp, expectTensor, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { expandedView, viewsOf } from '../harness/views.js';
import * as ref from '../reference/index.js';

const DTYPE_LIST: readonly DType[] = ['float32', 'int32', 'bool'];

export function joinSuite(ctx: SuiteContext): void {
  ctx.describe('join', (suite) => {
    suite.describe('concat', (t) => {
      t.it('each axis', async (rng) => {
        for (const dtype of DTYPE_LIST) {
          const parts = [rng.values([2, 3, 4], dtype), rng.values([2, 3, 4], dtype), rng.values([2, 3, 4], dtype)];
          for (const axis of [0, 1, 2, -1, -3]) {
            await expectOp(() => concat(parts.map(toTensor), axis), ref.concat(parts, axis), undefined, `concat ${dtype} along ${axis}`);
          }
        }
      });

      t.it('uneven and empty parts', async (rng) => {
        const parts = [rng.uniform([2, 1]), rng.uniform([2, 0]), rng.uniform([2, 5]), rng.uniform([2, 3])];
        await expectOp(() => concat(parts.map(toTensor), 1), ref.concat(parts, 1), undefined, 'concat [2,1], [2,0], [2,5], [2,3] along 1');
        const rows = [rng.uniform([0, 3]), rng.uniform([0, 3])];
        await expectOp(() => concat(rows.map(toTensor), 0), ref.concat(rows, 0), undefined, 'concat of empty tensors');
        const single = [rng.uniform([3, 2])];
        await expectOp(() => concat(single.map(toTensor), 1), ref.concat(single, 1), undefined, 'concat of one tensor');
        const many = Array.from({ length: 9 }, (_, i) => rng.uniform([i % 3, 4]));
        await expectOp(() => concat(many.map(toTensor), 0), ref.concat(many, 0), undefined, 'concat of nine tensors');
        const vectors = [rng.uniform([130]), rng.uniform([7])];
        await expectOp(() => concat(vectors.map(toTensor)), ref.concat(vectors), undefined, 'concat of vectors');
      });

      t.it('views', async (rng) => {
        const a = rng.uniform([3, 4, 5]);
        const b = rng.uniform([3, 4, 5]);
        const viewsA = viewsOf(a);
        const viewsB = viewsOf(b);
        for (let i = 0; i < viewsA.length; i++) {
          const va = viewsA[i]!;
          const vb = viewsB[(i + 2) % viewsB.length]!;
          await expectOp(
            () => concat([va.make(), vb.make()], 1),
            ref.concat([a, b], 1),
            undefined,
            `concat of a ${va.label} and a ${vb.label}`,
          );
        }
        const expanded = expandedView(rng.uniform([1, 4, 5]), [3, 4, 5]);
        await expectOp(
          () => concat([toTensor(a), expanded.view.make()], 0),
          ref.concat([a, expanded.reference], 0),
          undefined,
          'concat with an expanded view',
        );
      });

      t.it('refusals', () => {
        const a = toTensor(ref.NDArray.full([2, 3], 1));
        const b = toTensor(ref.NDArray.full([2, 4], 1));
        const c = toTensor(ref.NDArray.full([3], 1));
        const ints = toTensor(ref.NDArray.full([2, 3], 1, 'int32'));
        try {
          expectGatedError(() => concat([a, b], 0), 'concat', 'shapes [2,3], [2,4] differ outside axis 0');
          expectGatedError(() => concat([a, c], 0), 'concat', 'shapes [2,3], [3] differ outside axis 0');
          expectGatedError(() => concat([a, b], 2), 'concat', 'axis 2 is out of range for shape [2,3]: valid axes are [-2, 1]');
          expectGatedError(() => concat([a, ints], 0), 'concat', 'dtype mismatch: float32 vs int32; cast one side first');
          expectGatedError(() => concat([]), 'concat', 'needs at least one tensor');
          const scalar = toTensor(ref.NDArray.full([], 1));
          try {
            expectGatedError(
              () => concat([scalar, scalar]),
              'concat',
              'axis 0 is out of range for shape []: valid axes are none (the tensor is a scalar)',
            );
          } finally {
            scalar.dispose();
          }
        } finally {
          for (const x of [a, b, c, ints]) x.dispose();
        }
      });
    });

    suite.describe('stack', (t) => {
      t.it('values', async (rng) => {
        for (const dtype of DTYPE_LIST) {
          const parts = [rng.values([3, 4], dtype), rng.values([3, 4], dtype)];
          for (const axis of [0, 1, 2, -1]) {
            await expectOp(() => stack(parts.map(toTensor), axis), ref.stack(parts, axis), undefined, `stack ${dtype} along ${axis}`);
          }
        }
        const scalars = [rng.uniform([]), rng.uniform([]), rng.uniform([])];
        await expectOp(() => stack(scalars.map(toTensor)), ref.stack(scalars), undefined, 'stack of scalars');
        const base = rng.uniform([4, 3]);
        await expectOp(
          () => stack([transpose(toTensor(base)), transpose(toTensor(base))], 1),
          ref.stack([ref.transpose(base), ref.transpose(base)], 1),
          undefined,
          'stack of views',
        );
      });

      t.it('refusals', () => {
        const a = toTensor(ref.NDArray.full([2, 3], 1));
        const b = toTensor(ref.NDArray.full([3, 2], 1));
        try {
          expectGatedError(() => stack([a, b]), 'stack', 'all shapes must be equal, got [2,3], [3,2]');
          expectGatedError(
            () => stack([a, a], 3),
            'stack',
            'axis 3 is out of range for inserting an axis into shape [2,3]: valid axes are [-3, 2]',
          );
          expectGatedError(() => stack([]), 'stack', 'needs at least one tensor');
        } finally {
          a.dispose();
          b.dispose();
        }
      });
    });

    suite.describe('split', (t) => {
      const expectParts = async (parts: Tensor[], want: ref.NDArray[], label: string) => {
        try {
          expect(parts.length, `${label}: number of parts`).toBe(want.length);
          for (let i = 0; i < want.length; i++) await expectTensor(parts[i]!, want[i]!, undefined, `${label}: part ${i}`);
        } finally {
          for (const part of parts) part.dispose();
        }
      };

      t.it('values', async (rng) => {
        for (const dtype of DTYPE_LIST) {
          const x = rng.values([6, 4], dtype);
          const input = toTensor(x);
          try {
            await expectParts(split(input, 3), ref.split(x, 3), `split ${dtype} into 3`);
            await expectParts(split(input, [1, 0, 3, 2]), ref.split(x, [1, 0, 3, 2]), `split ${dtype} into [1,0,3,2]`);
            await expectParts(split(input, 2, 1), ref.split(x, 2, 1), `split ${dtype} along axis 1`);
            await expectParts(split(input, [4], -1), ref.split(x, [4], -1), `split ${dtype} into one part`);
          } finally {
            input.dispose();
          }
        }
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([6, 4], 1));
        try {
          expectGatedError(() => split(x, 4), 'split', 'axis 0 of [6,4] cannot be split into 4 equal parts');
          expectGatedError(() => split(x, [2, 2]), 'split', 'sizes [2,2] do not add up to axis 0 of [6,4]');
          expectGatedError(() => split(x, [7, -1]), 'split', 'sizes [7,-1] do not add up to axis 0 of [6,4]');
          expectGatedError(() => split(x, 2, 2), 'split', 'axis 2 is out of range for shape [6,4]: valid axes are [-2, 1]');
        } finally {
          x.dispose();
        }
      });
    });

    suite.describe('pad', (t) => {
      t.it('values', async (rng) => {
        for (const dtype of DTYPE_LIST) {
          const x = rng.values([2, 3], dtype);
          const fill = dtype === 'bool' ? 1 : 7;
          const cases: (readonly (readonly [number, number])[])[] = [
            [
              [1, 2],
              [0, 1],
            ],
            [
              [0, 0],
              [3, 0],
            ],
            [[2, 0]],
            [],
          ];
          for (const paddings of cases) {
            await expectOp(
              () => pad(toTensor(x), paddings, fill),
              ref.pad(x, paddings, fill),
              undefined,
              `pad ${dtype} by ${JSON.stringify(paddings)}`,
            );
          }
        }
      });

      t.it('edge shapes and views', async (rng) => {
        const empty = rng.uniform([0, 2]);
        await expectOp(
          () =>
            pad(toTensor(empty), [
              [1, 1],
              [0, 0],
            ]),
          ref.pad(empty, [
            [1, 1],
            [0, 0],
          ]),
          undefined,
          'pad [0,2]',
        );
        const x = rng.uniform([3, 4, 5]);
        for (const view of viewsOf(x)) {
          await expectOp(
            () =>
              pad(
                view.make(),
                [
                  [0, 1],
                  [2, 0],
                  [1, 1],
                ],
                -1,
              ),
            ref.pad(
              x,
              [
                [0, 1],
                [2, 0],
                [1, 1],
              ],
              -1,
            ),
            undefined,
            `pad a ${view.label}`,
          );
        }
      });

      t.it('refusals', () => {
        const x = toTensor(ref.NDArray.full([2, 3], 1));
        try {
          expectGatedError(
            () =>
              pad(x, [
                [0, 0],
                [0, 0],
                [1, 1],
              ]),
            'pad',
            '3 paddings for a tensor of shape [2,3]',
          );
          expectGatedError(() => pad(x, [[-1, 0]]), 'pad', 'paddings must be non-negative integers, got [[-1,0]]');
          expectGatedError(() => pad(x, [[0.5, 0]]), 'pad', 'paddings must be non-negative integers, got [[0.5,0]]');
        } finally {
          x.dispose();
        }
      });
    });
  });
}
