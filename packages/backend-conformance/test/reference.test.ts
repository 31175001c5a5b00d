// The reference is the ground truth, so it is checked against values worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  NDArray,
  argReduce,
  binary,
  broadcastShape,
  cast,
  clip,
  concat,
  expand,
  gather,
  logSoftmax,
  logSumExp,
  matmul,
  mean,
  narrow,
  pad,
  permute,
  reduce,
  reshape,
  roundHalfEven,
  scatterAdd,
  slice,
  softmax,
  split,
  squeeze,
  stack,
  transpose,
  unsqueeze,
  where,
} from '../src/reference/index.js';
import { referenceUnary } from '../src/suites/unary.js';

const f = (nested: Parameters<typeof NDArray.fromNested>[0]) => NDArray.fromNested(nested);
const i32 = (nested: Parameters<typeof NDArray.fromNested>[0]) => NDArray.fromNested(nested, 'int32');
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

describe('reference elementwise', () => {
  it('rounds halves to even', () => {
    const inputs = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 1.4, -1.6, NaN, Infinity, -Infinity];
    expect(inputs.map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 0, 1, -2, NaN, Infinity, -Infinity]);
  });

  it('wraps int32 arithmetic', () => {
    expect(referenceUnary('neg', i32([INT_MIN])).toNested()).toEqual([INT_MIN]);
    expect(referenceUnary('abs', i32([INT_MIN, -5])).toNested()).toEqual([INT_MIN, 5]);
    expect(referenceUnary('square', i32([65536, 46341])).toNested()).toEqual([0, -2147479015]);
    expect(binary('add', i32([INT_MAX]), i32([1])).toNested()).toEqual([INT_MIN]);
    expect(binary('sub', i32([INT_MIN]), i32([1])).toNested()).toEqual([INT_MAX]);
    expect(binary('mul', i32([65536, 123456789]), i32([65536, 987654321])).toNested()).toEqual([0, -67153019]);
  });

  it('broadcasts and types binary ops', () => {
    const sum = binary('add', f([[1], [2]]), f([10, 20, 30]));
    expect(sum.shape).toEqual([2, 3]);
    expect(sum.toNested()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(broadcastShape([2, 1, 3, 1], [4, 1, 5])).toEqual([2, 4, 3, 5]);
    expect(() => broadcastShape([2, 3], [4])).toThrow();
    const less = binary('less', f([1, NaN, 3]), f([2, 2, NaN]));
    expect(less.dtype).toBe('bool');
    expect(less.toNested()).toEqual([true, false, false]);
    expect(binary('notEqual', f([NaN]), f([NaN])).toNested()).toEqual([true]);
    expect(binary('maximum', f([1, NaN, -0]), f([NaN, 2, 3])).toNested()).toEqual([NaN, NaN, 3]);
    expect(binary('div', f([1, -1, 0]), f([0, 0, 0])).toNested()).toEqual([Infinity, -Infinity, NaN]);
  });

  it('rounds float results to float32 at the output', () => {
    expect(referenceUnary('exp', f([89])).toNested()).toEqual([Infinity]);
    expect(binary('add', f([0.1]), f([0.2])).data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  });

  it('casts with truncation, saturation, NaN → 0 and x !== 0 for bool', () => {
    const x = f([NaN, 2.7, -2.7, 3e9, -3e9, Infinity, -Infinity, -0, 0.5]);
    expect(cast(x, 'int32').toNested()).toEqual([0, 2, -2, INT_MAX, INT_MIN, INT_MAX, INT_MIN, 0, 0]);
    expect(cast(x, 'bool').toNested()).toEqual([true, true, true, true, true, true, true, false, true]);
    expect(cast(i32([16777217]), 'float32').toNested()).toEqual([16777216]);
    expect(cast(NDArray.fromNested([true, false]), 'int32').toNested()).toEqual([1, 0]);
  });

  it('selects with where and clamps with clip', () => {
    const picked = where(NDArray.fromNested([[true], [false]]), f([1, 2]), f(NaN));
    expect(picked.toNested()).toEqual([
      [1, 2],
      [NaN, NaN],
    ]);
    expect(clip(f([-5, 0.5, 7, NaN]), 0, 1).toNested()).toEqual([0, 0.5, 1, NaN]);
  });
});

describe('reference reductions', () => {
  const x = f([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('sums, multiplies and finds extremes over axes', () => {
    expect(reduce('sum', x, 0).toNested()).toEqual([5, 7, 9]);
    expect(reduce('sum', x, -1).toNested()).toEqual([6, 15]);
    expect(reduce('sum', x).toNested()).toEqual(21);
    expect(reduce('sum', x, 1, true).shape).toEqual([2, 1]);
    expect(reduce('prod', x, 1).toNested()).toEqual([6, 120]);
    expect(
      reduce(
        'max',
        f([
          [1, NaN],
          [3, 2],
        ]),
        1,
      ).toNested(),
    ).toEqual([NaN, 3]);
    expect(reduce('min', x, [0, 1], true).toNested()).toEqual([[1]]);
    expect(mean(x, 1).toNested()).toEqual([2, 5]);
  });

  it('handles empty reductions', () => {
    const empty = NDArray.full([0, 3], 0);
    expect(reduce('sum', empty, 0).toNested()).toEqual([0, 0, 0]);
    expect(reduce('prod', empty, 0).toNested()).toEqual([1, 1, 1]);
    expect(reduce('max', empty, 1).shape).toEqual([0]);
    expect(() => reduce('max', empty, 0)).toThrow();
    expect(mean(NDArray.full([2, 0], 0), 1).toNested()).toEqual([NaN, NaN]);
  });

  it('wraps int32 sums and products', () => {
    expect(reduce('sum', i32([INT_MAX, 1, 1])).toNested()).toBe(INT_MIN + 1);
    expect(reduce('prod', i32([123456789, 987654321])).toNested()).toBe(-67153019);
  });

  it('finds the first extreme index, NaN counting as extreme', () => {
    const y = f([
      [1, 3, 3],
      [NaN, 5, NaN],
      [2, NaN, 9],
    ]);
    expect(argReduce('argmax', y, 1).toNested()).toEqual([1, 0, 1]);
    expect(argReduce('argmin', y, 1).toNested()).toEqual([0, 0, 1]);
    expect(
      argReduce(
        'argmax',
        f([
          [1, 9],
          [9, 2],
        ]),
      ).toNested(),
    ).toBe(1);
    expect(
      argReduce(
        'argmin',
        f([
          [1, 9],
          [0, 2],
        ]),
        undefined,
        true,
      ).toNested(),
    ).toEqual([[2]]);
  });

  it('computes the softmax family stably', () => {
    const s = softmax(f([1, 2, 3]));
    expect(s.data[0]).toBeCloseTo(0.09003057317038046, 7);
    expect(s.data[2]).toBeCloseTo(0.6652409557748219, 7);
    expect(softmax(f([1000, 1001])).data[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 7);
    expect(softmax(f([-Infinity, 0])).toNested()).toEqual([0, 1]);
    expect(logSoftmax(f([0, 0])).toNested()).toEqual([-Math.fround(Math.LN2), -Math.fround(Math.LN2)]);
    expect(logSumExp(f([-Infinity, -Infinity])).toNested()).toBe(-Infinity);
    expect(
      logSumExp(
        f([
          [0, 0],
          [Infinity, 1],
        ]),
        1,
      ).toNested(),
    ).toEqual([Math.fround(Math.LN2), Infinity]);
    expect(logSumExp(NDArray.full([2, 0], 0), 1).toNested()).toEqual([-Infinity, -Infinity]);
  });
});

describe('reference matmul', () => {
  it('multiplies matrices, vectors and batches', () => {
    expect(
      matmul(
        f([
          [1, 2],
          [3, 4],
        ]),
        f([[5], [6]]),
      ).toNested(),
    ).toEqual([[17], [39]]);
    expect(matmul(f([1, 2]), f([3, 4])).toNested()).toBe(11);
    expect(
      matmul(
        f([1, 2]),
        f([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ).toNested(),
    ).toEqual([9, 12, 15]);
    expect(
      matmul(
        f([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        f([1, 1, 1]),
      ).toNested(),
    ).toEqual([6, 15]);
    expect(
      matmul(
        f([
          [1, 3],
          [2, 4],
        ]),
        f([[5, 6]]),
        { transposeA: true, transposeB: true },
      ).toNested(),
    ).toEqual([[17], [39]]);
    const batched = matmul(NDArray.full([2, 1, 2, 3], 1), NDArray.full([4, 3, 5], 2));
    expect(batched.shape).toEqual([2, 4, 2, 5]);
    expect(batched.data.every((v) => v === 6)).toBe(true);
    expect(matmul(f([[1, 2]]), NDArray.full([3, 2, 1], 1)).shape).toEqual([3, 1, 1]);
    expect(matmul(NDArray.full([3, 0], 0), NDArray.full([0, 4], 0)).toNested()).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });
});

describe('reference layout and indexing', () => {
  const x = NDArray.build([2, 3, 4], 'float32', (_, i) => i);

  it('permutes, transposes and reshapes', () => {
    const p = permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.at([3, 1, 2])).toBe(x.at([1, 2, 3]));
    expect(transpose(x).at([1, 3, 1])).toBe(x.at([1, 1, 3]));
    expect(transpose(x, 0, 2).shape).toEqual([4, 3, 2]);
    expect(reshape(x, [4, -1]).shape).toEqual([4, 6]);
    expect(() => reshape(x, [-1, -1])).toThrow();
    expect(squeeze(NDArray.full([1, 3, 1], 0)).shape).toEqual([3]);
    expect(squeeze(NDArray.full([1, 3, 1], 0), -1).shape).toEqual([1, 3]);
    expect(unsqueeze(NDArray.full([3], 0), -1).shape).toEqual([3, 1]);
  });

  it('slices, narrows and expands', () => {
    const s = slice(x, [1, -2], [-1, 2]);
    expect(s.shape).toEqual([1, 2, 4]);
    expect(s.at([0, 0, 0])).toBe(x.at([1, 1, 0]));
    expect(narrow(x, 2, 1, 2).toNested()).toEqual(slice(x, [0, 0, 1], [-1, -1, 2]).toNested());
    expect(expand(f([[1], [2]]), [2, 2, -1]).toNested()).toEqual(expand(f([[1], [2]]), [2, 2, 1]).toNested());
    expect(expand(f([[1], [2]]), [2, 3]).toNested()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  it('joins, splits and pads', () => {
    expect(concat([f([[1, 2]]), NDArray.full([0, 2], 0), f([[3, 4]])], 0).toNested()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(
      concat(
        [
          f([[1], [2]]),
          f([
            [3, 4],
            [5, 6],
          ]),
        ],
        1,
      ).toNested(),
    ).toEqual([
      [1, 3, 4],
      [2, 5, 6],
    ]);
    expect(stack([f([1, 2]), f([3, 4])], 1).toNested()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(split(f([1, 2, 3, 4, 5]), [2, 0, 3]).map((p) => p.toNested())).toEqual([[1, 2], [], [3, 4, 5]]);
    expect(
      pad(
        f([[1, 2]]),
        [
          [1, 0],
          [0, 2],
        ],
        9,
      ).toNested(),
    ).toEqual([
      [9, 9, 9, 9],
      [1, 2, 9, 9],
    ]);
  });

  it('gathers and scatters', () => {
    const table = f([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(gather(table, i32([[2, 0]])).toNested()).toEqual([
      [
        [5, 6],
        [1, 2],
      ],
    ]);
    expect(gather(table, i32([1, 1, 0]), 1).toNested()).toEqual([
      [2, 2, 1],
      [4, 4, 3],
      [6, 6, 5],
    ]);
    expect(gather(table, i32(1), 0).toNested()).toEqual([3, 4]);
    expect(() => gather(table, i32([3]))).toThrow();
    expect(
      scatterAdd(
        f([
          [1, 1],
          [2, 2],
          [4, 4],
        ]),
        i32([0, 2, 0]),
        0,
        [3, 2],
      ).toNested(),
    ).toEqual([
      [5, 5],
      [0, 0],
      [2, 2],
    ]);
  });
});
