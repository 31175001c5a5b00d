/**
 * Bad input that cuts across ops (each op's own refusals live in its suite): use after dispose,
 * non-finite, negative and oversized shapes, and errors raised midway through composite ops or
 * inside `tidy`. Every case must throw a GatedError naming the op and must leak nothing.
 */
import {
  add,
  cast,
  clone,
  concat,
  full,
  gather,
  matmul,
  ones,
  rand,
  reshape,
  softmax,
  stack,
  sum,
  tensor,
  tidy,
  transpose,
  where,
  zeros,
} from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { expectMemory, snapshot } from '../harness/memory.js';

export function errorsSuite(ctx: SuiteContext): void {
  ctx.describe('errors', (t) => {
    t.it('use after dispose', () => {
      const live = tensor([
        [1, 2],
        [3, 4],
      ]);
      const dead = tensor([
        [5, 6],
        [7, 8],
      ]);
      const mask = tensor([
        [true, false],
        [false, true],
      ]);
      dead.dispose();
      const gone = (op: string) => new RegExp(`^${op}: tensor #${dead.id} \\(float32 \\[2,2\\]\\) was already disposed$`);
      const cases: [string, () => unknown][] = [
        ['add', () => add(live, dead)],
        ['add', () => add(dead, 1)],
        ['matmul', () => matmul(live, dead)],
        ['sum', () => sum(dead)],
        ['reshape', () => reshape(dead, [4])],
        ['transpose', () => transpose(dead)],
        ['concat', () => concat([live, dead])],
        ['gather', () => gather(dead, [0])],
        ['cast', () => cast(dead, 'int32')],
        ['softmax', () => softmax(dead)],
        ['clone', () => clone(dead)],
        ['where', () => where(mask, live, dead)],
        [
          'assign',
          () => {
            live.assign(dead);
          },
        ],
      ];
      try {
        for (const [op, call] of cases) expectGatedError(call, op, gone(op), `${op} of a disposed tensor`);
      } finally {
        live.dispose();
        mask.dispose();
      }
    });

    t.it('non-finite, negative and oversized shapes', () => {
      expectGatedError(() => zeros([2, NaN]), 'zeros', 'shape values must be finite non-negative integers, got [2,NaN]', 'zeros([2, NaN])');
      expectGatedError(() => ones([-1]), 'ones', 'shape values must be finite non-negative integers, got [-1]', 'ones([-1])');
      expectGatedError(() => full([Infinity], 0), 'full', 'shape values must be finite non-negative integers, got [Infinity]');
      expectGatedError(() => full([2.5], 0), 'full', 'shape values must be finite non-negative integers, got [2.5]');
      expectGatedError(() => full([65536, 65536], 0), 'full', 'shape [65536,65536] has more than 2^31-1 elements');
      expectGatedError(() => rand([3, -2]), 'rand', 'shape values must be finite non-negative integers, got [3,-2]');
      expectGatedError(
        () => tensor([1, 2], { shape: [2, NaN] }),
        'tensor',
        'shape values must be finite non-negative integers, got [2,NaN]',
      );
      const x = tensor([1, 2, 3, 4]);
      try {
        expectGatedError(() => reshape(x, [-1, -1]), 'reshape', 'only one axis can be -1, got [-1,-1]');
        expectGatedError(() => reshape(x, [NaN]), 'reshape', 'shape values must be finite non-negative integers, got [NaN]');
      } finally {
        x.dispose();
      }
    });

    t.it('errors inside composite ops and tidy leak nothing', () => {
      const vector = tensor([1, 2, 3]);
      const matrix = ones([4, 5]);
      const a = ones([2, 3]);
      const b = ones([3, 2]);
      try {
        // matmul of a 1-D operand reshapes it before checking: the temporaries must be freed.
        expectGatedError(() => matmul(vector, matrix), 'matmul', 'inner dimensions differ: [3] x [4,5]', 'matmul of a vector');
        expectGatedError(() => stack([a, b]), 'stack', 'all shapes must be equal, got [2,3], [3,2]');
        expectGatedError(
          () =>
            tidy(() => {
              const product = matmul(a, b);
              const total = add(product, 1);
              return matmul(total, matrix);
            }),
          'matmul',
          'inner dimensions differ: [2,2] x [4,5]',
          'a failing op inside tidy',
        );
      } finally {
        for (const x of [vector, matrix, a, b]) x.dispose();
      }
    });

    t.it('a failed kernel call leaves the backend as it was', async () => {
      const table = tensor([
        [1, 2],
        [3, 4],
      ]);
      try {
        const before = snapshot();
        for (let i = 0; i < 3; i++) {
          try {
            gather(table, [0, 9]).dispose();
          } catch {
            // Backends that write zeros for bad indices are checked in the indexing suite.
          }
        }
        expectMemory(before, 'after repeated failing kernel calls');
        const next = add(table, 1);
        try {
          expect(await next.toArray(), 'the backend still computes after errors').toEqual([
            [2, 3],
            [4, 5],
          ]);
        } finally {
          next.dispose();
        }
      } finally {
        table.dispose();
      }
    });
  });
}
