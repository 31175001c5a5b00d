import { GatedError, type BinaryOp, type DType, type Shape } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { Harness, broadcastFlat, expectClose, randomValues, seeded, sizeOfShape, unravel } from './helpers.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** int32 wrap-around via BigInt, independent of `| 0` and Math.imul. */
function wrap32(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

describe('fill and cast', () => {
  it('fills each dtype', () => {
    const h = new Harness();
    expect(h.read(h.backend.fill('float32', 3, 0.1))).toEqual([Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)]);
    expect(h.read(h.backend.fill('int32', 2, -5))).toEqual([-5, -5]);
    expect(h.read(h.backend.fill('bool', 2, 3))).toEqual([1, 1]);
    expect(h.read(h.backend.fill('bool', 2, 0))).toEqual([0, 0]);
    expect(h.read(h.backend.fill('float32', 0, 1))).toEqual([]);
    h.finish();
  });

  it('casts float to int32 by truncation toward zero, NaN to 0, saturating out of range', () => {
    const h = new Harness();
    const x = h.tensor([1.9, -1.9, 0.5, -0.5, NaN, Infinity, -Infinity, 3e9, -3e9, 2147483520], [10]);
    expect(h.read(h.backend.cast(x, 'int32'))).toEqual([1, -1, 0, 0, 0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 2147483520]);
    h.finish();
  });

  it('casts anything to bool as x !== 0, with NaN true', () => {
    const h = new Harness();
    const x = h.tensor([0, -0, 2, NaN, -Infinity], [5]);
    expect(h.read(h.backend.cast(x, 'bool'))).toEqual([0, 0, 1, 1, 1]);
    const i = h.tensor([0, 5, -1], [3], 'int32');
    expect(h.read(h.backend.cast(i, 'bool'))).toEqual([0, 1, 1]);
    h.finish();
  });

  it('casts int32 and bool to float32 and int32', () => {
    const h = new Harness();
    const i = h.tensor([16777217, -3], [2], 'int32');
    expect(h.read(h.backend.cast(i, 'float32'))).toEqual([16777216, -3]);
    const b = h.tensor([1, 0], [2], 'bool');
    expect(h.read(h.backend.cast(b, 'int32'))).toEqual([1, 0]);
    expect(h.read(h.backend.cast(b, 'float32'))).toEqual([1, 0]);
    expect(h.read(h.backend.cast(i, 'int32'))).toEqual([16777217, -3]);
    h.finish();
  });
});

describe('unary', () => {
  it('rounds half to even', () => {
    const h = new Harness();
    const x = h.tensor([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6, 8388607.5, 1e30], [12]);
    const out = h.read(h.backend.unary('round', x));
    expect(out).toEqual([0, 2, 2, 4, -0, -2, -2, 2, 3, -3, 8388608, Math.fround(1e30)]);
    h.finish();
  });

  it('follows the NaN and signed-zero rules', () => {
    const h = new Harness();
    const x = h.tensor([NaN, 0, -0, 3, -2, Infinity], [6]);
    const sign = h.read(h.backend.unary('sign', x));
    expect(sign[0]).toBeNaN();
    expect(sign.slice(1)).toEqual([0, 0, 1, -1, 1]);
    expect(Object.is(sign[2], 0)).toBe(true);
    const relu = h.read(h.backend.unary('relu', x));
    expect(relu[0]).toBeNaN();
    expect(relu.slice(1)).toEqual([0, 0, 3, 0, Infinity]);
    expect(h.read(h.backend.unary('isNaN', x))).toEqual([1, 0, 0, 0, 0, 0]);
    expect(h.read(h.backend.unary('isFinite', x))).toEqual([0, 1, 1, 1, 1, 0]);
    const mask = h.tensor([1, 0, 1], [3], 'bool');
    expect(h.read(h.backend.unary('logicalNot', mask))).toEqual([0, 1, 0]);
    h.finish();
  });

  it('keeps sigmoid finite and accurate for large |x|', () => {
    const h = new Harness();
    const x = h.tensor([-1000, -100, -20, 0, 20, 100, 1000], [7]);
    const out = h.read(h.backend.unary('sigmoid', x));
    const expected = [-1000, -100, -20, 0, 20, 100, 1000].map((v) => Math.fround(1 / (1 + Math.exp(-v))));
    expect(out.every(Number.isFinite)).toBe(true);
    expectClose(out, expected, 0, 1e-6);
    expect(out[1]).toBeGreaterThan(0);
    h.finish();
  });

  it('matches float64 references for every float op', () => {
    const h = new Harness();
    const values = randomValues(seeded(1), 64, 4).map((v, i) => (i % 2 ? Math.abs(v) + 0.01 : v));
    const x = h.tensor(values, [8, 8]);
    const references: [Parameters<typeof h.backend.unary>[0], (v: number) => number][] = [
      ['neg', (v) => -v],
      ['abs', Math.abs],
      ['exp', Math.exp],
      ['log', Math.log],
      ['log1p', Math.log1p],
      ['expm1', Math.expm1],
      ['sqrt', Math.sqrt],
      ['rsqrt', (v) => 1 / Math.sqrt(v)],
      ['square', (v) => v * v],
      ['reciprocal', (v) => 1 / v],
      ['tanh', Math.tanh],
      ['sin', Math.sin],
      ['cos', Math.cos],
      ['floor', Math.floor],
      ['ceil', Math.ceil],
      ['sigmoid', (v) => 1 / (1 + Math.exp(-v))],
    ];
    for (const [op, f] of references) {
      expectClose(
        h.read(h.backend.unary(op, x)),
        values.map((v) => Math.fround(f(v))),
        1e-7,
        1e-6,
      );
    }
    h.finish();
  });

  it('wraps int32 ops', () => {
    const h = new Harness();
    const values = [INT32_MIN, INT32_MAX, -7, 0, 46341, 5];
    const x = h.tensor(values, [6], 'int32');
    expect(h.read(h.backend.unary('neg', x))).toEqual(values.map((v) => wrap32(-BigInt(v))));
    expect(h.read(h.backend.unary('abs', x))).toEqual(values.map((v) => wrap32(BigInt(Math.abs(v)))));
    expect(h.read(h.backend.unary('square', x))).toEqual(values.map((v) => wrap32(BigInt(v) * BigInt(v))));
    expect(h.read(h.backend.unary('sign', x))).toEqual([-1, 1, -1, 0, 1, 1]);
    expect(h.read(h.backend.unary('relu', x))).toEqual([0, INT32_MAX, 0, 0, 46341, 5]);
    h.finish();
  });

  it('refuses dtypes outside UNARY_TYPING', () => {
    const h = new Harness();
    const x = h.tensor([1], [1], 'int32');
    expect(() => h.backend.unary('exp', x)).toThrow(GatedError);
    expect(() => h.backend.unary('exp', x)).toThrow(/^unary: x of exp must be float32, got int32/);
    h.finish();
  });
});

type Ref = (a: number, b: number) => number;
const FLOAT_REFS: [BinaryOp, Ref][] = [
  ['add', (a, b) => a + b],
  ['sub', (a, b) => a - b],
  ['mul', (a, b) => a * b],
  ['div', (a, b) => a / b],
  ['pow', (a, b) => (a === 1 || b === 0 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b))],
  ['maximum', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b)],
  ['minimum', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b)],
];
const COMPARE_REFS: [BinaryOp, Ref][] = [
  ['equal', (a, b) => Number(a === b)],
  ['notEqual', (a, b) => Number(a !== b)],
  ['less', (a, b) => Number(a < b)],
  ['lessEqual', (a, b) => Number(a <= b)],
  ['greater', (a, b) => Number(a > b)],
  ['greaterEqual', (a, b) => Number(a >= b)],
];

/** The naive reference: every output element looks up its broadcast inputs by multi-index. */
function naiveBinary(
  f: Ref,
  a: readonly number[],
  aShape: Shape,
  b: readonly number[],
  bShape: Shape,
  outShape: Shape,
  dtype: DType,
): number[] {
  return Array.from({ length: sizeOfShape(outShape) }, (_, i) => {
    const index = unravel(i, outShape);
    const v = f(a[broadcastFlat(index, aShape)]!, b[broadcastFlat(index, bShape)]!);
    return dtype === 'float32' ? Math.fround(v) : v;
  });
}

// Every fast path (same shape, scalar either side) and the row plan (row vector, column vector,
// mixed 1s, ranks differing, size-1 output).
const BROADCASTS: [Shape, Shape, Shape][] = [
  [
    [3, 5],
    [3, 5],
    [3, 5],
  ],
  [[3, 5], [], [3, 5]],
  [[], [4], [4]],
  [[1], [2, 3], [2, 3]],
  [[4, 6], [6], [4, 6]],
  [
    [4, 6],
    [4, 1],
    [4, 6],
  ],
  [
    [4, 1],
    [1, 6],
    [4, 6],
  ],
  [
    [2, 1, 3, 1],
    [1, 4, 1, 5],
    [2, 4, 3, 5],
  ],
  [
    [2, 3, 1, 5],
    [3, 4, 1],
    [2, 3, 4, 5],
  ],
  [[1, 1], [1], [1, 1]],
  [[0, 3], [3], [0, 3]],
];

describe('binary', () => {
  it('broadcasts every shape pattern like the naive reference', () => {
    const h = new Harness();
    const next = seeded(2);
    for (const [aShape, bShape, outShape] of BROADCASTS) {
      const a = randomValues(next, sizeOfShape(aShape), 3);
      const b = randomValues(next, sizeOfShape(bShape), 3).map((v) => (v === 0 ? 0.5 : v));
      const ta = h.tensor(a, aShape);
      const tb = h.tensor(b, bShape);
      for (const [op, f] of [...FLOAT_REFS, ...COMPARE_REFS]) {
        const dtype = COMPARE_REFS.some(([name]) => name === op) ? 'bool' : 'float32';
        const expected = naiveBinary(f, a, aShape, b, bShape, outShape, dtype);
        const out = h.read(h.backend.binary(op, ta, tb, outShape));
        if (op === 'pow') expectClose(out, expected, 0, 1e-7);
        else expect(out, `${op} ${JSON.stringify([aShape, bShape])}`).toEqual(expected);
      }
    }
    h.finish();
  });

  it('propagates NaN through maximum and minimum and compares NaN false except notEqual', () => {
    const h = new Harness();
    const a = h.tensor([NaN, 1, NaN, -0], [4]);
    const b = h.tensor([1, NaN, NaN, 0], [4]);
    for (const op of ['maximum', 'minimum'] as const) {
      const out = h.read(h.backend.binary(op, a, b, [4]));
      expect(out.slice(0, 3).every(Number.isNaN)).toBe(true);
      expect(out[3] === 0).toBe(true); // either signed zero
    }
    for (const [op, f] of COMPARE_REFS) {
      expect(h.read(h.backend.binary(op, a, b, [4])).slice(0, 3)).toEqual([f(NaN, 1), f(1, NaN), f(NaN, NaN)]);
    }
    expect(h.read(h.backend.binary('notEqual', a, b, [4])).slice(0, 3)).toEqual([1, 1, 1]);
    h.finish();
  });

  it('wraps int32 arithmetic and compares ints and bools', () => {
    const h = new Harness();
    const av = [INT32_MAX, INT32_MIN, 123456, -7, 65536];
    const bv = [1, -1, 654321, 3, 65536];
    const a = h.tensor(av, [5], 'int32');
    const b = h.tensor(bv, [5], 'int32');
    const big = (f: (x: bigint, y: bigint) => bigint): number[] => av.map((x, i) => wrap32(f(BigInt(x), BigInt(bv[i]!))));
    expect(h.read(h.backend.binary('add', a, b, [5]))).toEqual(big((x, y) => x + y));
    expect(h.read(h.backend.binary('sub', a, b, [5]))).toEqual(big((x, y) => x - y));
    expect(h.read(h.backend.binary('mul', a, b, [5]))).toEqual(big((x, y) => x * y));
    expect(h.read(h.backend.binary('maximum', a, b, [5]))).toEqual(av.map((x, i) => Math.max(x, bv[i]!)));
    expect(h.read(h.backend.binary('less', a, b, [5]))).toEqual(av.map((x, i) => Number(x < bv[i]!)));
    const p = h.tensor([1, 1, 0, 0], [2, 2], 'bool');
    const q = h.tensor([1, 0], [2], 'bool');
    expect(h.read(h.backend.binary('logicalAnd', p, q, [2, 2]))).toEqual([1, 0, 0, 0]);
    expect(h.read(h.backend.binary('logicalOr', p, q, [2, 2]))).toEqual([1, 1, 1, 0]);
    expect(h.read(h.backend.binary('equal', p, q, [2, 2]))).toEqual([1, 0, 0, 1]);
    h.finish();
  });

  it('refuses mixed dtypes and shapes that do not broadcast', () => {
    const h = new Harness();
    const f = h.tensor([1, 2], [2]);
    const i = h.tensor([1, 2], [2], 'int32');
    expect(() => h.backend.binary('add', f, i, [2])).toThrow(/^binary: b must be float32, got int32/);
    expect(() => h.backend.binary('div', i, i, [2])).toThrow(GatedError);
    expect(() => h.backend.binary('add', f, f, [3])).toThrow(/^binary: a of shape \[2\] does not broadcast to \[3\]/);
    h.finish();
  });
});

describe('where', () => {
  it('selects with all three operands broadcast', () => {
    const h = new Harness();
    const next = seeded(3);
    const cases: [Shape, Shape, Shape, Shape][] = [
      [
        [2, 3],
        [2, 3],
        [2, 3],
        [2, 3],
      ],
      [[2, 1], [3], [], [2, 3]],
      [
        [1, 4, 1],
        [3, 1, 1],
        [1, 5],
        [3, 4, 5],
      ],
    ];
    for (const [cShape, aShape, bShape, outShape] of cases) {
      const c = Array.from({ length: sizeOfShape(cShape) }, () => (next() < 0.5 ? 1 : 0));
      const a = randomValues(next, sizeOfShape(aShape));
      const b = randomValues(next, sizeOfShape(bShape));
      const out = h.read(h.backend.where(h.tensor(c, cShape, 'bool'), h.tensor(a, aShape), h.tensor(b, bShape), outShape));
      const expected = Array.from({ length: sizeOfShape(outShape) }, (_, i) => {
        const index = unravel(i, outShape);
        return c[broadcastFlat(index, cShape)] ? a[broadcastFlat(index, aShape)]! : b[broadcastFlat(index, bShape)]!;
      });
      expect(out).toEqual(expected);
    }
    const ints = h.read(h.backend.where(h.tensor([1, 0], [2], 'bool'), h.tensor([5, 6], [2], 'int32'), h.tensor([7], [1], 'int32'), [2]));
    expect(ints).toEqual([5, 7]);
    h.finish();
  });
});
