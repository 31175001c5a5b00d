/**
 * Reading values back: `data()` (the right typed array, a fresh copy), `toArray()` nesting for
 * every dtype and for size-0 shapes, `item()`, reads of views, concurrent reads, `sync()`, and
 * the synchronous reads: equal to the async ones where `caps.syncRead`, a clear error elsewhere.
 */
import { expand, slice, tensor, tidy, transpose } from '@gated/tensor';
import { expect } from 'vitest';
import { toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError, expectGatedRejection } from '../harness/errors.js';
import { NDArray } from '../reference/index.js';

export function readbackSuite(ctx: SuiteContext): void {
  ctx.describe('readback', (t) => {
    t.it('data returns a fresh typed array of the dtype', async () => {
      const cases = [
        [NDArray.of([1.5, -2, NaN], [3]), Float32Array],
        [NDArray.of([7, -8, 2147483647], [3], 'int32'), Int32Array],
        [NDArray.of([1, 0, 1], [3], 'bool'), Uint8Array],
      ] as const;
      for (const [x, type] of cases) {
        const input = toTensor(x);
        try {
          const first = await input.data();
          expect(first, `data() of ${x.dtype}`).toBeInstanceOf(type);
          expect(Array.from(first)).toEqual(Array.from(x.data));
          first[0] = 42;
          const second = await input.data();
          expect(second[0], 'mutating what data() returned must not change the tensor').toBe(x.data[0]);
        } finally {
          input.dispose();
        }
      }
    });

    t.it('toArray nests by shape', async () => {
      const cases: [NDArray, unknown][] = [
        [NDArray.of([2.5], []), 2.5],
        [
          NDArray.of([1, 2, 3, 4, 5, 6], [2, 3]),
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
        ],
        [NDArray.of([1, 2], [2, 1, 1]), [[[1]], [[2]]]],
        [
          NDArray.of([1, 0, 0, 1], [2, 2], 'bool'),
          [
            [true, false],
            [false, true],
          ],
        ],
        [NDArray.of([1], [], 'bool'), true],
        [NDArray.of([-3, 4], [1, 2], 'int32'), [[-3, 4]]],
        [NDArray.of([], [2, 0]), [[], []]],
        [NDArray.of([], [0, 3]), []],
        [NDArray.of([], [2, 0, 3], 'int32'), [[], []]],
      ];
      for (const [x, want] of cases) {
        const input = toTensor(x);
        try {
          expect(await input.toArray(), `toArray of ${x.dtype} ${JSON.stringify(x.shape)}`).toEqual(want);
        } finally {
          input.dispose();
        }
      }
    });

    t.it('item', async () => {
      const cases: [NDArray, number][] = [
        [NDArray.of([3.25], []), 3.25],
        [NDArray.of([-7], [1, 1, 1], 'int32'), -7],
        [NDArray.of([1], [1], 'bool'), 1],
        [NDArray.of([NaN], []), NaN],
      ];
      for (const [x, want] of cases) {
        const input = toTensor(x);
        try {
          expect(await input.item(), `item of ${x.dtype} ${JSON.stringify(x.shape)}`).toBe(want);
        } finally {
          input.dispose();
        }
      }
      const two = toTensor(NDArray.of([1, 2], [2]));
      const none = toTensor(NDArray.of([], [0]));
      try {
        await expectGatedRejection(() => two.item(), 'item', 'needs a tensor with exactly one element, got shape [2]');
        await expectGatedRejection(() => none.item(), 'item', 'needs a tensor with exactly one element, got shape [0]');
      } finally {
        two.dispose();
        none.dispose();
      }
    });

    t.it('reads of views', async () => {
      const base = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      try {
        const views = [
          [
            () => transpose(base),
            [
              [1, 4],
              [2, 5],
              [3, 6],
            ],
          ],
          [
            () => slice(base, [0, 1], [2, 2]),
            [
              [2, 3],
              [5, 6],
            ],
          ],
          [
            () => tidy(() => expand(slice(base, [1, 0], [1, 3]), [2, 3])),
            [
              [4, 5, 6],
              [4, 5, 6],
            ],
          ],
          [() => slice(base, [1, 2], [1, 1]), [[6]]],
        ] as const;
        for (const [make, want] of views) {
          const view = make();
          try {
            expect(await view.toArray(), 'toArray of a view').toEqual(want);
            expect(Array.from(await view.data()), 'data of a view').toEqual(want.flat());
          } finally {
            view.dispose();
          }
        }
        const corner = slice(base, [1, 2], [1, 1]);
        try {
          expect(await corner.item(), 'item of a one-element view').toBe(6);
        } finally {
          corner.dispose();
        }
      } finally {
        base.dispose();
      }
    });

    t.it('concurrent reads', async () => {
      const inputs = Array.from({ length: 8 }, (_, i) => toTensor(NDArray.full([100], i)));
      try {
        const all = await Promise.all(inputs.map((x) => x.data()));
        all.forEach((values, i) => {
          expect(
            values.every((v) => v === i),
            `concurrent read ${i}`,
          ).toBe(true);
        });
      } finally {
        for (const x of inputs) x.dispose();
      }
    });

    t.it('sync', async () => {
      const x = tensor([1, 2, 3]);
      try {
        await expect(t.backend.sync(), 'backend.sync() resolves').resolves.toBeUndefined();
        expect(Array.from(await x.data())).toEqual([1, 2, 3]);
      } finally {
        x.dispose();
      }
    });

    t.it('synchronous reads', async () => {
      const x = tensor([
        [1.5, 2],
        [3, 4],
      ]);
      const one = tensor([[7]]);
      const view = transpose(x);
      try {
        if (t.backend.caps.syncRead) {
          expect(Array.from(x.dataSync()), 'dataSync').toEqual(Array.from(await x.data()));
          expect(x.toArraySync(), 'toArraySync').toEqual(await x.toArray());
          expect(view.toArraySync(), 'toArraySync of a view').toEqual([
            [1.5, 3],
            [2, 4],
          ]);
          expect(one.itemSync(), 'itemSync').toBe(7);
        } else {
          const message = `backend "${t.backend.name}" cannot read synchronously; use await tensor.data()`;
          expectGatedError(() => x.dataSync(), 'dataSync', message, 'dataSync without caps.syncRead');
          expectGatedError(() => x.toArraySync(), 'toArraySync', message, 'toArraySync without caps.syncRead');
          expectGatedError(() => one.itemSync(), 'itemSync', message, 'itemSync without caps.syncRead');
        }
      } finally {
        view.dispose();
        x.dispose();
        one.dispose();
      }
    });

    t.it('reads after dispose', async () => {
      const x = tensor([1, 2]);
      x.dispose();
      const message = /^\w+: tensor #\d+ \(float32 \[2\]\) was already disposed$/;
      await expectGatedRejection(() => x.data(), 'data', message);
      await expectGatedRejection(() => x.toArray(), 'toArray', message);
      await expectGatedRejection(() => x.item(), 'item', message);
      expectGatedError(() => x.dataSync(), 'dataSync', message);
    });
  });
}
