import type { ReduceOp, Shape } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { Harness, expectClose, randomValues, seeded, sizeOfShape, unravel } from './helpers.js';

/** Naive reference: every input element folds into the output position of its kept axes. */
function naiveReduce(op: ReduceOp, x: readonly number[], shape: Shape, axes: readonly number[]): number[] {
  const outShape = shape.filter((_, axis) => !axes.includes(axis));
  const init = { sum: 0, prod: 1, max: -Infinity, min: Infinity }[op];
  const out = new Array<number>(sizeOfShape(outShape)).fill(init);
  x.forEach((v, i) => {
    const kept = unravel(i, shape).filter((_, axis) => !axes.includes(axis));
    const o = kept.reduce((flat, index, axis) => flat * outShape[axis]! + index, 0);
    const acc = out[o]!;
    if (op === 'sum') out[o] = acc + v;
    else if (op === 'prod') out[o] = acc * v;
    else if (Number.isNaN(acc) || Number.isNaN(v)) out[o] = NaN;
    else out[o] = op === 'max' ? Math.max(acc, v) : Math.min(acc, v);
  });
  return out;
}

const AXIS_CASES: [Shape, number[]][] = [
  [[5], [0]],
  [[5], []],
  [[], []],
  [[3, 4], [0]],
  [[3, 4], [1]],
  [
    [3, 4],
    [0, 1],
  ],
  [[2, 3, 4], [1]],
  [
    [2, 3, 4],
    [0, 2],
  ],
  [
    [2, 3, 4],
    [0, 1],
  ],
  [
    [2, 3, 4],
    [1, 2],
  ],
  [
    [2, 1, 3, 5],
    [1, 3],
  ],
  [
    [2, 1, 3, 5],
    [0, 2],
  ],
  [[3, 40, 7], [1]],
];

describe('reduce', () => {
  it('matches the naive float64 reference over many axis sets', () => {
    const h = new Harness();
    const next = seeded(4);
    for (const [shape, axes] of AXIS_CASES) {
      const values = randomValues(next, sizeOfShape(shape), 1.5);
      const x = h.tensor(values, shape);
      for (const op of ['sum', 'prod', 'max', 'min'] as const) {
        const expected = naiveReduce(op, values, shape, axes).map(Math.fround);
        const out = h.read(h.backend.reduce(op, x, axes));
        if (op === 'max' || op === 'min') expect(out, `${op} ${JSON.stringify([shape, axes])}`).toEqual(expected);
        else expectClose(out, expected, 1e-6, 1e-6);
      }
    }
    h.finish();
  });

  it('gives the identity for empty reductions and empty outputs for empty kept axes', () => {
    const h = new Harness();
    const x = h.tensor([], [2, 0, 3]);
    expect(h.read(h.backend.reduce('sum', x, [1]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(h.read(h.backend.reduce('prod', x, [1]))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(h.read(h.backend.reduce('sum', x, [0, 2]))).toEqual([]);
    expect(h.read(h.backend.reduce('sum', h.tensor([], [0]), [0]))).toEqual([0]);
    h.finish();
  });

  it('accumulates float32 sums in double precision', () => {
    const h = new Harness();
    // 1 + 2^-24 · 4096 in float32 steps would stay at 1; in double it is 1 + 2^-12.
    const values = [1, ...new Array<number>(4096).fill(2 ** -24)];
    expect(h.read(h.backend.reduce('sum', h.tensor(values, [4097]), [0]))).toEqual([1 + 2 ** -12]);
    h.finish();
  });

  it('propagates NaN through max and min, and wraps int32 sums', () => {
    const h = new Harness();
    const x = h.tensor([1, NaN, 3, -Infinity, 2, 5], [2, 3]);
    for (const op of ['max', 'min'] as const) {
      const out = h.read(h.backend.reduce(op, x, [1]));
      expect(Number.isNaN(out[0])).toBe(true);
      expect(out[1]).toBe(op === 'max' ? 5 : -Infinity);
    }
    const ints = h.tensor([2147483647, 1, -5, 7, 65536, 65536], [3, 2], 'int32');
    expect(h.read(h.backend.reduce('sum', ints, [1]))).toEqual([-2147483648, 2, 131072]);
    expect(h.read(h.backend.reduce('prod', ints, [1]))).toEqual([2147483647, -35, 0]);
    expect(h.read(h.backend.reduce('max', ints, [0]))).toEqual([2147483647, 65536]);
    expect(h.read(h.backend.reduce('sum', ints, [0, 1]))).toEqual([-2147352574]);
    h.finish();
  });
});

describe('argReduce', () => {
  it('finds the first extreme along any axis, NaN winning and ties going to the first index', () => {
    const h = new Harness();
    // Rows: a tie; NaN after a larger value, then a second NaN; NaN before larger values; all equal.
    const x = h.tensor([1, 3, 3, 2, 5, NaN, 1, NaN, 0, NaN, 7, 7, 7, 7, 7, 7], [4, 4]);
    expect(h.read(h.backend.argReduce('argmax', x, 1))).toEqual([1, 1, 1, 0]);
    expect(h.read(h.backend.argReduce('argmin', x, 1))).toEqual([0, 1, 1, 0]);
    expect(h.read(h.backend.argReduce('argmax', x, 0))).toEqual([3, 1, 2, 1]);
    expect(h.read(h.backend.argReduce('argmin', x, 0))).toEqual([2, 1, 1, 1]);
    const ints = h.tensor([4, -1, 4, -1, 0, 9], [2, 3], 'int32');
    expect(h.read(h.backend.argReduce('argmax', ints, 1))).toEqual([0, 2]);
    expect(h.read(h.backend.argReduce('argmin', ints, 1))).toEqual([1, 0]);
    h.finish();
  });

  it('matches a naive scan on a rank-3 tensor', () => {
    const h = new Harness();
    const shape = [3, 5, 4];
    const values = randomValues(seeded(5), 60).map((v) => Math.round(v * 3)); // many ties
    const x = h.tensor(values, shape);
    for (let axis = 0; axis < 3; axis++) {
      const outShape = shape.filter((_, d) => d !== axis);
      const expected = Array.from({ length: sizeOfShape(outShape) }, (_, o) => {
        const index = unravel(o, outShape);
        let best = 0;
        let bestValue = -Infinity;
        for (let k = 0; k < shape[axis]!; k++) {
          const full = [...index.slice(0, axis), k, ...index.slice(axis)];
          const v = values[full.reduce((flat, i, d) => flat * shape[d]! + i, 0)]!;
          if (v > bestValue) [best, bestValue] = [k, v];
        }
        return best;
      });
      expect(h.read(h.backend.argReduce('argmax', x, axis))).toEqual(expected);
    }
    h.finish();
  });
});
