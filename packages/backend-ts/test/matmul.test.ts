import { describe, expect, it } from 'vitest';
import { Harness, expectClose, randomValues, seeded, sizeOfShape } from './helpers.js';

/** The triple loop, in float64, on logical (already transposed) matrices. */
function naiveMatmul(
  a: readonly number[],
  b: readonly number[],
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transposeA ? a[p * m + i]! : a[i * k + p]!) * (transposeB ? b[j * k + p]! : b[p * n + j]!);
      out.push(Math.fround(s));
    }
  }
  return out;
}

const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('matmul', () => {
  it('matches the triple loop for every transpose combination and sizes across tile edges', () => {
    const h = new Harness();
    const next = seeded(6);
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 33],
      [7, 1, 65],
      [33, 65, 7],
      [65, 33, 1],
      [5, 9, 70],
      [64, 4, 16],
      [4, 65, 65],
    ];
    for (const [m, n, k] of sizes) {
      for (const [transposeA, transposeB] of FLAGS) {
        const a = randomValues(next, m * k);
        const b = randomValues(next, k * n);
        const ta = h.tensor(a, transposeA ? [k, m] : [m, k]);
        const tb = h.tensor(b, transposeB ? [n, k] : [k, n]);
        const out = h.read(h.backend.matmul(ta, tb, transposeA, transposeB, [m, n]));
        expectClose(out, naiveMatmul(a, b, m, n, k, transposeA, transposeB), 1e-6, 1e-6);
      }
    }
    h.finish();
  });

  it('broadcasts batch axes, including size-1 and missing ones', () => {
    const h = new Harness();
    const next = seeded(7);
    const cases: [number[], number[], number[]][] = [
      [[3], [3], [3]],
      [
        [2, 1],
        [1, 3],
        [2, 3],
      ],
      [[], [4], [4]],
      [[2, 3], [], [2, 3]],
      [[1], [2, 2], [2, 2]],
    ];
    const [m, n, k] = [5, 6, 7];
    for (const [batchA, batchB, batch] of cases) {
      for (const [transposeA, transposeB] of FLAGS) {
        const a = randomValues(next, sizeOfShape(batchA) * m * k);
        const b = randomValues(next, sizeOfShape(batchB) * k * n);
        const ta = h.tensor(a, [...batchA, ...(transposeA ? [k, m] : [m, k])]);
        const tb = h.tensor(b, [...batchB, ...(transposeB ? [n, k] : [k, n])]);
        const out = h.read(h.backend.matmul(ta, tb, transposeA, transposeB, [...batch, m, n]));
        const expected: number[] = [];
        for (let flat = 0; flat < sizeOfShape(batch); flat++) {
          // Batch index → flat matrix index in each operand, size-1 axes pinned to 0.
          const index: number[] = [];
          for (let d = batch.length - 1, rest = flat; d >= 0; d--) {
            index.unshift(rest % batch[d]!);
            rest = Math.floor(rest / batch[d]!);
          }
          const pick = (shape: number[]): number =>
            shape.reduce((acc, dim, d) => acc * dim + (dim === 1 ? 0 : index[d + batch.length - shape.length]!), 0);
          const ia = pick(batchA);
          const ib = pick(batchB);
          expected.push(
            ...naiveMatmul(a.slice(ia * m * k, (ia + 1) * m * k), b.slice(ib * k * n, (ib + 1) * k * n), m, n, k, transposeA, transposeB),
          );
        }
        expectClose(out, expected, 1e-6, 1e-6);
      }
    }
    h.finish();
  });

  it('gives zeros for K = 0 and empty buffers for M = 0 or N = 0', () => {
    const h = new Harness();
    expect(h.read(h.backend.matmul(h.tensor([], [2, 0]), h.tensor([], [0, 3]), false, false, [2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(h.read(h.backend.matmul(h.tensor([], [0, 4]), h.tensor(new Array<number>(12).fill(1), [4, 3]), false, false, [0, 3]))).toEqual(
      [],
    );
    expect(h.read(h.backend.matmul(h.tensor([1, 2], [1, 2]), h.tensor([], [2, 0]), false, false, [1, 0]))).toEqual([]);
    h.finish();
  });

  it('propagates NaN and accumulates in double precision', () => {
    const h = new Harness();
    const a = h.tensor([NaN, 1, 1, 1], [2, 2]);
    const b = h.tensor([0, 0, 0, 0], [2, 2]);
    const out = h.read(h.backend.matmul(a, b, false, false, [2, 2]));
    expect(Number.isNaN(out[0]) && Number.isNaN(out[1])).toBe(true);
    expect(out.slice(2)).toEqual([0, 0]);
    // 1 + 4096 · 2^-24: float32 running sums would stay at 1.
    const k = 4097;
    const row = h.tensor([1, ...new Array<number>(k - 1).fill(2 ** -12)], [1, k]);
    const col = h.tensor([1, ...new Array<number>(k - 1).fill(2 ** -12)], [k, 1]);
    expect(h.read(h.backend.matmul(row, col, false, false, [1, 1]))).toEqual([1 + 2 ** -12]);
    h.finish();
  });

  it('refuses mismatched inner dimensions', () => {
    const h = new Harness();
    expect(() => h.backend.matmul(h.tensor([1, 2, 3, 4, 5, 6], [2, 3]), h.tensor([1, 2, 3, 4], [2, 2]), false, false, [2, 2])).toThrow(
      'matmul: inner dimensions differ: [2,3] x [2,2]',
    );
    h.finish();
  });
});
