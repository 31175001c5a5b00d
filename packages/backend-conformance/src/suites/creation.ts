/**
 * Creating tensors on the backend: `tensor` from nested arrays and typed arrays, `scalar`,
 * constant fills and their `*Like` forms, `arange` (fractional and negative steps), `linspace`,
 * `eye`. What is written must read back bit for bit (NaN, ±∞ and -0 included).
 */
import { arange, eye, full, fullLike, linspace, ones, onesLike, scalar, tensor, zeros, zerosLike, type Tensor } from '@gated/tensor';
import { expectOp, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { FLOAT_SPECIALS, INT32_EXTREMES } from '../harness/values.js';
import { NDArray } from '../reference/index.js';

/** numpy's arange, in float64, rounded to float32 per element. */
function refArange(start: number, stop: number, step: number, dtype: 'float32' | 'int32' = 'float32'): NDArray {
  const count = Math.max(0, Math.ceil((stop - start) / step));
  return NDArray.of(
    Array.from({ length: count }, (_, i) => start + i * step),
    [count],
    dtype,
  );
}

export function creationSuite(ctx: SuiteContext): void {
  ctx.describe('creation', (t) => {
    // Everything here is written, not computed (linspace and arange values are float32 roundings
    // of float64 values): results must be exact.
    t.it('tensor from nested arrays', async () => {
      await expectOp(
        () =>
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        NDArray.fromNested([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        undefined,
        'float32 matrix',
      );
      await expectOp(() => tensor([0.1, -2.7, 1e-7]), NDArray.fromNested([0.1, -2.7, 1e-7]), undefined, 'values rounded to float32');
      await expectOp(
        () =>
          tensor([
            [true, false],
            [false, true],
          ]),
        NDArray.fromNested([
          [true, false],
          [false, true],
        ]),
        undefined,
        'booleans become bool',
      );
      await expectOp(
        () =>
          tensor(
            [
              [1, -2],
              [3, 4],
            ],
            { dtype: 'int32' },
          ),
        NDArray.fromNested(
          [
            [1, -2],
            [3, 4],
          ],
          'int32',
        ),
        undefined,
        'int32 by option',
      );
      await expectOp(() => tensor([1, 0, 2], { dtype: 'bool' }), NDArray.of([1, 0, 1], [3], 'bool'), undefined, 'numbers as bool');
      await expectOp(
        () =>
          tensor([
            [[1], [2]],
            [[3], [4]],
          ]),
        NDArray.fromNested([
          [[1], [2]],
          [[3], [4]],
        ]),
        undefined,
        'rank 3',
      );
      await expectOp(
        () => tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }),
        NDArray.of([1, 2, 3, 4, 5, 6], [3, 2]),
        undefined,
        'flat values with a shape',
      );
    });

    t.it('tensor from typed arrays', async () => {
      await expectOp(() => tensor(new Float32Array([1.5, -2, 3])), NDArray.of([1.5, -2, 3], [3]), undefined, 'Float32Array');
      await expectOp(
        () => tensor(Int32Array.from(INT32_EXTREMES)),
        NDArray.of(INT32_EXTREMES, [INT32_EXTREMES.length], 'int32'),
        undefined,
        'Int32Array',
      );
      await expectOp(
        () => tensor(new Uint8Array([1, 0, 1, 1]), { dtype: 'bool', shape: [2, 2] }),
        NDArray.of([1, 0, 1, 1], [2, 2], 'bool'),
        undefined,
        'Uint8Array as bool',
      );
      await expectOp(
        () => tensor(new Float32Array(6).fill(2), { shape: [2, 3] }),
        NDArray.full([2, 3], 2),
        undefined,
        'shaped Float32Array',
      );
      await expectOp(
        () => tensor(Float32Array.from(FLOAT_SPECIALS)),
        NDArray.of(FLOAT_SPECIALS, [FLOAT_SPECIALS.length]),
        undefined,
        'special values survive the round trip',
      );
      await expectOp(
        () => tensor(new Float32Array([-0, 0])),
        NDArray.of([-0, 0], [2]),
        undefined,
        'zero signs survive the round trip',
        true,
      );
      const source = new Float32Array([1, 2, 3]);
      const made = tensor(source);
      try {
        source[0] = 99;
        await expectOp(() => made.detach(), NDArray.of([1, 2, 3], [3]), undefined, 'tensor() copies its input');
      } finally {
        made.dispose();
      }
    });

    t.it('scalars and empty tensors', async () => {
      await expectOp(() => scalar(3.5), NDArray.full([], 3.5), undefined, 'scalar(3.5)');
      await expectOp(() => scalar(7, { dtype: 'int32' }), NDArray.full([], 7, 'int32'), undefined, 'int32 scalar');
      await expectOp(() => scalar(true), NDArray.full([], 1, 'bool'), undefined, 'bool scalar');
      await expectOp(() => tensor(-4), NDArray.full([], -4), undefined, 'tensor(-4) is rank 0');
      await expectOp(() => tensor([]), NDArray.full([0], 0), undefined, 'tensor([]) is float32 [0]');
      await expectOp(() => tensor([[], []]), NDArray.full([2, 0], 0), undefined, 'tensor([[], []]) is [2,0]');
      await expectOp(() => tensor(new Int32Array(0)), NDArray.full([0], 0, 'int32'), undefined, 'empty Int32Array');
      await expectOp(() => tensor([], { shape: [0, 5] }), NDArray.full([0, 5], 0), undefined, 'shape [0,5]');
    });

    t.it('fills', async () => {
      const cases: [string, () => Tensor, NDArray][] = [
        ['zeros', () => zeros([2, 3]), NDArray.full([2, 3], 0)],
        ['ones', () => ones([4]), NDArray.full([4], 1)],
        ['zeros int32', () => zeros([3], { dtype: 'int32' }), NDArray.full([3], 0, 'int32')],
        ['ones bool', () => ones([2, 2], { dtype: 'bool' }), NDArray.full([2, 2], 1, 'bool')],
        ['full float32', () => full([3, 1], -2.25), NDArray.full([3, 1], -2.25)],
        ['full NaN', () => full([2], NaN), NDArray.full([2], NaN)],
        ['full -∞', () => full([2], -Infinity), NDArray.full([2], -Infinity)],
        ['full rounds to float32', () => full([2], 0.1), NDArray.full([2], 0.1)],
        ['full int32', () => full([5], -2147483648, { dtype: 'int32' }), NDArray.full([5], -2147483648, 'int32')],
        ['full bool from a boolean', () => full([3], true), NDArray.full([3], 1, 'bool')],
        ['full bool from a number', () => full([3], 2, { dtype: 'bool' }), NDArray.full([3], 1, 'bool')],
        ['zeros of a scalar shape', () => zeros([]), NDArray.full([], 0)],
        ['ones of size 0', () => ones([0, 4]), NDArray.full([0, 4], 1)],
        ['a large fill', () => full([1025], 3), NDArray.full([1025], 3)],
      ];
      for (const [label, make, want] of cases) await expectOp(make, want, undefined, label);
    });

    t.it('fills like another tensor', async () => {
      const base = toTensor(NDArray.full([2, 3], 5, 'int32'));
      try {
        await expectOp(() => zerosLike(base), NDArray.full([2, 3], 0, 'int32'), undefined, 'zerosLike keeps the dtype');
        await expectOp(() => onesLike(base), NDArray.full([2, 3], 1, 'int32'), undefined, 'onesLike');
        await expectOp(() => fullLike(base, 9), NDArray.full([2, 3], 9, 'int32'), undefined, 'fullLike');
        await expectOp(() => zerosLike(base, { dtype: 'float32' }), NDArray.full([2, 3], 0), undefined, 'zerosLike with a dtype');
        await expectOp(() => onesLike(base, { dtype: 'bool' }), NDArray.full([2, 3], 1, 'bool'), undefined, 'onesLike as bool');
        await expectOp(() => fullLike(base, 0.5, { dtype: 'float32' }), NDArray.full([2, 3], 0.5), undefined, 'fullLike float32');
      } finally {
        base.dispose();
      }
    });

    t.it('arange', async () => {
      await expectOp(() => arange(5), refArange(0, 5, 1), undefined, 'arange(5)');
      await expectOp(() => arange(2, 7), refArange(2, 7, 1), undefined, 'arange(2, 7)');
      await expectOp(() => arange(1, 2, 0.25), NDArray.of([1, 1.25, 1.5, 1.75], [4]), undefined, 'arange(1, 2, 0.25)');
      await expectOp(() => arange(0, 1, 0.1), refArange(0, 1, 0.1), undefined, 'arange(0, 1, 0.1)');
      await expectOp(() => arange(5, 0, -1.5), NDArray.of([5, 3.5, 2, 0.5], [4]), undefined, 'arange(5, 0, -1.5)');
      await expectOp(
        () => arange(3, -3, -1, { dtype: 'int32' }),
        refArange(3, -3, -1, 'int32'),
        undefined,
        'int32 arange with a negative step',
      );
      await expectOp(() => arange(5, 0), NDArray.full([0], 0), undefined, 'an empty range');
      await expectOp(() => arange(0), NDArray.full([0], 0), undefined, 'arange(0)');
      await expectOp(() => arange(-1, 1, 3), NDArray.of([-1], [1]), undefined, 'a step longer than the range');
    });

    t.it('linspace', async () => {
      await expectOp(() => linspace(0, 1, 5), NDArray.of([0, 0.25, 0.5, 0.75, 1], [5]), undefined, 'linspace(0, 1, 5)');
      await expectOp(
        () => linspace(-1, 2, 7),
        NDArray.of(
          Array.from({ length: 7 }, (_, i) => (i === 6 ? 2 : -1 + i * 0.5)),
          [7],
        ),
        undefined,
        'linspace(-1, 2, 7)',
      );
      await expectOp(() => linspace(0, 1, 3), NDArray.of([0, 0.5, 1], [3]), undefined, 'linspace ends exactly at stop');
      await expectOp(() => linspace(3, 3, 1), NDArray.of([3], [1]), undefined, 'one point');
      await expectOp(() => linspace(0, 1, 0), NDArray.full([0], 0), undefined, 'no points');
      await expectOp(() => linspace(1, 0, 3), NDArray.of([1, 0.5, 0], [3]), undefined, 'decreasing');
    });

    t.it('eye', async () => {
      const identity = (n: number, m: number, dtype: 'float32' | 'int32' = 'float32') =>
        NDArray.build([n, m], dtype, ([i, j]) => (i === j ? 1 : 0));
      await expectOp(() => eye(3), identity(3, 3), undefined, 'eye(3)');
      await expectOp(() => eye(2, 4), identity(2, 4), undefined, 'eye(2, 4)');
      await expectOp(() => eye(4, 2, { dtype: 'int32' }), identity(4, 2, 'int32'), undefined, 'int32 eye(4, 2)');
      await expectOp(() => eye(0), identity(0, 0), undefined, 'eye(0)');
      await expectOp(() => eye(1), identity(1, 1), undefined, 'eye(1)');
    });

    t.it('refusals', () => {
      expectGatedError(
        () => tensor([[1, 2], [3]]),
        'tensor',
        'ragged nested array: expected an array of length 2 at depth 1 (shape [2,2]), got an array of length 1',
      );
      expectGatedError(() => tensor([1.5], { dtype: 'int32' }), 'tensor', 'int32 tensors hold integers, got 1.5 at flat index 0');
      expectGatedError(() => tensor([1, 2, 3], { shape: [2, 2] }), 'tensor', 'shape [2,2] needs 4 values, got 3');
      expectGatedError(
        () => tensor(new Float32Array(2), { dtype: 'int32' }),
        'tensor',
        'a Float32Array cannot hold int32 values; pass the matching typed array',
      );
      expectGatedError(() => tensor([1, 2], { shape: [2, -1] }), 'tensor', 'shape values must be finite non-negative integers, got [2,-1]');
      expectGatedError(() => arange(0, 1, 0), 'arange', 'step must not be 0');
      expectGatedError(() => arange(0, Infinity), 'arange', 'stop must be finite, got Infinity');
      expectGatedError(() => arange(0, 1, 0.5, { dtype: 'int32' }), 'arange', 'int32 ranges need integer start and step, got 0 and 0.5');
      expectGatedError(() => linspace(0, 1, -1), 'linspace', 'num must be a non-negative integer, got -1');
      expectGatedError(() => eye(-1), 'eye', 'shape values must be finite non-negative integers, got [-1,-1]');
      expectGatedError(() => full([2], 1.5, { dtype: 'int32' }), 'full', 'int32 tensors hold integers, got 1.5');
    });
  });
}
